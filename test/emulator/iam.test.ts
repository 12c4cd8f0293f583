import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, type Client } from './raw-http.js';

// IAM service accounts and project IAM against the recorded
// ../shared/reference/gcp-recordings/iam-serviceaccount and
// resourcemanager-project transcripts and gcp-api-facts §7.

const SA = 'dpgce-cluster@my-proj.iam.gserviceaccount.com';

describe('iam service accounts', () => {
  let h: Client;
  before(async () => {
    h = await client();
  });
  after(async () => {
    await h.close();
  });

  it('creates a service account synchronously with the recorded fields', async () => {
    const sa = await h.ok('POST', '/v1/projects/my-proj/serviceAccounts?alt=json', {
      accountId: 'dpgce-cluster',
      serviceAccount: { displayName: 'Test Service Account', description: 'dpgce-env=dev' },
    });
    assert.equal(sa.name, `projects/my-proj/serviceAccounts/${SA}`);
    assert.equal(sa.email, SA);
    assert.equal(sa.projectId, 'my-proj');
    assert.match(sa.uniqueId, /^\d{21}$/);
    assert.equal(sa.oauth2ClientId, sa.uniqueId);
    assert.match(sa.etag, /^[A-Za-z0-9+/]+=*$/);
    assert.equal(sa.displayName, 'Test Service Account');
    assert.equal(sa.description, 'dpgce-env=dev');
    assert.equal(sa.disabled, undefined);
  });

  it('finds an account by email or unique id, also under projects/-', async () => {
    const byEmail = await h.ok('GET', `/v1/projects/-/serviceAccounts/${SA}?alt=json`);
    const byId = await h.ok('GET', `/v1/projects/my-proj/serviceAccounts/${byEmail.uniqueId}`);
    assert.equal(byId.email, SA);
    const list = await h.ok('GET', '/v1/projects/my-proj/serviceAccounts?pageSize=100');
    assert.deepEqual(
      list.accounts.map((a: any) => a.email),
      [SA],
    );
  });

  it('answers a duplicate with the recorded 409 text', async () => {
    const r = await h.call('POST', '/v1/projects/my-proj/serviceAccounts', {
      accountId: 'dpgce-cluster',
    });
    assert.equal(r.status, 409);
    assert.equal(
      r.json.error.message,
      'Service account dpgce-cluster already exists within project projects/my-proj.',
    );
    assert.equal(r.json.error.status, 'ALREADY_EXISTS');
    assert.equal(r.json.error.errors[0].reason, 'alreadyExists');
  });

  it('checks the accountId length and form', async () => {
    const short = await h.call('POST', '/v1/projects/my-proj/serviceAccounts', {
      accountId: 'abc',
    });
    assert.equal(short.status, 400);
    assert.equal(
      short.json.error.message,
      'The account ID "abc" does not have a length between 6 and 30.',
    );
    const bad = await h.call('POST', '/v1/projects/my-proj/serviceAccounts', {
      accountId: 'Bad_Account',
    });
    assert.equal(bad.status, 400);
  });

  it('answers a PATCH with the name and the changed field only', async () => {
    const r = await h.ok('PATCH', `/v1/projects/my-proj/serviceAccounts/${SA}`, {
      serviceAccount: { description: 'Updated Description' },
      updateMask: 'description',
    });
    assert.deepEqual(r, {
      description: 'Updated Description',
      name: `projects/my-proj/serviceAccounts/${SA}`,
    });
    assert.equal(
      (await h.ok('GET', `/v1/projects/-/serviceAccounts/${SA}`)).displayName,
      'Test Service Account',
    );
  });

  it('keeps the account IAM policy: empty ACAB etag, getIamPolicy logged as non-mutating, stale etag refused', async () => {
    const empty = await h.ok('POST', `/v1/projects/my-proj/serviceAccounts/${SA}:getIamPolicy`, {});
    assert.deepEqual(empty, { version: 1, etag: 'ACAB' });
    const set = await h.ok('POST', `/v1/projects/my-proj/serviceAccounts/${SA}:setIamPolicy`, {
      policy: {
        bindings: [{ role: 'roles/iam.serviceAccountUser', members: ['user:ops@example.com'] }],
        etag: 'ACAB',
      },
    });
    assert.notEqual(set.etag, 'ACAB');
    const stale = await h.call('POST', `/v1/projects/my-proj/serviceAccounts/${SA}:setIamPolicy`, {
      policy: { bindings: [], etag: 'ACAB' },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.status, 'ABORTED');

    const log = h.emu.requests.filter((e) => e.path.endsWith(':getIamPolicy'));
    assert.deepEqual(
      log.map((e) => [e.api, e.mutating]),
      [['iam', false]],
    );
    assert.equal(h.emu.requests.find((e) => e.path.endsWith(':setIamPolicy'))?.mutating, true);
  });

  it('deletes an account, after which it is unknown', async () => {
    assert.deepEqual(await h.ok('DELETE', `/v1/projects/-/serviceAccounts/${SA}`), {});
    const r = await h.call('GET', `/v1/projects/-/serviceAccounts/${SA}`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.message, 'Unknown service account');
    assert.equal(r.json.error.errors[0].reason, 'notFound');
  });
});

describe('resource manager projects', () => {
  let h: Client;
  before(async () => {
    h = await client();
  });
  after(async () => {
    await h.close();
  });

  it('reads a project with its stable number, in v1 and v3', async () => {
    const v1 = await h.ok('GET', '/v1/projects/my-proj?alt=json');
    assert.equal(v1.projectId, 'my-proj');
    assert.equal(v1.lifecycleState, 'ACTIVE');
    assert.equal((await h.ok('GET', '/v1/projects/my-proj')).projectNumber, v1.projectNumber);
    assert.match(v1.projectNumber, /^\d{12}$/);
    const v3 = await h.ok('GET', '/v3/projects/my-proj');
    assert.equal(v3.name, `projects/${v1.projectNumber}`);
    assert.equal(v3.state, 'ACTIVE');
  });

  it('starts with an owner binding and refuses a write with a stale etag (409 ABORTED)', async () => {
    const policy = await h.ok('POST', '/v1/projects/my-proj:getIamPolicy', {
      options: { requestedPolicyVersion: 3 },
    });
    assert.equal(policy.version, 1);
    assert.ok(policy.bindings.some((b: any) => b.role === 'roles/owner' && b.members.length === 1));
    await h.ok('POST', '/v1/projects/my-proj/serviceAccounts', { accountId: 'dpgce-cluster' });

    const bindings = [
      ...policy.bindings,
      { role: 'roles/dataproc.worker', members: [`serviceAccount:${SA}`] },
    ];
    const set = await h.ok('POST', '/v1/projects/my-proj:setIamPolicy', {
      policy: { bindings, etag: policy.etag, version: 3 },
    });
    assert.equal(set.version, 1);
    assert.notEqual(set.etag, policy.etag);
    const again = await h.ok('POST', '/v3/projects/my-proj:getIamPolicy', {});
    assert.deepEqual(again, set);

    const urlSafe = set.etag.replace(/\+/g, '-').replace(/\//g, '_');
    const viaGcloud = await h.ok('POST', '/v1/projects/my-proj:setIamPolicy', {
      policy: { bindings, etag: urlSafe },
    });
    assert.notEqual(viaGcloud.etag, set.etag);
    const stale = await h.call('POST', '/v1/projects/my-proj:setIamPolicy', {
      policy: { bindings, etag: policy.etag },
    });
    assert.equal(stale.status, 409);
    assert.deepEqual(stale.json, {
      error: {
        code: 409,
        status: 'ABORTED',
        message:
          'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      },
    });
    assert.equal(
      h.emu.requests.find((e) => e.path === '/v1/projects/my-proj:getIamPolicy')?.mutating,
      false,
    );
  });

  it('refuses a binding for a service account that does not exist', async () => {
    const policy = await h.ok('POST', '/v1/projects/my-proj:getIamPolicy', {});
    const r = await h.call('POST', '/v1/projects/my-proj:setIamPolicy', {
      policy: {
        etag: policy.etag,
        bindings: [
          ...policy.bindings,
          {
            role: 'roles/logging.logWriter',
            members: ['serviceAccount:ghost-sa@my-proj.iam.gserviceaccount.com'],
          },
        ],
      },
    });
    assert.equal(r.status, 400);
    assert.equal(
      r.json.error.message,
      'Service account ghost-sa@my-proj.iam.gserviceaccount.com does not exist.',
    );
  });
});
