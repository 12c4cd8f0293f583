import 'reflect-metadata';
import { createHash, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Resource } from '../store.js';
import { KEY_ALGORITHMS, pruneKeyUsage, type Alg } from './privateca-keys.js';

// Real certificates for the Certificate Authority Service emulator: a
// self-signed root per CA (basicConstraints and keyUsage from the CA's
// x509Config, subject from subjectConfig) and leaf certificates it signs for
// Certificate Manager. Nodes check the exported PEM is a CA certificate, so
// it must parse everywhere (openssl, node:crypto). RSA keys are 2048-bit
// whatever size keySpec names (4096-bit generation is too slow for tests);
// the signature scheme and curve follow keySpec.

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle;

const SUBJECT_ATTRS: [string, string][] = [
  ['countryCode', 'C'], ['province', 'ST'], ['locality', 'L'], ['streetAddress', 'street'],
  ['postalCode', 'postalCode'], ['organization', 'O'], ['organizationalUnit', 'OU'], ['commonName', 'CN'],
];

function subjectName(subject: Resource): x509.JsonName {
  return SUBJECT_ATTRS.filter(([f]) => subject[f]).map(([f, t]) => ({ [t]: [String(subject[f])] }));
}

const KEY_USAGE_BITS: [string, x509.KeyUsageFlags][] = [
  ['digitalSignature', x509.KeyUsageFlags.digitalSignature], ['contentCommitment', x509.KeyUsageFlags.nonRepudiation],
  ['keyEncipherment', x509.KeyUsageFlags.keyEncipherment], ['dataEncipherment', x509.KeyUsageFlags.dataEncipherment],
  ['keyAgreement', x509.KeyUsageFlags.keyAgreement], ['certSign', x509.KeyUsageFlags.keyCertSign],
  ['crlSign', x509.KeyUsageFlags.cRLSign], ['encipherOnly', x509.KeyUsageFlags.encipherOnly],
  ['decipherOnly', x509.KeyUsageFlags.decipherOnly],
];
const EKUS = ['serverAuth', 'clientAuth', 'codeSigning', 'emailProtection', 'timeStamping', 'ocspSigning'] as const;

function sanNames(san: Resource | undefined): x509.JsonGeneralNames {
  if (!san) return [];
  return [
    ...(san.dnsNames ?? []).map((v: string) => ({ type: 'dns' as const, value: v })),
    ...(san.emailAddresses ?? []).map((v: string) => ({ type: 'email' as const, value: v })),
    ...(san.ipAddresses ?? []).map((v: string) => ({ type: 'ip' as const, value: v })),
    ...(san.uris ?? []).map((v: string) => ({ type: 'url' as const, value: v })),
  ];
}

function extensionsFor(x509Config: Resource | undefined): x509.Extension[] {
  const out: x509.Extension[] = [];
  const ca = x509Config?.caOptions;
  if (ca) out.push(new x509.BasicConstraintsExtension(ca.isCa === true, ca.maxIssuerPathLength, true));
  const base = x509Config?.keyUsage?.baseKeyUsage ?? {};
  const bits = KEY_USAGE_BITS.reduce((acc, [f, b]) => (base[f] ? acc | b : acc), 0);
  if (bits) out.push(new x509.KeyUsagesExtension(bits, true));
  const eku = x509Config?.keyUsage?.extendedKeyUsage ?? {};
  const ekus = EKUS.filter((e) => eku[e]).map((e) => x509.ExtendedKeyUsage[e]);
  if (ekus.length) out.push(new x509.ExtendedKeyUsageExtension(ekus, false));
  return out;
}

/** A fresh key pair and a positive random serial. */
async function keys(algorithm: string): Promise<{ pair: CryptoKeyPair; alg: Alg; serial: string }> {
  const alg = KEY_ALGORITHMS[algorithm] ?? KEY_ALGORITHMS.RSA_PKCS1_2048_SHA256;
  const pair = (await subtle.generateKey(alg.gen, true, ['sign', 'verify'])) as CryptoKeyPair;
  const serial = webcrypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  return { pair, alg, serial: Buffer.from(serial).toString('hex') };
}

export interface IssuedCert {
  pem: string;
  privateKeyPem: string;
  description: Resource;
}

/** A self-signed CA certificate for `config`, valid for `lifetimeSeconds`. */
export async function selfSignedCa(config: Resource, algorithm: string, lifetimeSeconds: number): Promise<IssuedCert> {
  const { pair, alg, serial } = await keys(algorithm);
  const subject = config.subjectConfig?.subject ?? {};
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + lifetimeSeconds * 1000);
  const ski = await x509.SubjectKeyIdentifierExtension.create(pair.publicKey);
  const extensions = [...extensionsFor(config.x509Config), ski,
    new x509.AuthorityKeyIdentifierExtension(ski.keyId)];
  const san = sanNames(config.subjectConfig?.subjectAltName);
  if (san.length) extensions.push(new x509.SubjectAlternativeNameExtension(san));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial, subject: subjectName(subject), issuer: subjectName(subject), notBefore, notAfter,
    publicKey: pair.publicKey, signingKey: pair.privateKey, signingAlgorithm: alg.sign, extensions,
  });
  return finish(cert, pair, config, subject, lifetimeSeconds, ski.keyId);
}

/** A server certificate for `domains`, signed by the CA whose key and certificate are given. */
export async function leafFor(ca: { privateKeyPem: string; pem: string }, a: {
  domains: string[]; keyAlgorithm: string; lifetimeSeconds: number;
}): Promise<IssuedCert> {
  const caCert = new x509.X509Certificate(ca.pem);
  const caAlg = signingAlgOf(caCert);
  const caKey = await subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.privateKeyPem),
    caAlg.gen, false, ['sign']);
  const { pair, serial } = await keys(a.keyAlgorithm);
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + a.lifetimeSeconds * 1000);
  const config = {
    subjectConfig: { subject: { commonName: a.domains[0] }, subjectAltName: { dnsNames: a.domains } },
    x509Config: {
      caOptions: { isCa: false },
      keyUsage: { baseKeyUsage: { digitalSignature: true, keyEncipherment: true },
        extendedKeyUsage: { serverAuth: true } },
    },
  };
  const ski = await x509.SubjectKeyIdentifierExtension.create(pair.publicKey);
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? '';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial, subject: subjectName(config.subjectConfig.subject), issuer: caCert.subjectName,
    notBefore, notAfter, publicKey: pair.publicKey, signingKey: caKey, signingAlgorithm: caAlg.sign,
    extensions: [...extensionsFor(config.x509Config), ski, new x509.AuthorityKeyIdentifierExtension(caSki),
      new x509.SubjectAlternativeNameExtension(sanNames(config.subjectConfig.subjectAltName))],
  });
  return finish(cert, pair, config, config.subjectConfig.subject, a.lifetimeSeconds, caSki);
}

function signingAlgOf(cert: x509.X509Certificate): Alg {
  const alg = cert.publicKey.algorithm as Resource;
  if (alg.name === 'ECDSA') return alg.namedCurve === 'P-384' ? KEY_ALGORITHMS.EC_P384_SHA384 : KEY_ALGORITHMS.EC_P256_SHA256;
  return alg.name === 'RSA-PSS' ? KEY_ALGORITHMS.RSA_PSS_2048_SHA256 : KEY_ALGORITHMS.RSA_PKCS1_2048_SHA256;
}

async function finish(cert: x509.X509Certificate, pair: CryptoKeyPair, config: Resource, subject: Resource,
  lifetimeSeconds: number, authorityKeyId: string): Promise<IssuedCert> {
  const pem = cert.toString('pem') + '\n';
  const der = Buffer.from(cert.rawData);
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', pair.privateKey));
  const spki = Buffer.from(await subtle.exportKey('spki', pair.publicKey));
  const spkiPem = x509.PemConverter.encode(spki, 'PUBLIC KEY') + '\n';
  const node = new NodeX509(der);
  const description: Resource = {
    subjectDescription: {
      subject, subjectAltName: config.subjectConfig?.subjectAltName ?? {},
      hexSerialNumber: cert.serialNumber.toLowerCase(), lifetime: `${lifetimeSeconds}s`,
      notBeforeTime: cert.notBefore.toISOString(), notAfterTime: cert.notAfter.toISOString(),
    },
    x509Description: pruneKeyUsage(structuredClone(config.x509Config ?? {})),
    publicKey: { key: Buffer.from(spkiPem).toString('base64') },
    subjectKeyId: { keyId: cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? '' },
    authorityKeyId: { keyId: authorityKeyId },
    certFingerprint: { sha256Hash: node.fingerprint256.replace(/:/g, '').toLowerCase() },
    tbsCertificateDigest: createHash('sha256').update(tbsOf(der)).digest('hex'),
  };
  return { pem, privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n', description };
}


/** The DER of tbsCertificate: the first element inside the outer SEQUENCE. */
function tbsOf(der: Buffer): Buffer {
  const header = (at: number): [number, number] => {
    const first = der[at + 1];
    if (first < 0x80) return [2, first];
    const n = first & 0x7f;
    return [2 + n, der.subarray(at + 2, at + 2 + n).reduce((acc, b) => acc * 256 + b, 0)];
  };
  const [outerHead] = header(0);
  const [head, len] = header(outerHead);
  return der.subarray(outerHead, outerHead + head + len);
}
