import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, C, type Client } from './raw-http.js';

// Strict mode (refusing what Google refuses, and what the emulator would
// otherwise silently ignore), the realism switches' error shapes, partial
// responses, batch requests and the /_emulator/ controls, over raw HTTP.

describe('strict mode', () => {
  let h: Client;
  before(async () => {
    h = await client({ strict: { enabled: true, maxPageSize: 2, shuffle: true }, timing: { minPolls: 0 } });
  });
  after(() => h.close());

  it('refuses an unknown body field with a BadRequest naming it, as Google does', async () => {
    const r = await h.call('POST', `${C}/global/networks`, { name: 'n1', autoCreateSubnetworks: false, colour: 'blue' });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /Unknown name "colour" at 'resource': Cannot find field\./);
    assert.equal(r.json.error.details[0].fieldViolations[0].field, 'resource');
  });

  it('refuses a query parameter the method does not have', async () => {
    const r = await h.call('GET', `${C}/global/networks?colour=blue`);
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /Cannot bind query parameter\. Field 'colour' could not be found/);
  });

  it('answers 501 for a parameter it would ignore, and leaves no trace of the request', async () => {
    const r = await h.call('POST', '/v1/projects/p/locations/us-central1/caPools/x/certificateAuthorities/y:enable?$alt=json;enum-encoding=int', {});
    assert.ok(r.status === 404 || r.status === 501, String(r.status));
    const op = await h.call('POST', `${C}/global/networks?requestId=6f1c2a4e-1b2c-4d5e-8f90-123456789abc&$alt=json;enum-encoding=int`,
      { name: 'ghost', autoCreateSubnetworks: false });
    assert.equal(op.status, 501);
    assert.match(op.json.error.message, /\$alt/);
    assert.equal((await h.call('GET', `${C}/global/networks/ghost`)).status, 404);
  });

  it('pages lists small and in a different order each listing, stable within one', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await h.compute('POST', `${C}/global/networks`, { name: `net-${n}`, autoCreateSubnetworks: false });
    const first = await h.ok('GET', `${C}/global/networks`);
    assert.equal(first.items.length, 2);
    assert.ok(first.nextPageToken);
    const orders = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const all = await h.all(`${C}/global/networks`, 'items');
      assert.deepEqual(all.items.map((x: any) => x.name).sort(), ['net-a', 'net-b', 'net-c', 'net-d', 'net-e']);
      orders.add(all.items.map((x: any) => x.name).join());
    }
    assert.ok(orders.size > 1, 'every listing came in the same order');
  });

  it('answers only the fields asked for', async () => {
    const r = await h.ok('GET', `${C}/global/networks/net-a?fields=name,routingConfig/routingMode`);
    assert.deepEqual(Object.keys(r).sort(), ['name']);
  });

  it('serves a batch of compute requests, each answered as if sent alone', async () => {
    const b = 'batch_boundary';
    const part = (id: number, path: string) =>
      `--${b}\r\nContent-Type: application/http\r\nContent-ID: <${id}>\r\n\r\nGET ${path} HTTP/1.1\r\n\r\n`;
    const body = part(1, `${C}/global/networks/net-a`) + part(2, `${C}/global/networks/missing`) + `--${b}--\r\n`;
    const r = await h.call('POST', '/batch/compute/v1', body, { 'content-type': `multipart/mixed; boundary=${b}` });
    assert.equal(r.status, 200);
    const text = r.bytes.toString();
    assert.match(text, /Content-ID: <response-1>[\s\S]*HTTP\/1\.1 200[\s\S]*"name":"net-a"/);
    assert.match(text, /Content-ID: <response-2>[\s\S]*HTTP\/1\.1 404/);
  });
});

describe('realism switches and controls', () => {
  let h: Client;
  before(async () => {
    h = await client({ strict: { enabled: false }, realism: { serviceEnableLag: 2, newServiceAccountDenials: 1, iamConflictEvery: 1 } });
  });
  after(() => h.close());

  it('answers SERVICE_DISABLED with its ErrorInfo while a service is off, and for a while after it is enabled', async () => {
    const off = await h.call('GET', `${C}/global/networks`);
    assert.equal(off.status, 403);
    assert.equal(off.json.error.status, 'PERMISSION_DENIED');
    assert.equal(off.json.error.errors[0].reason, 'accessNotConfigured');
    assert.equal(off.json.error.details[0].reason, 'SERVICE_DISABLED');
    assert.equal(off.json.error.details[0].metadata.service, 'compute.googleapis.com');
    const op = await h.ok('POST', '/v1/projects/p/services/compute.googleapis.com:enable', {});
    await h.ok('GET', `/v1/${op.name}`);
    await h.ok('GET', `/v1/${op.name}`);
    assert.equal((await h.call('GET', `${C}/global/networks`)).status, 403);
    assert.equal((await h.call('GET', `${C}/global/networks`)).status, 403);
    assert.equal((await h.call('GET', `${C}/global/networks`)).status, 200);
  });

  it('makes a new service account 403 on its first read, and a policy write meet a concurrent writer', async () => {
    await h.ok('PUT', '/_emulator/realism', { serviceEnableLag: 0 });
    await h.ok('POST', '/v1/projects/p/serviceAccounts', { accountId: 'nodes-sa' });
    const path = '/v1/projects/p/serviceAccounts/nodes-sa@p.iam.gserviceaccount.com';
    assert.equal((await h.call('GET', path)).status, 403);
    assert.equal((await h.call('GET', path)).status, 200);
    const policy = await h.ok('POST', '/v1/projects/p:getIamPolicy', {});
    const stale = await h.call('POST', '/v1/projects/p:setIamPolicy', { policy });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.status, 'ABORTED');
    const fresh = await h.ok('POST', '/v1/projects/p:getIamPolicy', {});
    assert.notEqual(fresh.etag, policy.etag);
  });

  it('changes settings through /_emulator/ and refuses unknown ones by name', async () => {
    const set = await h.call('PUT', '/_emulator/realism', { iamConflictEvery: 0 });
    assert.equal(set.json.iamConflictEvery, 0);
    const bad = await h.call('PUT', '/_emulator/strict', { enabld: true });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /unknown setting "enabld"/);
    const seeded = await h.ok('POST', '/_emulator/seed', { resources: { 'b/seeded-bucket': { name: 'seeded-bucket' } } });
    assert.equal(seeded.seeded, 1);
    const log = await h.ok('GET', '/_emulator/requests?since=0');
    assert.ok(log.requests.some((q: any) => q.path === '/v1/projects/p:setIamPolicy' && q.status === 409));
  });
});
