import 'reflect-metadata';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { emulator, P, poolWithRoot, type Http } from './lro-client.js';

// Certificate Authority Service: behaviour recorded in
// ../shared/reference/gcp-recordings/{privateca-capool,privateca-capool-iam,
// certificatemanager-issuanceconfig} plus the state rules of gcp-api-facts §6.

const TYPE = 'type.googleapis.com/google.cloud.security.privateca.v1.';

describe('privateca emulator', () => {
  let h: Http;
  before(async () => { h = await emulator(); });
  after(async () => { await h.close(); });

  it('creates a pool through an operation that is not done on its first poll', async () => {
    const op = await h.ok('POST', `/v1/${P}/caPools?caPoolId=first&requestId=r-1`, {
      tier: 'DEVOPS', publishingOptions: { encodingFormat: 'PEM', publishCaCert: true, publishCrl: false } });
    assert.equal(op.done, undefined);
    assert.equal(op.metadata['@type'], `${TYPE}OperationMetadata`);
    assert.equal(op.metadata.verb, 'create');
    assert.equal(op.metadata.target, `${P}/caPools/first`);
    const firstPoll = await h.ok('GET', `/v1/${op.name}`);
    assert.equal(firstPoll.done, undefined);
    const final = await h.wait(op);
    assert.deepEqual(final.response, {
      '@type': `${TYPE}CaPool`, name: `${P}/caPools/first`, tier: 'DEVOPS',
      publishingOptions: { encodingFormat: 'PEM', publishCaCert: true },
    });
    assert.ok(final.metadata.endTime);
  });

  it('replays a create retried with the same requestId', async () => {
    const again = await h.ok('POST', `/v1/${P}/caPools?caPoolId=first&requestId=r-1`, { tier: 'DEVOPS' });
    const fresh = await h.call('POST', `/v1/${P}/caPools?caPoolId=first&requestId=r-2`, { tier: 'DEVOPS' });
    assert.equal(again.metadata.target, `${P}/caPools/first`);
    assert.equal(fresh.status, 409);
    assert.equal(fresh.json.error.status, 'ALREADY_EXISTS');
  });

  it('refuses CRL publication on a DEVOPS pool and a missing tier', async () => {
    const crl = await h.call('POST', `/v1/${P}/caPools?caPoolId=crl`, { tier: 'DEVOPS', publishingOptions: { publishCrl: true } });
    assert.equal(crl.status, 400);
    assert.equal(crl.json.error.status, 'FAILED_PRECONDITION');
    const noTier = await h.call('POST', `/v1/${P}/caPools?caPoolId=notier`, {});
    assert.equal(noTier.status, 400);
  });

  it('answers a missing pool with the recorded 404 text', async () => {
    const r = await h.call('GET', `/v1/${P}/caPools/nope`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: { code: 404, message: `Resource '${P}/caPools/nope' was not found`, status: 'NOT_FOUND' } });
  });

  it('creates a CA STAGED, enables it, and refuses to delete it while ENABLED', async () => {
    await h.done('POST', `/v1/${P}/caPools?caPoolId=life`, { tier: 'DEVOPS' });
    const created = await h.done('POST', `/v1/${P}/caPools/life/certificateAuthorities?certificateAuthorityId=ca1`, {
      type: 'SELF_SIGNED', lifetime: '86400s', keySpec: { algorithm: 'EC_P256_SHA256' },
      config: { subjectConfig: { subject: { commonName: 'life-ca' }, subjectAltName: {} },
        x509Config: { caOptions: { isCa: true }, keyUsage: { baseKeyUsage: { certSign: true, crlSign: true }, extendedKeyUsage: {} } } },
    });
    assert.equal(created.response['@type'], `${TYPE}CertificateAuthority`);
    assert.equal(created.response.state, 'STAGED');
    assert.equal(created.response.tier, 'DEVOPS');
    assert.deepEqual(created.response.config.x509Config.keyUsage, { baseKeyUsage: { certSign: true, crlSign: true } });
    assert.equal(created.response.caCertificateDescriptions[0].subjectDescription.subject.commonName, 'life-ca');

    const enabled = await h.done('POST', `/v1/${P}/caPools/life/certificateAuthorities/ca1:enable`, { requestId: 'e-1' });
    assert.equal(enabled.metadata.verb, 'enable');
    assert.equal(enabled.response.state, 'ENABLED');

    const refused = await h.wait(await h.ok('DELETE', `/v1/${P}/caPools/life/certificateAuthorities/ca1?skipGracePeriod=true`));
    assert.equal(refused.error.code, 9);
    assert.match(refused.error.message, /DISABLED or STAGED/);
    assert.equal((await h.ok('GET', `/v1/${P}/caPools/life/certificateAuthorities/ca1`)).state, 'ENABLED');
  });

  it('lets the pool go once its CA is disabled and deleted with skipGracePeriod', async () => {
    const ca = `/v1/${P}/caPools/life/certificateAuthorities/ca1`;
    const disabled = await h.done('POST', `${ca}:disable`, { requestId: 'd-1', ignoreDependentResources: false });
    assert.equal(disabled.response.state, 'DISABLED');
    const deleted = await h.done('DELETE',
      `${ca}?ignoreActiveCertificates=True&ignoreDependentResources=False&requestId=x-1&skipGracePeriod=True`);
    assert.equal(deleted.response['@type'], `${TYPE}CertificateAuthority`);
    assert.equal(deleted.response.state, 'DELETED');
    assert.ok(deleted.response.deleteTime && deleted.response.expireTime);
    assert.equal((await h.call('GET', ca)).status, 404);
    const gone = await h.done('DELETE', `/v1/${P}/caPools/life?ignoreDependentResources=False&requestId=x-2`);
    assert.deepEqual(gone.response, { '@type': 'type.googleapis.com/google.protobuf.Empty' });
  });

  it('keeps a CA deleted without skipGracePeriod for 30 days: it blocks its pool and its name', async () => {
    await poolWithRoot(h, 'graced', 'root');
    const ca = `/v1/${P}/caPools/graced/certificateAuthorities/root`;
    await h.done('POST', `${ca}:disable`, {});
    const deleted = await h.done('DELETE', ca);
    const days = (Date.parse(deleted.response.expireTime) - Date.parse(deleted.response.deleteTime)) / 86_400_000;
    assert.equal(Math.round(days), 30);
    assert.equal((await h.ok('GET', ca)).state, 'DELETED');

    const poolDelete = await h.call('DELETE', `/v1/${P}/caPools/graced?ignoreDependentResources=true`);
    assert.equal(poolDelete.status, 400);
    assert.equal(poolDelete.json.error.status, 'FAILED_PRECONDITION');

    const reuse = await h.call('POST', `/v1/${P}/caPools/graced/certificateAuthorities?certificateAuthorityId=root`, {
      type: 'SELF_SIGNED', lifetime: '86400s', keySpec: { algorithm: 'EC_P256_SHA256' },
      config: { subjectConfig: { subject: { commonName: 'again' } },
        x509Config: { caOptions: { isCa: true }, keyUsage: { baseKeyUsage: { certSign: true } } } } });
    assert.equal(reuse.status, 409);
    assert.equal(reuse.json.error.status, 'ALREADY_EXISTS');
  });

  it('fetchCaCerts returns a real CA certificate with the configured subject', async () => {
    await poolWithRoot(h, 'pem', 'root');
    const r = await h.ok('POST', `/v1/${P}/caPools/pem:fetchCaCerts`, { requestId: 'f-1' });
    assert.equal(r.caCerts.length, 1);
    const pem: string = r.caCerts[0].certificates[0];
    const cert = new X509Certificate(pem);
    assert.equal(cert.ca, true);
    assert.match(cert.subject, /CN=swp-ca\.internal\.local/);
    assert.equal(cert.checkIssued(cert), true);
    const parsed = new x509.X509Certificate(pem);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    assert.ok(usage && (usage.usages & x509.KeyUsageFlags.keyCertSign));
    const logged = h.emu.requests.filter((e) => e.path.endsWith(':fetchCaCerts'));
    assert.deepEqual(logged.map((e) => e.mutating), [false]);
  });

  it('serves pool IAM as recorded: GET getIamPolicy, etag conflicts are 409 ABORTED', async () => {
    const iam = `/v1/${P}/caPools/pem`;
    const empty = await h.ok('GET', `${iam}:getIamPolicy?options.requestedPolicyVersion=3`);
    assert.deepEqual(Object.keys(empty), ['etag']);
    const member = 'serviceAccount:sa@p.iam.gserviceaccount.com';
    const set = await h.ok('POST', `${iam}:setIamPolicy`, { policy: {
      bindings: [{ role: 'roles/privateca.admin', members: [member] }], etag: empty.etag } });
    assert.equal(set.version, 1);
    assert.deepEqual(set.bindings, [{ role: 'roles/privateca.admin', members: [member] }]);
    assert.notEqual(set.etag, empty.etag);
    const urlSafe = set.etag.replace(/\+/g, '-').replace(/\//g, '_');
    const again = await h.call('POST', `${iam}:setIamPolicy`, { policy: { bindings: set.bindings, etag: urlSafe } });
    assert.equal(again.status, 200, 'gcloud sends the etag bytes back URL-safe');
    set.etag = again.json.etag;
    const stale = await h.call('POST', `${iam}:setIamPolicy`, { policy: { bindings: [], etag: empty.etag } });
    assert.equal(empty.etag, 'ACAB');
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.status, 'ABORTED');
    const bad = await h.call('POST', `${iam}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/x', members: ['bob'] }] } });
    assert.equal(bad.status, 400);
    const gets = h.emu.requests.filter((e) => e.path.endsWith(':getIamPolicy'));
    assert.ok(gets.length > 0 && gets.every((e) => e.mutating === false));
  });

  it('lists pools and CAs across locations and pools with the `-` wildcard, as gcloud asks', async () => {
    const pools = await h.ok('GET', '/v1/projects/p/locations/-/caPools');
    assert.ok(pools.caPools.some((p: any) => p.name === `${P}/caPools/pem`));
    const cas = await h.ok('GET', `/v1/${P}/caPools/-/certificateAuthorities`);
    assert.ok(cas.certificateAuthorities.some((c: any) => c.name === `${P}/caPools/pem/certificateAuthorities/root`));
  });

  it('rejects a CA whose config is not a CA certificate', async () => {
    const r = await h.call('POST', `/v1/${P}/caPools/pem/certificateAuthorities?certificateAuthorityId=leafy`, {
      type: 'SELF_SIGNED', lifetime: '86400s', keySpec: { algorithm: 'EC_P256_SHA256' },
      config: { subjectConfig: { subject: { commonName: 'x' } }, x509Config: { caOptions: { isCa: false } } } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
  });
});
