import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, type Client } from './raw-http.js';

// Cloud Storage objects: uploads in the forms the googleapis client and
// gcloud send (gcp-api-facts §8), downloads, preconditions and listings.

const SCRIPT = Buffer.from('#!/bin/bash\nset -euo pipefail\necho proxy\n');

function multipartBody(
  meta: unknown,
  media: Buffer,
  type = 'text/x-shellscript',
): { body: Buffer; type: string } {
  const boundary = 'b0undary-7c1e';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\ncontent-type: application/json\r\n\r\n${JSON.stringify(meta)}\r\n`,
    ),
    Buffer.from(`--${boundary}\r\ncontent-type: ${type}\r\n\r\n`),
    media,
    Buffer.from(`\r\n--${boundary}--`),
  ]);
  return { body, type: `multipart/related; boundary=${boundary}` };
}

describe('cloud storage objects', () => {
  let h: Client;
  before(async () => {
    h = await client();
    await h.ok('POST', '/storage/v1/b?project=p', { name: 'dpgce-staging' });
  });
  after(async () => {
    await h.close();
  });

  it('round-trips a media upload and its download, with checksums', async () => {
    const name = 'custom-image-deps/gce-proxy-setup.sh';
    const r = await h.call(
      'POST',
      `/upload/storage/v1/b/dpgce-staging/o?name=${encodeURIComponent(name)}&uploadType=media`,
      SCRIPT,
      { 'content-type': 'text/x-shellscript' },
    );
    assert.equal(r.status, 200);
    const o = r.json;
    assert.equal(o.kind, 'storage#object');
    assert.equal(o.name, name);
    assert.equal(o.size, String(SCRIPT.length));
    assert.equal(o.md5Hash, createHash('md5').update(SCRIPT).digest('base64'));
    assert.match(o.crc32c, /^[A-Za-z0-9+/]{6}==$/);
    assert.equal(o.contentType, 'text/x-shellscript');
    assert.equal(o.metageneration, '1');
    assert.equal(o.id, `dpgce-staging/${name}/${o.generation}`);

    const media = await h.call(
      'GET',
      `/storage/v1/b/dpgce-staging/o/${encodeURIComponent(name)}?alt=media`,
    );
    assert.equal(media.status, 200);
    assert.deepEqual(media.bytes, SCRIPT);
    assert.equal(media.headers.get('content-type'), 'text/x-shellscript');
    const download = await h.call(
      'GET',
      `/download/storage/v1/b/dpgce-staging/o/${encodeURIComponent(name)}?alt=media`,
    );
    assert.deepEqual(download.bytes, SCRIPT);
    const meta = await h.ok('GET', `/storage/v1/b/dpgce-staging/o/${encodeURIComponent(name)}`);
    assert.equal(meta.md5Hash, o.md5Hash);
  });

  it('round-trips a multipart upload, taking metadata from the JSON part', async () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const { body, type } = multipartBody(
      {
        name: 'certs/proxy-ca.pem',
        contentType: 'application/x-pem-file',
        metadata: { 'dpgce-env': 'dev' },
      },
      pem,
      'application/octet-stream',
    );
    const r = await h.call(
      'POST',
      '/upload/storage/v1/b/dpgce-staging/o?uploadType=multipart',
      body,
      { 'content-type': type },
    );
    assert.equal(r.status, 200, r.bytes.toString());
    assert.equal(r.json.contentType, 'application/x-pem-file');
    assert.deepEqual(r.json.metadata, { 'dpgce-env': 'dev' });
    const media = await h.call(
      'GET',
      `/storage/v1/b/dpgce-staging/o/${encodeURIComponent('certs/proxy-ca.pem')}?alt=media`,
    );
    assert.deepEqual(media.bytes, pem);

    const wrong = multipartBody({ name: 'certs/x.pem', md5Hash: 'AAAAAAAAAAAAAAAAAAAAAA==' }, pem);
    const bad = await h.call(
      'POST',
      '/upload/storage/v1/b/dpgce-staging/o?uploadType=multipart',
      wrong.body,
      { 'content-type': wrong.type },
    );
    assert.equal(bad.status, 400);
  });

  it('accepts the LF-only multipart body with a single-quoted boundary that gcloud sends', async () => {
    const b = '===============86543932==';
    const body =
      `--${b}\nContent-Type: application/json\nMIME-Version: 1.0\n\n{"name": "gcloud.txt", "contentType": "text/plain"}\n` +
      `--${b}\nContent-Type: text/plain\nMIME-Version: 1.0\nContent-Transfer-Encoding: binary\n\nhello\n\n--${b}--\n`;
    const r = await h.call(
      'POST',
      '/upload/storage/v1/b/dpgce-staging/o?uploadType=multipart',
      body,
      { 'content-type': `multipart/related; boundary='${b}'` },
    );
    assert.equal(r.status, 200, r.bytes.toString());
    assert.equal(r.json.size, '6');
    const media = await h.call('GET', '/storage/v1/b/dpgce-staging/o/gcloud.txt?alt=media');
    assert.equal(media.bytes.toString(), 'hello\n');
    assert.equal((await h.call('DELETE', '/storage/v1/b/dpgce-staging/o/gcloud.txt')).status, 204);
  });

  it('honours ifGenerationMatch=0 (must not exist) and generation preconditions', async () => {
    const lock = '/upload/storage/v1/b/dpgce-staging/o?name=dpgce.lock&uploadType=media';
    const first = await h.call('POST', `${lock}&ifGenerationMatch=0`, 'run-1', {
      'content-type': 'text/plain',
    });
    assert.equal(first.status, 200);
    const second = await h.call('POST', `${lock}&ifGenerationMatch=0`, 'run-2', {
      'content-type': 'text/plain',
    });
    assert.equal(second.status, 412);
    assert.deepEqual(second.json.error.errors[0], {
      message: 'At least one of the pre-conditions you specified did not hold.',
      domain: 'global',
      reason: 'conditionNotMet',
    });

    const stale = await h.call(
      'DELETE',
      `/storage/v1/b/dpgce-staging/o/dpgce.lock?ifGenerationMatch=1`,
    );
    assert.equal(stale.status, 412);
    const replaced = await h.call(
      'POST',
      `${lock}&ifGenerationMatch=${first.json.generation}`,
      'run-3',
      { 'content-type': 'text/plain' },
    );
    assert.equal(replaced.status, 200);
    assert.ok(BigInt(replaced.json.generation) > BigInt(first.json.generation));
    const notModified = await h.call(
      'GET',
      `/storage/v1/b/dpgce-staging/o/dpgce.lock?ifGenerationNotMatch=${replaced.json.generation}`,
    );
    assert.equal(notModified.status, 304);
    const patched = await h.ok(
      'PATCH',
      `/storage/v1/b/dpgce-staging/o/dpgce.lock?ifMetagenerationMatch=1`,
      { metadata: { holder: 'me' } },
    );
    assert.equal(patched.metageneration, '2');
    const stalePatch = await h.call(
      'PATCH',
      `/storage/v1/b/dpgce-staging/o/dpgce.lock?ifMetagenerationMatch=1`,
      { metadata: {} },
    );
    assert.equal(stalePatch.status, 412);
  });

  it('lists objects without content, by prefix and delimiter', async () => {
    const all = await h.all('/storage/v1/b/dpgce-staging/o', 'items');
    assert.equal(all.first.kind, 'storage#objects');
    assert.deepEqual(
      all.items.map((o: any) => o.name).sort(),
      ['certs/proxy-ca.pem', 'custom-image-deps/gce-proxy-setup.sh', 'dpgce.lock'],
    );
    assert.ok(all.items.every((o: any) => o.data === undefined && o.mediaLink));
    const top = await h.ok('GET', '/storage/v1/b/dpgce-staging/o?delimiter=/');
    assert.deepEqual(top.prefixes, ['certs/', 'custom-image-deps/']);
    assert.deepEqual(
      top.items.map((o: any) => o.name),
      ['dpgce.lock'],
    );
    const certs = await h.ok('GET', '/storage/v1/b/dpgce-staging/o?prefix=certs/');
    assert.deepEqual(
      certs.items.map((o: any) => o.name),
      ['certs/proxy-ca.pem'],
    );
  });

  it('refuses to delete a bucket that still holds objects', async () => {
    const r = await h.call('DELETE', '/storage/v1/b/dpgce-staging');
    assert.equal(r.status, 409);
    assert.equal(r.json.error.message, 'The bucket you tried to delete is not empty.');
    for (const name of [
      'certs/proxy-ca.pem',
      'custom-image-deps/gce-proxy-setup.sh',
      'dpgce.lock',
    ]) {
      assert.equal(
        (await h.call('DELETE', `/storage/v1/b/dpgce-staging/o/${encodeURIComponent(name)}`))
          .status,
        204,
      );
    }
    const missing = await h.call('GET', '/storage/v1/b/dpgce-staging/o/dpgce.lock');
    assert.equal(missing.json.error.message, 'No such object: dpgce-staging/dpgce.lock');
    assert.equal((await h.call('DELETE', '/storage/v1/b/dpgce-staging')).status, 204);
    const gone = await h.call('GET', '/storage/v1/b/dpgce-staging');
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.message, 'The specified bucket does not exist.');
  });
});
