import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exchanges, recordingMissing } from '../helpers/recording.js';
import { emulator, type Http } from './lro-client.js';

// The Dataproc emulator over raw HTTP, against the recorded transcript
// (gcp-recordings/dataproc-cluster: create with the defaults, describe,
// resize to 3 workers, delete) and the service-side rules dpgce relies on:
// the Private Google Access refusal, the cluster name pattern, requestId
// replays, accelerators that the machine family cannot take.

const PROJECT = 'dpgce-test';
const R = `/v1/projects/${PROJECT}/regions/us-central1`;
const COMPUTE = `/compute/v1/projects/${PROJECT}`;
const VALUES = { projectId: PROJECT, uniqueId: 'abc' };
const SKIP = recordingMissing('dataproc-cluster');
if (SKIP) console.log(`# skipped: ${SKIP}`);

async function computeDone(h: Http, scope: string, op: any): Promise<void> {
  for (let i = 0; i < 20 && op.status !== 'DONE'; i++) op = await h.ok('POST', `${COMPUTE}/${scope}/operations/${op.name}/wait`);
  assert.equal(op.error, undefined, JSON.stringify(op.error));
}

/** A default network, two subnetworks (with and without Private Google Access), an account, a bucket. */
async function foundation(h: Http): Promise<void> {
  for (const name of ['default', 'net']) {
    await computeDone(h, 'global', await h.ok('POST', `${COMPUTE}/global/networks`, { name, autoCreateSubnetworks: false }));
  }
  for (const [name, range, pga] of [['pga', '10.0.0.0/24', true], ['no-pga', '10.0.1.0/24', false]] as const) {
    await computeDone(h, 'regions/us-central1', await h.ok('POST', `${COMPUTE}/regions/us-central1/subnetworks`,
      { name, network: `projects/${PROJECT}/global/networks/net`, ipCidrRange: range, privateIpGoogleAccess: pga }));
  }
  await h.ok('POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'dataproc-abc', serviceAccount: {} });
  await h.ok('POST', `/storage/v1/b?project=${PROJECT}`, { name: 'dpgce-test-staging' });
}

/** A small valid create body on the `pga` subnetwork. */
function cluster(name: string, extra: Record<string, any> = {}): Record<string, any> {
  return { clusterName: name, projectId: PROJECT, config: {
    gceClusterConfig: { subnetworkUri: 'pga', internalIpOnly: true, zoneUri: 'us-central1-a' },
    softwareConfig: { imageVersion: '2.2-debian12' }, ...extra } };
}

/** Polls an operation until done, pausing between polls (the operations here take 150 ms). */
async function settled(h: Http, op: any): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const cur = await h.ok('GET', `/v1/${op.name}`);
    if (cur.done) return cur;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`operation ${op.name} never finished`);
}

describe('Dataproc clusters, as recorded', { skip: SKIP }, () => {
  let h: Http;
  let recorded: ReturnType<typeof exchanges>;
  before(async () => {
    // Cluster operations take a while here, so the in-between states can be seen.
    h = await emulator({ timing: { latency: { defaultMs: 0, rules: [{ api: 'dataproc', ms: 150 }] }, minPolls: 1 } });
    await foundation(h);
    recorded = exchanges('dataproc-cluster', VALUES).filter((x) => x.url.includes('dataproc.googleapis.com'));
  });
  after(() => h.close());

  it('answers the recorded create with a PENDING ClusterOperationMetadata and the recorded warning', async () => {
    const create = recorded[0];
    const op = await h.ok('POST', `${R}/clusters?requestId=123456`, create.request);
    assert.match(op.name, /^projects\/dpgce-test\/regions\/us-central1\/operations\/[^/]+$/);
    assert.equal(op.done, undefined);
    const want = create.response.metadata;
    assert.deepEqual(Object.keys(op.metadata).sort(), Object.keys(want).sort());
    for (const f of ['@type', 'clusterName', 'description', 'operationType']) assert.equal(op.metadata[f], want[f]);
    assert.deepEqual({ ...op.metadata.status, stateStartTime: 'x' }, { ...want.status, stateStartTime: 'x' });
    assert.ok(op.metadata.warnings.includes(want.warnings.at(-1)), 'the no-image warning, word for word');

    const during = await h.ok('GET', `${R}/clusters/test-abc`);
    assert.equal(during.status.state, 'CREATING');
    const done = await settled(h, op);
    assert.deepEqual(Object.keys(done).sort(), Object.keys(recorded[1].response).sort());
    assert.equal(done.metadata.status.state, 'DONE');
    assert.deepEqual(done.metadata.statusHistory.map((s: any) => s.state), ['PENDING', 'RUNNING']);
    assert.equal(done.response['@type'], 'type.googleapis.com/google.cloud.dataproc.v1.Cluster');
  });

  it('describes the cluster with the recorded fields and defaults', async () => {
    const got = await h.ok('GET', `${R}/clusters/test-abc`);
    const want = recorded[2].response;
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    assert.deepEqual(Object.keys(got.config).sort(), Object.keys(want.config).sort());
    assert.deepEqual(Object.keys(got.labels).sort(), Object.keys(want.labels).sort());
    assert.deepEqual(got.config.gceClusterConfig, want.config.gceClusterConfig);
    for (const group of ['masterConfig', 'workerConfig']) {
      assert.deepEqual(got.config[group], want.config[group], group);
    }
    assert.equal(got.config.softwareConfig.imageVersion, want.config.softwareConfig.imageVersion);
    assert.equal(got.status.state, 'RUNNING');
    assert.deepEqual(got.statusHistory.map((s: any) => s.state), ['CREATING']);
    assert.equal(got.labels['goog-dataproc-cluster-uuid'], got.clusterUuid);
  });

  it('resizes the workers as recorded, then deletes the cluster', async () => {
    const patch = recorded.find((x) => x.method === 'PATCH')!;
    const op = await h.ok('PATCH', `${R}/clusters/test-abc?requestId=7&updateMask=config.worker_config.num_instances`,
      patch.request);
    assert.equal(op.metadata.description, patch.response.metadata.description);
    assert.equal(op.metadata.operationType, 'UPDATE');
    await settled(h, op);
    const got = await h.ok('GET', `${R}/clusters/test-abc`);
    assert.equal(got.config.workerConfig.numInstances, 3);
    assert.equal(got.config.workerConfig.instanceNames.length, 3);

    const del = recorded.find((x) => x.method === 'DELETE')!;
    const delOp = await h.ok('DELETE', `${R}/clusters/test-abc?requestId=8`);
    assert.equal(delOp.metadata.description, del.response.metadata.description);
    assert.equal((await h.ok('GET', `${R}/clusters/test-abc`)).status.state, 'DELETING');
    const final = await settled(h, delOp);
    assert.deepEqual(final.response, { '@type': 'type.googleapis.com/google.protobuf.Empty' });
    const gone = await h.call('GET', `${R}/clusters/test-abc`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.json.error, { code: 404, message:
      'Not found: Cluster projects/dpgce-test/regions/us-central1/clusters/test-abc', status: 'NOT_FOUND' });
  });
});

describe('Dataproc server-side rules', () => {
  let h: Http;
  before(async () => {
    h = await emulator();
    await foundation(h);
  });
  after(() => h.close());

  it('refuses internal IPs only on a subnetwork without Private Google Access, with the service\'s text', async () => {
    const body = cluster('c1');
    body.config.gceClusterConfig.subnetworkUri =
      `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/us-central1/subnetworks/no-pga`;
    const r = await h.call('POST', `${R}/clusters`, body);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
    assert.equal(r.json.error.message, "Subnetwork 'no-pga' does not support Private Google Access which is required " +
      "for Dataproc clusters when 'internal_ip_only' is set to 'true'. Enable Private Google Access on subnetwork " +
      "'no-pga' or set 'internal_ip_only' to 'false'.");
  });

  it('refuses cluster names outside the pattern, with the service\'s text', async () => {
    for (const name of ['Bad_Name', `a${'b'.repeat(51)}`, 'ends-']) {
      const r = await h.call('POST', `${R}/clusters`, cluster(name));
      assert.equal(r.status, 400, name);
      assert.equal(r.json.error.message, `Cluster name '${name}' must match pattern (?:[a-z](?:[-a-z0-9]{0,49}[a-z0-9])?)`);
    }
    assert.equal((await h.call('POST', `${R}/clusters`, cluster(`a${'b'.repeat(50)}`))).status, 200, '51 characters fit');
  });

  it('replays a requestId and refuses a second cluster of the same name', async () => {
    const first = await h.ok('POST', `${R}/clusters?requestId=r-1`, cluster('c2'));
    const again = await h.ok('POST', `${R}/clusters?requestId=r-1`, cluster('c2'));
    assert.equal(again.name, first.name);
    await h.wait(first);
    const dup = await h.call('POST', `${R}/clusters?requestId=r-2`, cluster('c2'));
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.status, 'ALREADY_EXISTS');
    const bad = await h.call('POST', `${R}/clusters?requestId=${'x'.repeat(41)}`, cluster('c3'));
    assert.equal(bad.status, 400);
  });

  it('fills in full URLs for short names and keeps metadata values with commas whole', async () => {
    const body = cluster('c4', { masterConfig: { machineTypeUri: 'n1-standard-8',
      accelerators: [{ acceleratorTypeUri: 'nvidia-tesla-t4', acceleratorCount: 1 }] } });
    body.config.gceClusterConfig.metadata = { 'no-proxy': '.corp.example,10.10.0.0/24' };
    await h.wait(await h.ok('POST', `${R}/clusters`, body));
    const got = await h.ok('GET', `${R}/clusters/c4`);
    const base = 'https://www.googleapis.com/compute/v1/projects/dpgce-test';
    assert.equal(got.config.gceClusterConfig.subnetworkUri, `${base}/regions/us-central1/subnetworks/pga`);
    assert.equal(got.config.gceClusterConfig.networkUri, `${base}/global/networks/net`);
    assert.equal(got.config.masterConfig.machineTypeUri, `${base}/zones/us-central1-a/machineTypes/n1-standard-8`);
    assert.equal(got.config.masterConfig.accelerators[0].acceleratorTypeUri,
      `${base}/zones/us-central1-a/acceleratorTypes/nvidia-tesla-t4`);
    assert.equal(got.config.softwareConfig.imageVersion, '2.2.63-debian12');
    assert.equal(got.config.gceClusterConfig.metadata['no-proxy'], '.corp.example,10.10.0.0/24');
  });

  it('refuses a GPU the machine type cannot take, bucket URIs, one worker and a missing account', async () => {
    const cases: Array<[Record<string, any>, RegExp]> = [
      [cluster('g1', { masterConfig: { machineTypeUri: 'g2-standard-8',
        accelerators: [{ acceleratorTypeUri: 'nvidia-tesla-t4' }] } }), /cannot be attached to machine type 'g2-standard-8'/],
      [cluster('g2', { configBucket: 'gs://dpgce-test-staging' }), /bucket name, not a gs:\/\/ URI/],
      [cluster('g3', { configBucket: 'nobody-has-this-bucket' }), /Bucket 'nobody-has-this-bucket' does not exist/],
      [cluster('g4', { workerConfig: { numInstances: 1 } }), /at least 2 primary workers/],
    ];
    const account = cluster('g5');
    account.config.gceClusterConfig.serviceAccount = `nobody@${PROJECT}.iam.gserviceaccount.com`;
    cases.push([account, /Service account .* does not exist/]);
    for (const [body, why] of cases) {
      const r = await h.call('POST', `${R}/clusters`, body);
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.match(r.json.error.message, why);
    }
  });

  it('makes a single-node cluster with the zero-workers property, and no worker group', async () => {
    const body = cluster('one', { softwareConfig: { properties: { 'dataproc:dataproc.allow.zero.workers': 'true' } } });
    await h.wait(await h.ok('POST', `${R}/clusters`, body));
    const got = await h.ok('GET', `${R}/clusters/one`);
    assert.equal(got.config.workerConfig, undefined);
    assert.deepEqual(got.config.masterConfig.instanceNames, ['one-m']);
  });
});
