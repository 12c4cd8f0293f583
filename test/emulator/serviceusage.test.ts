import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, type Client } from './raw-http.js';

// Service Usage against ../shared/reference/gcp-recordings/serviceusage-service
// and serviceusage-identity (the recorded operation shapes).

describe('service usage', () => {
  let h: Client;
  let number: string;
  before(async () => {
    h = await client();
    number = (await h.ok('GET', '/v1/projects/my-proj')).projectNumber;
  });
  after(async () => {
    await h.close();
  });

  it('reports default-enabled services ENABLED and others DISABLED, named by project number', async () => {
    const storage = await h.ok('GET', '/v1/projects/my-proj/services/storage.googleapis.com');
    assert.equal(storage.name, `projects/${number}/services/storage.googleapis.com`);
    assert.equal(storage.parent, `projects/${number}`);
    assert.equal(storage.state, 'ENABLED');
    const ns = await h.ok('GET', '/v1/projects/my-proj/services/networksecurity.googleapis.com');
    assert.equal(ns.state, 'DISABLED');
    assert.equal(ns.config.name, 'networksecurity.googleapis.com');
  });

  it('enables a service through an operations/* LRO shaped as recorded', async () => {
    const op = await h.ok(
      'POST',
      '/v1/projects/my-proj/services/compute.googleapis.com:enable?alt=json',
      {},
    );
    assert.deepEqual(Object.keys(op), ['name']);
    assert.match(op.name, /^operations\//);
    const first = await h.ok('GET', `/v1/${op.name}`);
    assert.equal(first.done, undefined);
    const done = await h.ok('GET', `/v1/${op.name}`);
    assert.deepEqual(done, {
      name: op.name,
      metadata: { '@type': 'type.googleapis.com/google.protobuf.Empty', value: {} },
      done: true,
      response: {
        '@type': 'type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse',
        service: {
          name: `projects/${number}/services/compute.googleapis.com`,
          parent: `projects/${number}`,
          state: 'ENABLED',
        },
      },
    });
    assert.equal(
      (await h.ok('GET', '/v1/projects/my-proj/services/compute.googleapis.com')).state,
      'ENABLED',
    );
  });

  it('batch-enables services with the recorded BatchEnableServicesResponse', async () => {
    const op = await h.ok('POST', '/v1/projects/my-proj/services:batchEnable', {
      serviceIds: ['networksecurity.googleapis.com', 'certificatemanager.googleapis.com'],
    });
    await h.ok('GET', `/v1/${op.name}`);
    const done = await h.ok('GET', `/v1/${op.name}`);
    assert.deepEqual(done.metadata, {
      '@type': 'type.googleapis.com/google.api.serviceusage.v1.OperationMetadata',
    });
    assert.equal(
      done.response['@type'],
      'type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse',
    );
    assert.deepEqual(
      done.response.services.map((s: any) => [s.name, s.state]),
      [
        [`projects/${number}/services/networksecurity.googleapis.com`, 'ENABLED'],
        [`projects/${number}/services/certificatemanager.googleapis.com`, 'ENABLED'],
      ],
    );
    const tooMany = await h.call('POST', '/v1/projects/my-proj/services:batchEnable', {
      serviceIds: Array.from({ length: 21 }, (_, i) => `s${i}.googleapis.com`),
    });
    assert.equal(tooMany.status, 400);
    const unknown = await h.call('POST', '/v1/projects/my-proj/services/not-a-service:enable', {});
    assert.equal(unknown.status, 403);
    assert.equal(
      unknown.json.error.message,
      'Not found or permission denied for service(s): not-a-service.',
    );
  });

  it('lists enabled services with filter=state:ENABLED', async () => {
    const list = await h.all('/v1/projects/my-proj/services?filter=state%3AENABLED&pageSize=200', 'services');
    const names = list.items.map((s: any) => s.config.name);
    assert.ok(names.includes('compute.googleapis.com'));
    assert.ok(names.includes('networksecurity.googleapis.com'));
    assert.ok(names.includes('serviceusage.googleapis.com'));
    assert.ok(!names.includes('privateca.googleapis.com'));
    assert.ok(list.items.every((s: any) => s.state === 'ENABLED'));
  });

  it('generates the networksecurity service agent, done in the first response', async () => {
    const op = await h.ok(
      'POST',
      '/v1beta1/projects/my-proj/services/networksecurity.googleapis.com:generateServiceIdentity',
      {},
    );
    assert.equal(op.done, true);
    assert.match(op.name, /^operations\//);
    assert.deepEqual(Object.keys(op.response).sort(), ['@type', 'email', 'uniqueId']);
    assert.equal(
      op.response['@type'],
      'type.googleapis.com/google.api.serviceusage.v1beta1.ServiceIdentity',
    );
    assert.equal(
      op.response.email,
      `service-${number}@gcp-sa-networksecurity.iam.gserviceaccount.com`,
    );
    assert.match(op.response.uniqueId, /^\d+$/);
    assert.deepEqual(await h.ok('GET', `/v1/${op.name}`), op);

    const cm = await h.ok(
      'POST',
      '/v1beta1/projects/my-proj/services/certificatemanager.googleapis.com:generateServiceIdentity',
      {},
    );
    assert.equal(
      cm.response.email,
      `service-${number}@gcp-sa-certificatemanager.iam.gserviceaccount.com`,
    );
    const gke = await h.ok(
      'POST',
      '/v1beta1/projects/my-proj/services/container.googleapis.com:generateServiceIdentity',
      {},
    );
    assert.equal(
      gke.response.email,
      `service-${number}@container-engine-robot.iam.gserviceaccount.com`,
    );
  });

  it('lets a project policy name a service agent only once it was generated', async () => {
    const agent = (s: string) =>
      `serviceAccount:service-${number}@gcp-sa-${s}.iam.gserviceaccount.com`;
    const policy = await h.ok('POST', '/v1/projects/my-proj:getIamPolicy', {});
    const grant = (member: string) =>
      h.call('POST', '/v1/projects/my-proj:setIamPolicy', {
        policy: {
          etag: policy.etag,
          bindings: [
            ...policy.bindings,
            { role: 'roles/privateca.certificateManager', members: [member] },
          ],
        },
      });
    assert.equal((await grant(agent('privateca'))).status, 400);
    assert.equal((await grant(agent('networksecurity'))).status, 200);
  });
});
