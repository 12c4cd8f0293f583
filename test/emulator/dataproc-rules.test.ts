import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, foundation, PROJECT, R } from './dataproc-setup.js';
import { emulator, type Http } from './lro-client.js';

// The service-side rules of the Dataproc emulator that dpgce relies on: the
// Private Google Access refusal, the cluster name pattern, requestId
// replays, full URLs for short names, accelerators the machine family
// cannot take, bucket names, worker counts.

describe('Dataproc server-side rules', () => {
  let h: Http;
  before(async () => {
    h = await emulator();
    await foundation(h);
  });
  after(() => h.close());

  it("refuses internal IPs only on a subnetwork without Private Google Access, with the service's text", async () => {
    const body = cluster('c1');
    body.config.gceClusterConfig.subnetworkUri = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/us-central1/subnetworks/no-pga`;
    const r = await h.call('POST', `${R}/clusters`, body);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
    assert.equal(
      r.json.error.message,
      "Subnetwork 'no-pga' does not support Private Google Access which is required " +
        "for Dataproc clusters when 'internal_ip_only' is set to 'true'. Enable Private Google Access on subnetwork " +
        "'no-pga' or set 'internal_ip_only' to 'false'.",
    );
  });

  it("refuses cluster names outside the pattern, with the service's text", async () => {
    for (const name of ['Bad_Name', `a${'b'.repeat(51)}`, 'ends-']) {
      const r = await h.call('POST', `${R}/clusters`, cluster(name));
      assert.equal(r.status, 400, name);
      assert.equal(
        r.json.error.message,
        `Cluster name '${name}' must match pattern (?:[a-z](?:[-a-z0-9]{0,49}[a-z0-9])?)`,
      );
    }
    assert.equal(
      (await h.call('POST', `${R}/clusters`, cluster(`a${'b'.repeat(50)}`))).status,
      200,
      '51 characters fit',
    );
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
    const body = cluster('c4', {
      masterConfig: {
        machineTypeUri: 'n1-standard-8',
        accelerators: [{ acceleratorTypeUri: 'nvidia-tesla-t4', acceleratorCount: 1 }],
      },
    });
    body.config.gceClusterConfig.metadata = { 'no-proxy': '.corp.example,10.10.0.0/24' };
    await h.wait(await h.ok('POST', `${R}/clusters`, body));
    const got = await h.ok('GET', `${R}/clusters/c4`);
    const base = 'https://www.googleapis.com/compute/v1/projects/dpgce-test';
    assert.equal(
      got.config.gceClusterConfig.subnetworkUri,
      `${base}/regions/us-central1/subnetworks/pga`,
    );
    assert.equal(got.config.gceClusterConfig.networkUri, `${base}/global/networks/net`);
    assert.equal(
      got.config.masterConfig.machineTypeUri,
      `${base}/zones/us-central1-a/machineTypes/n1-standard-8`,
    );
    assert.equal(
      got.config.masterConfig.accelerators[0].acceleratorTypeUri,
      `${base}/zones/us-central1-a/acceleratorTypes/nvidia-tesla-t4`,
    );
    assert.equal(got.config.softwareConfig.imageVersion, '2.2.63-debian12');
    assert.equal(got.config.gceClusterConfig.metadata['no-proxy'], '.corp.example,10.10.0.0/24');
  });

  it('refuses a GPU the machine type cannot take, bucket URIs, one worker and a missing account', async () => {
    const cases: Array<[Record<string, any>, RegExp]> = [
      [
        cluster('g1', {
          masterConfig: {
            machineTypeUri: 'g2-standard-8',
            accelerators: [{ acceleratorTypeUri: 'nvidia-tesla-t4' }],
          },
        }),
        /cannot be attached to machine type 'g2-standard-8'/,
      ],
      [
        cluster('g2', { configBucket: 'gs://dpgce-test-staging' }),
        /bucket name, not a gs:\/\/ URI/,
      ],
      [
        cluster('g3', { configBucket: 'nobody-has-this-bucket' }),
        /Bucket 'nobody-has-this-bucket' does not exist/,
      ],
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
    const body = cluster('one', {
      softwareConfig: { properties: { 'dataproc:dataproc.allow.zero.workers': 'true' } },
    });
    await h.wait(await h.ok('POST', `${R}/clusters`, body));
    const got = await h.ok('GET', `${R}/clusters/one`);
    assert.equal(got.config.workerConfig, undefined);
    assert.deepEqual(got.config.masterConfig.instanceNames, ['one-m']);
  });
});
