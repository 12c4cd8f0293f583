import { randomBytes } from 'node:crypto';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { nowIso } from './common.js';
import { issuingCa, keyMaterialKey } from './privateca-common.js';
import { leafFor } from './privateca-x509.js';

// A certificate issued by a pool on behalf of another service (Certificate
// Manager's managed certificates): signed by the pool's first ENABLED CA and
// kept as a CAS Certificate resource, so the CA counts it as active (a CA
// delete then needs ignoreActiveCertificates).

export interface Issued {
  name: string;
  /** Leaf first, then the issuing CA (Certificate Manager's pemCertificate). */
  pemChain: string;
  notAfterTime: string;
}

/** Issues, or returns undefined when the pool has no ENABLED CA. */
export async function issueFromPool(ctx: EmuContext, pool: string, a: {
  domains: string[]; keyAlgorithm: string; lifetimeSeconds: number; requester: string;
}): Promise<Issued | undefined> {
  const ca = issuingCa(ctx, pool);
  const keys = ca && ctx.store.get(keyMaterialKey(ca.name));
  if (!ca || !keys?.privateKeyPem) return undefined;
  const caPem: string = ca.pemCaCertificates[0];
  const leaf = await leafFor({ privateKeyPem: keys.privateKeyPem, pem: caPem }, a);
  const name = `${pool}/certificates/${a.requester}-${randomBytes(6).toString('hex')}`;
  const now = nowIso();
  const cert: Resource = {
    name, lifetime: `${a.lifetimeSeconds}s`, pemCertificate: leaf.pem, pemCertificateChain: [caPem],
    certificateDescription: leaf.description, issuerCertificateAuthority: ca.name,
    subjectMode: 'DEFAULT', createTime: now, updateTime: now,
  };
  ctx.store.put(name, cert);
  return { name, pemChain: leaf.pem + caPem, notAfterTime: leaf.description.subjectDescription.notAfterTime };
}
