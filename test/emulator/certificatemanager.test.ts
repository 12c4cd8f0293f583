import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { emulator, grant, P, poolWithRoot, type Http } from './lro-client.js';

// Certificate Manager: recorded in ../shared/reference/gcp-recordings/
// certificatemanager-{issuanceconfig,certificate-selfmanaged}; issuance from
// a CA pool per gcp-api-facts §18.4.

const TYPE = 'type.googleapis.com/google.cloud.certificatemanager.v1.';

async function selfSigned(cn: string): Promise<{ cert: string; key: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${cn}`, keys, signingAlgorithm: alg, notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: cn }])],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

describe('certificatemanager emulator', () => {
  let h: Http;
  let number: string;
  before(async () => {
    h = await emulator();
    await poolWithRoot(h, 'swp', 'root');
    number = '';
  });
  after(async () => { await h.close(); });

  it('creates an issuance config whose caPool comes back with the project number', async () => {
    const op = await h.ok('POST', `/v1/${P}/certificateIssuanceConfigs?certificateIssuanceConfigId=cic`, {
      certificateAuthorityConfig: { certificateAuthorityServiceConfig: { caPool: `${P}/caPools/swp` } },
      description: 'Test', keyAlgorithm: 'RSA_2048', labels: { foo: 'bar' }, lifetime: '2592000s',
      rotationWindowPercentage: 66,
    });
    assert.equal(op.metadata['@type'], `${TYPE}OperationMetadata`);
    const done = await h.wait(op);
    assert.equal(done.response['@type'], `${TYPE}CertificateIssuanceConfig`);
    const pool: string = done.response.certificateAuthorityConfig.certificateAuthorityServiceConfig.caPool;
    number = pool.split('/')[1];
    assert.match(number, /^\d{12}$/);
    assert.equal(pool, `projects/${number}/locations/us-central1/caPools/swp`);
    const got = await h.ok('GET', `/v1/${P}/certificateIssuanceConfigs/cic`);
    assert.deepEqual(Object.keys(got).sort(), ['certificateAuthorityConfig', 'createTime', 'description', 'keyAlgorithm',
      'labels', 'lifetime', 'name', 'rotationWindowPercentage', 'updateTime']);
    const all = await h.ok('GET', '/v1/projects/p/locations/-/certificateIssuanceConfigs');
    assert.deepEqual(all.certificateIssuanceConfigs.map((c: any) => c.name), [`${P}/certificateIssuanceConfigs/cic`]);
  });

  it('refuses an issuance config on a pool that does not exist, naming the field', async () => {
    const r = await h.call('POST', `/v1/${P}/certificateIssuanceConfigs?certificateIssuanceConfigId=bad`, {
      certificateAuthorityConfig: { certificateAuthorityServiceConfig: { caPool: `${P}/caPools/missing` } },
      keyAlgorithm: 'RSA_2048', lifetime: '2592000s', rotationWindowPercentage: 66 });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.details[0].fieldViolations[0].field,
      'certificate_authority_config.certificate_authority_service_config.ca_pool');
  });

  it('answers a missing certificate with Certificate Manager\'s own 404 text', async () => {
    const r = await h.call('GET', `/v1/${P}/certificates/nope`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.json.error, { code: 404, message: `certificate "${P}/certificates/nope" not found`, status: 'NOT_FOUND' });
  });

  it('issues a managed certificate only once the certificatemanager agent may request from the pool', async () => {
    const created = await h.done('POST', `/v1/${P}/certificates?certificateId=swp`, {
      managed: { domains: ['swp.internal.example'], issuanceConfig: `${P}/certificateIssuanceConfigs/cic` } });
    assert.equal(created.response['@type'], `${TYPE}Certificate`);
    assert.equal(created.response.managed.state, 'PROVISIONING');
    assert.deepEqual(created.response.sanDnsnames, ['swp.internal.example']);

    const waiting = await h.ok('GET', `/v1/${P}/certificates/swp`);
    assert.equal(waiting.managed.state, 'PROVISIONING');
    assert.match(waiting.managed.provisioningIssue.details, /privateca\.certificates\.create/);
    assert.equal(waiting.pemCertificate, undefined);

    await grant(h, 'swp', `serviceAccount:service-${number}@gcp-sa-certificatemanager.iam.gserviceaccount.com`,
      'roles/privateca.certificateRequester');
    const active = await h.ok('GET', `/v1/${P}/certificates/swp`);
    assert.equal(active.managed.state, 'ACTIVE');
    assert.equal(active.managed.provisioningIssue, undefined);
    const [leafPem, caPem] = active.pemCertificate.split(/(?<=-----END CERTIFICATE-----\n)/);
    const leaf = new X509Certificate(leafPem);
    const ca = new X509Certificate(caPem);
    assert.equal(leaf.checkIssued(ca), true);
    assert.equal(leaf.verify(ca.publicKey), true);
    assert.equal(leaf.ca, false);
    assert.match(leaf.subjectAltName ?? '', /DNS:swp\.internal\.example/);
    assert.equal(Date.parse(active.expireTime), Date.parse(leaf.validTo));
    const issued = await h.ok('GET', `/v1/${P}/caPools/swp/certificates`);
    assert.equal(issued.certificates.length, 1);
  });

  it('makes the issuing CA refuse deletion while the certificate is active, unless told to ignore it', async () => {
    const ca = `/v1/${P}/caPools/swp/certificateAuthorities/root`;
    const disable = await h.call('POST', `${ca}:disable`, {});
    assert.equal(disable.status, 400, 'the last enabled CA of a pool used by an issuance config');
    await h.done('POST', `${ca}:disable`, { ignoreDependentResources: true });
    const refused = await h.wait(await h.ok('DELETE', `${ca}?skipGracePeriod=true`));
    assert.equal(refused.error.code, 9);
    assert.match(refused.error.message, /^CA has un-revoked or un-expired certificates/);
    await h.done('DELETE', `${ca}?skipGracePeriod=true&ignoreActiveCertificates=true`);
  });

  it('stores a self-managed certificate without its key and updates it through a global operation', async () => {
    const { cert, key } = await selfSigned('selfie.example');
    const op = await h.done('POST', '/v1/projects/p/locations/europe-west1/certificates?certificateId=selfie', {
      description: 'regional', labels: { a: 'b' }, selfManaged: { pemCertificate: cert, pemPrivateKey: key } });
    assert.deepEqual(op.response.selfManaged, { pemCertificate: cert });
    const got = await h.ok('GET', '/v1/projects/p/locations/europe-west1/certificates/selfie');
    assert.equal(JSON.stringify(got).includes('PRIVATE KEY'), false);
    assert.deepEqual(got.sanDnsnames, ['selfie.example']);
    assert.equal(got.pemCertificate, cert);
    const upd = await h.ok('PATCH', '/v1/projects/p/locations/europe-west1/certificates/selfie?updateMask=description%2Clabels',
      { description: 'updated', labels: { a: 'c' }, selfManaged: { pemCertificate: cert } });
    assert.match(upd.name, /^projects\/p\/locations\/global\/operations\//);
    assert.equal(upd.metadata.verb, 'update');
    assert.equal((await h.wait(upd)).response.description, 'updated');
    const everywhere = await h.ok('GET', '/v1/projects/p/locations/-/certificates');
    assert.deepEqual(everywhere.certificates.map((c: any) => c.name).sort(),
      ['projects/p/locations/europe-west1/certificates/selfie', `${P}/certificates/swp`]);
    const mismatch = await h.call('POST', '/v1/projects/p/locations/europe-west1/certificates?certificateId=bad',
      { selfManaged: { pemCertificate: cert, pemPrivateKey: (await selfSigned('other')).key } });
    assert.equal(mismatch.status, 400);
  });

  it('refuses to delete an issuance config a certificate still uses', async () => {
    const r = await h.call('DELETE', `/v1/${P}/certificateIssuanceConfigs/cic`);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.status, 'FAILED_PRECONDITION');
    await h.done('DELETE', `/v1/${P}/certificates/swp`);
    const gone = await h.done('DELETE', `/v1/${P}/certificateIssuanceConfigs/cic`);
    assert.deepEqual(gone.response, { '@type': 'type.googleapis.com/google.protobuf.Empty' });
  });
});
