import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import {
  certificateFromPayload,
  certificatePayload,
  certModulusMd5,
  checkedMaterial,
  generateSigningMaterial,
  keyModulusMd5,
  readCertificate,
  type SigningMaterial,
} from '../../src/resources/signing-keys.js';

// The module-signing key pair: generated with node:crypto and
// @peculiar/x509, fingerprinted the way `openssl rsa|x509 -noout -modulus |
// openssl md5` does it (the GPU driver action compares that value), and
// stored in the forms the action reads.

describe('module-signing keys', () => {
  let m: SigningMaterial;
  before(async () => {
    m = await generateSigningMaterial('dpgce test signing');
  });

  it('makes an RSA 3072 key and a self-signed SHA-256 CA certificate valid ten years', () => {
    const cert = new X509Certificate(m.certificateDer);
    assert.equal(cert.subject, 'CN=dpgce test signing');
    assert.equal(cert.issuer, cert.subject);
    assert.equal(cert.ca, true);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 3072);
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365 * 24 * 3600e3);
    assert.ok(years > 9.9 && years < 10.1, `${years} years`);
    assert.match(m.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('fingerprints the modulus as md5 of openssl\'s "Modulus=HEX" line, the same from key and certificate', () => {
    const n = new X509Certificate(m.certificateDer).publicKey.export({ format: 'jwk' }).n!;
    const hex = Buffer.from(n, 'base64url').toString('hex').toUpperCase();
    const expected = createHash('md5').update(`Modulus=${hex}\n`).digest('hex');
    assert.equal(m.modulusMd5, expected);
    assert.equal(keyModulusMd5(m.privateKeyPem), expected);
    assert.equal(certModulusMd5(m.certificateDer), expected);
  });

  it('refuses a key and a certificate that do not belong together', async () => {
    const other = await generateSigningMaterial('another');
    assert.throws(
      () => checkedMaterial(m.privateKeyPem, other.certificateDer),
      /does not belong to the certificate/,
    );
  });

  it('stores the certificate as base64 of its DER form, and reads back DER, PEM or base64', () => {
    const payload = certificatePayload(m.certificateDer);
    assert.equal(payload.toString(), m.certificateDer.toString('base64'));
    assert.deepEqual(certificateFromPayload(payload), m.certificateDer);
    assert.deepEqual(certificateFromPayload(m.certificateDer), m.certificateDer);
    const pem = new X509Certificate(m.certificateDer).toString();
    assert.deepEqual(certificateFromPayload(Buffer.from(pem)), m.certificateDer);
  });

  it('tells a certificate file from anything else', () => {
    assert.ok(readCertificate(m.certificateDer).der);
    assert.match(readCertificate(Buffer.from('<html>login</html>')).error!, /./);
  });
});
