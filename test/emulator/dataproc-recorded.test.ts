import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exchanges, recordingMissing } from '../helpers/recording.js';
import { foundation, PROJECT, R, settled } from './dataproc-setup.js';
import { emulator, type Http } from './lro-client.js';

// The Dataproc emulator over raw HTTP against the recorded transcript
// (gcp-recordings/dataproc-cluster: create with the defaults, describe,
// resize to 3 workers, delete): operation metadata, states, stored fields.

const VALUES = { projectId: PROJECT, uniqueId: 'abc' };
const SKIP = recordingMissing('dataproc-cluster');
if (SKIP) console.log(`# skipped: ${SKIP}`);

describe('Dataproc clusters, as recorded', { skip: SKIP }, () => {
  let h: Http;
  let recorded: ReturnType<typeof exchanges>;
  before(async () => {
    // Cluster operations take a while here, so the in-between states can be seen.
    h = await emulator({
      timing: { latency: { defaultMs: 0, rules: [{ api: 'dataproc', ms: 150 }] }, minPolls: 1 },
    });
    await foundation(h);
    recorded = exchanges('dataproc-cluster', VALUES).filter((x) =>
      x.url.includes('dataproc.googleapis.com'),
    );
  });
  after(() => h.close());

  it('answers the recorded create with a PENDING ClusterOperationMetadata and the recorded warning', async () => {
    const create = recorded[0];
    const op = await h.ok('POST', `${R}/clusters?requestId=123456`, create.request);
    assert.match(op.name, /^projects\/dpgce-test\/regions\/us-central1\/operations\/[^/]+$/);
    assert.equal(op.done, undefined);
    const want = create.response.metadata;
    assert.deepEqual(Object.keys(op.metadata).sort(), Object.keys(want).sort());
    for (const f of ['@type', 'clusterName', 'description', 'operationType'])
      assert.equal(op.metadata[f], want[f]);
    assert.deepEqual(
      { ...op.metadata.status, stateStartTime: 'x' },
      { ...want.status, stateStartTime: 'x' },
    );
    assert.ok(
      op.metadata.warnings.includes(want.warnings.at(-1)),
      'the no-image warning, word for word',
    );

    const during = await h.ok('GET', `${R}/clusters/test-abc`);
    assert.equal(during.status.state, 'CREATING');
    const done = await settled(h, op);
    assert.deepEqual(Object.keys(done).sort(), Object.keys(recorded[1].response).sort());
    assert.equal(done.metadata.status.state, 'DONE');
    assert.deepEqual(
      done.metadata.statusHistory.map((s: any) => s.state),
      ['PENDING', 'RUNNING'],
    );
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
    assert.deepEqual(
      got.statusHistory.map((s: any) => s.state),
      ['CREATING'],
    );
    assert.equal(got.labels['goog-dataproc-cluster-uuid'], got.clusterUuid);
  });

  it('resizes the workers as recorded, then deletes the cluster', async () => {
    const patch = recorded.find((x) => x.method === 'PATCH')!;
    const op = await h.ok(
      'PATCH',
      `${R}/clusters/test-abc?requestId=7&updateMask=config.worker_config.num_instances`,
      patch.request,
    );
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
    assert.deepEqual(gone.json.error, {
      code: 404,
      message: 'Not found: Cluster projects/dpgce-test/regions/us-central1/clusters/test-abc',
      status: 'NOT_FOUND',
    });
  });
});
