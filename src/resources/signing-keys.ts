import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';

// The module-signing key pair for Secure Boot GPU nodes, in the forms the
// Dataproc GPU driver action and the custom-images tooling use: the private
// key as PEM (`openssl req -nodes -keyout`), the certificate as base64 of
// its DER form (`gcloud secrets versions access | base64 --decode`), and
// the fingerprint both sides compare: the MD5 of `openssl rsa|x509 -noout
// -modulus` output, i.e. of "Modulus=<HEX>\n" (GoogleCloudDataproc
// custom-images examples/secure-boot/create-key-pair.sh).

/**
 * The certificate library, loaded only to make a certificate: it is a large
 * module tree, and every command that reads the environment imports this file.
 */
async function x509Library(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  return x509;
}

/** What a key pair is stored as. The private key never leaves this module except into Secret Manager. */
export interface SigningMaterial {
  privateKeyPem: string;
  certificateDer: Buffer;
  modulusMd5: string;
}

const TEN_YEARS_MS = 3650 * 24 * 3600 * 1000;

/** md5 of openssl's `Modulus=<UPPER HEX>\n` line for a JWK modulus. */
function modulusFingerprint(n: string): string {
  const hex = Buffer.from(n, 'base64url').toString('hex').toUpperCase().replace(/^0+/, '');
  return createHash('md5').update(`Modulus=${hex}\n`).digest('hex');
}

export function keyModulusMd5(privateKeyPem: string): string {
  const jwk = createPrivateKey(privateKeyPem).export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n) throw new Error('the module-signing key is not an RSA key');
  return modulusFingerprint(jwk.n);
}

export function certModulusMd5(certificate: Buffer | string): string {
  const jwk = new X509Certificate(certificate).publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n) throw new Error('the module-signing certificate has no RSA key');
  return modulusFingerprint(jwk.n);
}

/**
 * A new RSA 3072 key and a self-signed SHA-256 certificate valid ten years,
 * as create-key-pair.sh makes them. Throws if the two fingerprints differ
 * (they cannot, unless the crypto library is broken: checked all the same).
 */
export async function generateSigningMaterial(commonName: string): Promise<SigningMaterial> {
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 3072,
  };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const now = Date.now();
  const x509 = await x509Library();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [commonName] }],
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem =
    `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n')}\n` +
    '-----END PRIVATE KEY-----\n';
  return checkedMaterial(privateKeyPem, Buffer.from(cert.rawData));
}

/** Key and certificate together, refused unless their moduli match. */
export function checkedMaterial(privateKeyPem: string, certificateDer: Buffer): SigningMaterial {
  const fromKey = keyModulusMd5(privateKeyPem);
  const fromCert = certModulusMd5(certificateDer);
  if (fromKey !== fromCert) {
    throw new Error(
      `the module-signing key (modulus md5 ${fromKey}) does not belong to the certificate ` +
        `(modulus md5 ${fromCert})`,
    );
  }
  return { privateKeyPem, certificateDer, modulusMd5: fromKey };
}

/** The certificate secret's payload: base64 of the DER bytes, as the GPU driver action decodes it. */
export const certificatePayload = (der: Buffer): Buffer => Buffer.from(der.toString('base64'));

/** The DER bytes back from a certificate secret's payload (base64 text, or raw DER/PEM as others store it). */
export function certificateFromPayload(payload: Buffer): Buffer {
  const text = payload.toString('latin1').trim();
  if (text.startsWith('-----BEGIN')) return Buffer.from(new X509Certificate(payload).raw);
  if (/^[A-Za-z0-9+/=\s]+$/.test(text)) return Buffer.from(text.replace(/\s+/g, ''), 'base64');
  return payload;
}

/** A certificate file (DER or PEM) as DER, or why it is not one. */
export function readCertificate(bytes: Buffer): { der?: Buffer; subject?: string; error?: string } {
  try {
    const cert = new X509Certificate(bytes);
    return { der: Buffer.from(cert.raw), subject: cert.subject.replace(/\n/g, ', ') };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
