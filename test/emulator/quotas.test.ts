import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator/server.js';
import { cluster, foundation, PROJECT, R } from './dataproc-setup.js';
import { emulator, type Http } from './lro-client.js';

// Compute `regions.get` with GPU quotas (gcp-api-facts §18.8): the Region
// message's fields, quotas as {metric, limit, usage}, usage taken from the
// Dataproc clusters stored in the region, limits lowered through the
// `/_emulator/quotas` control and kept in the state file.

const REGION = `/compute/v1/projects/${PROJECT}/regions/us-central1`;
/** The fields of compute's Region message (GCL `Region`; googleapis `Schema$Region`). */
const REGION_FIELDS = ['creationTimestamp', 'deprecated', 'description', 'id', 'kind', 'name', 'quotaStatusWarning',
  'quotas', 'selfLink', 'status', 'supportsPzs', 'zones'];

const quota = (region: any, metric: string): any => region.quotas.find((q: any) => q.metric === metric);

describe('Compute regions.get and its GPU quotas', () => {
  let h: Http;
  before(async () => {
    h = await emulator({ strict: { enabled: true }, timing: { minPolls: 0 } });
    await foundation(h);
  });
  after(() => h.close());

  it('answers the Region shape, with zones and quotas', async () => {
    const region = await h.ok('GET', REGION);
    assert.deepEqual(Object.keys(region).filter((k) => !REGION_FIELDS.includes(k)), []);
    assert.equal(region.kind, 'compute#region');
    assert.equal(region.status, 'UP');
    assert.ok(region.zones.includes(`https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/us-central1-a`));
    assert.equal(region.selfLink, `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/us-central1`);
    for (const q of region.quotas) {
      assert.deepEqual(Object.keys(q).sort(), ['limit', 'metric', 'usage']);
      assert.equal(typeof q.limit, 'number');
    }
    assert.deepEqual(quota(region, 'NVIDIA_T4_GPUS'), { metric: 'NVIDIA_T4_GPUS', limit: 8, usage: 0 });
    assert.ok(quota(region, 'PREEMPTIBLE_NVIDIA_L4_GPUS'));
  });

  it('is 404 for a region that does not exist', async () => {
    const r = await h.call('GET', `/compute/v1/projects/${PROJECT}/regions/us-nowhere9`);
    assert.equal(r.status, 404);
    assert.match(r.json.error.message, /The resource 'projects\/dpgce-test\/regions\/us-nowhere9' was not found/);
  });

  it('counts the accelerators of stored clusters', async () => {
    const t4 = [{ acceleratorTypeUri: 'nvidia-tesla-t4', acceleratorCount: 2 }];
    await h.done('POST', `${R}/clusters`, cluster('gpu', {
      masterConfig: { numInstances: 1, machineTypeUri: 'n1-standard-8', accelerators: t4 },
      workerConfig: { numInstances: 2, machineTypeUri: 'n1-standard-8', accelerators: t4 },
    }));
    await h.done('POST', `${R}/clusters`, cluster('cpu-only'));
    const region = await h.ok('GET', REGION);
    assert.equal(quota(region, 'NVIDIA_T4_GPUS').usage, 6);
    assert.equal(quota(region, 'PREEMPTIBLE_NVIDIA_T4_GPUS').usage, 0);
    assert.equal(quota(region, 'NVIDIA_L4_GPUS').usage, 0);
  });

  it('takes lowered limits from the control and refuses malformed ones', async () => {
    const set = await h.ok('PUT', '/_emulator/quotas', { [`projects/${PROJECT}/regions/us-central1`]: { NVIDIA_T4_GPUS: 2 } });
    assert.deepEqual(set, { [`projects/${PROJECT}/regions/us-central1`]: { NVIDIA_T4_GPUS: 2 } });
    assert.equal(quota(await h.ok('GET', REGION), 'NVIDIA_T4_GPUS').limit, 2);
    assert.equal((await h.call('PUT', '/_emulator/quotas', { 'us-central1': { NVIDIA_T4_GPUS: 2 } })).status, 400);
    assert.equal((await h.call('PUT', '/_emulator/quotas', { [`projects/${PROJECT}/regions/us-central1`]: { NVIDIA_T4_GPUS: -1 } })).status, 400);
  });
});

describe('the quota limits and the caller', () => {
  it('are kept in the state file for the next process', async () => {
    const state = mkdtempSync(join(tmpdir(), 'dpgce-quotas-'));
    const first = await startEmulator({ stateDir: state });
    const put = (what: string, body: unknown) => fetch(`${first.url}/_emulator/${what}`, { method: 'PUT', body: JSON.stringify(body) });
    assert.equal((await put('quotas', { 'projects/p/regions/europe-west4': { NVIDIA_L4_GPUS: 1 } })).status, 200);
    assert.equal((await put('caller', { deniedPermissions: ['dns.managedZones.create'] })).status, 200);
    await first.close();

    const second = await startEmulator({ stateDir: state });
    try {
      const auth = { headers: { authorization: 'Bearer t' } };
      const region = await (await fetch(`${second.url}/compute/v1/projects/p/regions/europe-west4`, auth)).json() as any;
      assert.equal(quota(region, 'NVIDIA_L4_GPUS').limit, 1);
      const caller = await (await fetch(`${second.url}/_emulator/caller`)).json();
      assert.deepEqual(caller, { deniedPermissions: ['dns.managedZones.create'] });
    } finally {
      await second.close();
    }
  });
});
