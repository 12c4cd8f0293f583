import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, type Client } from './raw-http.js';

// The caller's permissions: every testIamPermissions / testPermissions
// method answers from the one `/_emulator/caller` setting, leaving out the
// permissions taken away and keeping the order asked; by default the caller
// holds everything (the project owner).

const PROJECT = 'dpgce-caller';
const DENIED = ['storage.objects.create', 'privateca.caPools.setIamPolicy', 'compute.networks.create'];

describe('the caller setting, across every testIamPermissions', () => {
  let h: Client;
  let sites: { name: string; ask: (p: string[]) => Promise<string[] | undefined> }[];
  before(async () => {
    h = await client({ strict: { enabled: true }, timing: { minPolls: 0 } });
    await h.ok('POST', `/storage/v1/b?project=${PROJECT}`, { name: 'dpgce-caller-bucket' });
    await h.ok('POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'caller-sa', serviceAccount: {} });
    await h.ok('POST', `/v1/projects/${PROJECT}/secrets?secretId=s1`, { replication: { automatic: {} } });
    let op = await h.ok('POST', `/v1/projects/${PROJECT}/locations/us-central1/caPools?caPoolId=pool`, { tier: 'DEVOPS' });
    while (!op.done) op = await h.ok('GET', `/v1/${op.name}`);
    const post = (path: string) => async (permissions: string[]) =>
      (await h.ok('POST', path, { permissions })).permissions;
    sites = [
      { name: 'resourcemanager v1', ask: post(`/v1/projects/${PROJECT}:testIamPermissions`) },
      { name: 'resourcemanager v3', ask: post(`/v3/projects/${PROJECT}:testIamPermissions`) },
      { name: 'iam', ask: post(`/v1/projects/${PROJECT}/serviceAccounts/caller-sa@${PROJECT}.iam.gserviceaccount.com:testIamPermissions`) },
      { name: 'secretmanager', ask: post(`/v1/projects/${PROJECT}/secrets/s1:testIamPermissions`) },
      { name: 'privateca', ask: post(`/v1/projects/${PROJECT}/locations/us-central1/caPools/pool:testIamPermissions`) },
      { name: 'storage', ask: async (permissions) => {
        const q = permissions.map((p) => `permissions=${p}`).join('&');
        const r = await h.ok('GET', `/storage/v1/b/dpgce-caller-bucket/iam/testPermissions?${q}`);
        assert.equal(r.kind, 'storage#testIamPermissionsResponse');
        return r.permissions;
      } },
    ];
  });
  after(() => h.close());

  it('grants everything asked by default', async () => {
    assert.deepEqual(await h.ok('GET', '/_emulator/caller'), { deniedPermissions: [] });
    for (const site of sites) assert.deepEqual(await site.ask(['a.b.c', ...DENIED]), ['a.b.c', ...DENIED], site.name);
  });

  it('leaves out denied permissions everywhere, and answers none held as an empty message', async () => {
    await h.ok('PUT', '/_emulator/caller', { deniedPermissions: DENIED });
    for (const site of sites) {
      assert.deepEqual(await site.ask(['x.y.get', ...DENIED, 'x.y.list']), ['x.y.get', 'x.y.list'], site.name);
      assert.equal(await site.ask(DENIED), undefined, `${site.name}: no permissions field`);
    }
  });

  it('refuses a malformed setting with a 400 naming it', async () => {
    const unknown = await h.call('PUT', '/_emulator/caller', { roles: [] });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /unknown setting "roles"/);
    assert.equal((await h.call('PUT', '/_emulator/caller', { deniedPermissions: ['not a permission'] })).status, 400);
  });
});
