import type { Resource } from '../store.js';

// The key algorithms CA Service and Certificate Manager name, and the
// response pruning they share, apart from the certificate library
// (privateca-x509.ts), which is loaded only when something is signed.

export type Alg = { gen: RsaHashedKeyGenParams | EcKeyGenParams; sign: Algorithm | EcdsaParams };

const RSA = (name: string, saltLength?: number): Alg => ({
  gen: { name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  sign: saltLength ? ({ name, saltLength } as Algorithm) : { name },
});
const EC = (namedCurve: string, hash: string): Alg => ({
  gen: { name: 'ECDSA', namedCurve }, sign: { name: 'ECDSA', hash } as EcdsaParams,
});

/** keySpec.algorithm (CAS) and keyAlgorithm (Certificate Manager) values. */
export const KEY_ALGORITHMS: Record<string, Alg> = {
  RSA_PSS_2048_SHA256: RSA('RSA-PSS', 32), RSA_PSS_3072_SHA256: RSA('RSA-PSS', 32),
  RSA_PSS_4096_SHA256: RSA('RSA-PSS', 32),
  RSA_PKCS1_2048_SHA256: RSA('RSASSA-PKCS1-v1_5'), RSA_PKCS1_3072_SHA256: RSA('RSASSA-PKCS1-v1_5'),
  RSA_PKCS1_4096_SHA256: RSA('RSASSA-PKCS1-v1_5'),
  EC_P256_SHA256: EC('P-256', 'SHA-256'), EC_P384_SHA384: EC('P-384', 'SHA-384'),
  RSA_2048: RSA('RSASSA-PKCS1-v1_5'), ECDSA_P256: EC('P-256', 'SHA-256'),
};

/** CAS does not echo empty key-usage sub-messages (recorded). */
export function pruneKeyUsage(x509Config: Resource): Resource {
  const ku = x509Config.keyUsage;
  if (ku) {
    for (const k of Object.keys(ku)) {
      if (ku[k] && typeof ku[k] === 'object' && !Array.isArray(ku[k]) && Object.keys(ku[k]).length === 0) delete ku[k];
    }
    if (Object.keys(ku).length === 0) delete x509Config.keyUsage;
  }
  return x509Config;
}
