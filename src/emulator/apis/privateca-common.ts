import { randomBytes } from 'node:crypto';
import { notFound } from '../errors.js';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { nowIso } from './common.js';
import type { LroApi } from './resource-kit.js';

// What the Certificate Authority Service modules share, and what the other
// emulated APIs ask of it: pools and CAs by name, the pool IAM policy as
// *effective* grants (with an optional propagation delay, the race dpgce must
// retry through), and the certificates a CA has issued.

export const PRIVATECA: LroApi = {
  api: 'privateca',
  metadataType: 'type.googleapis.com/google.cloud.security.privateca.v1.OperationMetadata',
  typePrefix: 'type.googleapis.com/google.cloud.security.privateca.v1.',
};

export const V1 = '/v1/projects/{project}/locations/{location}';
export const POOL_PATH = `${V1}/caPools/{pool}`;
export const CA_PATH = `${POOL_PATH}/certificateAuthorities/{ca}`;

export const poolName = (p: Record<string, string>): string =>
  `projects/${p.project}/locations/${p.location}/caPools/${p.pool}`;
export const caName = (p: Record<string, string>): string => `${poolName(p)}/certificateAuthorities/${p.ca}`;

/** Hidden companions of a resource (never listed: one segment deeper than its collection). */
export const keyMaterialKey = (ca: string): string => `${ca}/keyMaterial`;
export const iamKey = (pool: string): string => `${pool}/iamPolicy`;

export function poolOr404(ctx: EmuContext, name: string): Resource {
  const pool = ctx.store.get(name);
  if (!pool) throw notFound(name);
  return pool;
}

export const casOf = (ctx: EmuContext, pool: string): Resource[] =>
  ctx.store.list(`${pool}/certificateAuthorities`);

/** CAs deleted without skipGracePeriod are purged once their expireTime has passed. */
export function purgeExpired(ctx: EmuContext, pool: string, now = Date.now()): void {
  for (const ca of casOf(ctx, pool)) {
    if (ca.state === 'DELETED' && ca.expireTime && Date.parse(ca.expireTime) <= now) {
      ctx.store.delete(ca.name);
      ctx.store.delete(keyMaterialKey(ca.name));
    }
  }
}

/** Certificates issued by `ca` that are neither revoked nor expired. */
export function activeCertificates(ctx: EmuContext, ca: string, now = Date.now()): Resource[] {
  const pool = ca.replace(/\/certificateAuthorities\/[^/]+$/, '');
  return ctx.store.list(`${pool}/certificates`).filter((c) =>
    c.issuerCertificateAuthority === ca && !c.revocationDetails &&
    Date.parse(c.certificateDescription?.subjectDescription?.notAfterTime ?? '') > now);
}

/** Roles that carry `privateca.certificates.create` on a pool. */
export const REQUESTER_ROLES = ['roles/privateca.certificateRequester', 'roles/privateca.certificateManager',
  'roles/privateca.admin'];
/** The role Secure Web Proxy's TLS inspection needs (Google's samples, DESIGN §5). */
export const TLS_INSPECTION_ROLES = ['roles/privateca.certificateManager', 'roles/privateca.admin'];

/**
 * How long a new pool grant takes to become effective: an operation-timing
 * rule with `collection: "iamPolicy"` (api `privateca` or none); 0 otherwise.
 */
export function propagationMs(ctx: EmuContext): number {
  const rule = ctx.ops.timing.latency.rules.find((r) => r.collection === 'iamPolicy' &&
    (!r.api || r.api === 'privateca'));
  return rule?.ms ?? 0;
}

/** Whether `member` effectively holds one of `roles` on the pool now. */
export function hasEffectiveRole(ctx: EmuContext, pool: string, member: string, roles: string[]): boolean {
  const rec = ctx.store.get(iamKey(pool));
  if (!rec) return false;
  const ready = Date.now() - propagationMs(ctx);
  return (rec.bindings ?? []).some((b: Resource) =>
    roles.includes(b.role) && !b.condition && (b.members ?? []).includes(member) &&
    (rec.grantedAt?.[`${b.role} ${member}`] ?? Infinity) <= ready);
}

/** CAS's own denial wording, naming the pool by project number. */
export function certificatesCreateDenied(ctx: EmuContext, pool: string): string {
  const m = /^projects\/([^/]+)\/(.*)$/.exec(pool);
  const numbered = m ? `projects/${ctx.projectNumber(m[1])}/${m[2]}` : pool;
  return `Permission 'privateca.certificates.create' denied on '${numbered}'`;
}

export const serviceAgent = (ctx: EmuContext, project: string, service: string): string =>
  `serviceAccount:service-${ctx.projectNumber(project)}@gcp-sa-${service}.iam.gserviceaccount.com`;

/** The first ENABLED CA of a pool (by name), the one that issues. */
export const issuingCa = (ctx: EmuContext, pool: string): Resource | undefined =>
  casOf(ctx, pool).filter((c) => c.state === 'ENABLED').sort((a, b) => a.name.localeCompare(b.name))[0];

/** Resources of other APIs that use the pool (checked by pool delete and the last CA disable). */
export function poolDependents(ctx: EmuContext, pool: string): string[] {
  const m = /^projects\/([^/]+)\//.exec(pool);
  if (!m) return [];
  const project = m[1];
  const numbered = pool.replace(/^projects\/[^/]+/, `projects/${ctx.projectNumber(project)}`);
  const refs = new Set([pool, numbered]);
  return ctx.store.entries(`projects/${project}/locations/`)
    .filter(([k, v]) =>
      (/\/certificateIssuanceConfigs\/[^/]+$/.test(k) &&
        refs.has(v.certificateAuthorityConfig?.certificateAuthorityServiceConfig?.caPool)) ||
      (/\/tlsInspectionPolicies\/[^/]+$/.test(k) && refs.has(v.caPool)))
    .map(([k]) => k);
}

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
  const { leafFor } = await import('./privateca-x509.js');
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
