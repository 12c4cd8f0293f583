import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exchanges, recordingMissing } from '../helpers/recording.js';
import { emulator, type Http } from './lro-client.js';

// The Secret Manager emulator over raw HTTP: the recorded secret lifecycle
// (gcp-recordings/secretmanager-secret), versions and access with CRC32C,
// the state rules of `latest`, and secret-level IAM.

const PROJECT = 'dpgce-test';
const S = `/v1/projects/${PROJECT}/secrets`;
const SKIP = recordingMissing('secretmanager-secret');
if (SKIP) console.log(`# skipped: ${SKIP}`);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('Secret Manager secrets, as recorded', { skip: SKIP }, () => {
  let h: Http;
  let number: string;
  before(async () => {
    h = await emulator();
    number = h.emu.store ? (await h.ok('GET', `/v1/projects/${PROJECT}`)).projectNumber : '';
  });
  after(() => h.close());

  it('follows the recorded 404, create, get and delete', async () => {
    const rec = exchanges('secretmanager-secret', {
      projectId: PROJECT,
      projectNumber: number,
      uniqueId: 'abc',
    });
    const id = 'secretmanagersecret-abc';
    const missing = await h.call('GET', `${S}/${id}`);
    assert.equal(missing.status, rec[0].status);
    assert.deepEqual(missing.json, rec[0].response);

    const created = await h.ok('POST', `${S}?secretId=${id}`, rec[1].request);
    const want = rec[1].response;
    assert.deepEqual(Object.keys(created).sort(), Object.keys(want).sort());
    assert.equal(created.name, want.name, 'the name carries the project number');
    assert.deepEqual(created.labels, want.labels);
    assert.deepEqual(created.replication, want.replication);
    assert.deepEqual(await h.ok('GET', `${S}/${id}`), created);

    const gone = await h.ok('DELETE', `${S}/${id}`);
    assert.deepEqual(gone, rec.at(-1)!.response);
    assert.equal((await h.call('GET', `${S}/${id}`)).status, 404);
  });
});

describe('Secret Manager versions and rules', () => {
  let h: Http;
  let number: string;
  before(async () => {
    h = await emulator();
    number = (await h.ok('GET', `/v1/projects/${PROJECT}`)).projectNumber;
    await h.ok('POST', `${S}?secretId=tok`, {
      replication: { automatic: {} },
      labels: { 'dpgce-env': 'x' },
    });
  });
  after(() => h.close());

  it('refuses a duplicate, a missing replication and bad labels', async () => {
    const dup = await h.call('POST', `${S}?secretId=tok`, { replication: { automatic: {} } });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.message, `Secret [projects/${number}/secrets/tok] already exists.`);
    assert.equal((await h.call('POST', `${S}?secretId=norep`, {})).status, 400);
    assert.equal(
      (
        await h.call('POST', `${S}?secretId=lab`, {
          replication: { automatic: {} },
          labels: { Bad: 'x' },
        })
      ).status,
      400,
    );
    assert.equal(
      (await h.call('POST', `${S}?secretId=bad.id`, { replication: { automatic: {} } })).status,
      400,
    );
  });

  it('adds versions from 1, checks and reports CRC32C, and serves latest', async () => {
    // CRC32C("token-v1") = 3113634025, as a recorded access response carries it (gcp-api-facts §18.5).
    const v1 = await h.ok('POST', `${S}/tok:addVersion`, {
      payload: { data: b64('token-v1'), dataCrc32c: '3113634025' },
    });
    assert.equal(v1.name, `projects/${number}/secrets/tok/versions/1`);
    assert.equal(v1.state, 'ENABLED');
    assert.deepEqual(v1.replicationStatus, { automatic: {} });
    const bad = await h.call('POST', `${S}/tok:addVersion`, {
      payload: { data: b64('token-v2'), dataCrc32c: '1' },
    });
    assert.equal(bad.status, 400);
    const v2 = await h.ok('POST', `${S}/tok:addVersion`, { payload: { data: b64('token-v2') } });
    assert.match(v2.name, /\/versions\/2$/);

    const latest = await h.ok('GET', `${S}/tok/versions/latest:access`);
    assert.equal(latest.name, v2.name);
    assert.equal(Buffer.from(latest.payload.data, 'base64').toString(), 'token-v2');
    const first = await h.ok('GET', `${S}/tok/versions/1:access`);
    assert.deepEqual(first.payload, { data: b64('token-v1'), dataCrc32c: '3113634025' });
    const meta = await h.ok('GET', `${S}/tok/versions/1`);
    assert.equal(meta.payload, undefined, 'a version GET never shows the data');
  });

  it('does not skip a disabled latest version, and destroys for good', async () => {
    await h.ok('POST', `${S}/tok/versions/2:disable`, {});
    const r = await h.call('GET', `${S}/tok/versions/latest:access`);
    assert.equal(r.status, 400);
    assert.deepEqual(r.json.error, {
      code: 400,
      status: 'FAILED_PRECONDITION',
      message: `Secret Version [projects/${number}/secrets/tok/versions/2] is in DISABLED state.`,
    });
    await h.ok('POST', `${S}/tok/versions/2:enable`, {});
    const destroyed = await h.ok('POST', `${S}/tok/versions/2:destroy`, {});
    assert.equal(destroyed.state, 'DESTROYED');
    assert.ok(destroyed.destroyTime);
    assert.equal((await h.call('POST', `${S}/tok/versions/2:enable`, {})).status, 400);
    const missing = await h.call('GET', `${S}/tok/versions/9`);
    assert.equal(missing.status, 404);
    assert.equal(
      missing.json.error.message,
      `Secret Version [projects/${number}/secrets/tok/versions/9] not found.`,
    );
  });

  it('keeps an IAM policy per secret, refusing a stale etag', async () => {
    const empty = await h.ok('GET', `${S}/tok:getIamPolicy?options.requestedPolicyVersion=3`);
    const member = 'user:someone@example.com';
    const set = await h.ok('POST', `${S}/tok:setIamPolicy`, {
      policy: {
        etag: empty.etag,
        bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [member] }],
      },
    });
    assert.deepEqual(set.bindings, [
      { role: 'roles/secretmanager.secretAccessor', members: [member] },
    ]);
    const stale = await h.call('POST', `${S}/tok:setIamPolicy`, {
      policy: { etag: empty.etag, bindings: [] },
    });
    assert.equal(stale.status, 409);
    assert.deepEqual((await h.ok('GET', `${S}/tok:getIamPolicy`)).bindings, set.bindings);
  });
});
