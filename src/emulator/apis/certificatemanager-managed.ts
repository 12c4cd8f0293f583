import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { nowIso } from './common.js';
import {
  REQUESTER_ROLES, certificatesCreateDenied, hasEffectiveRole, issueFromPool, serviceAgent,
} from './privateca-common.js';
import { byProjectId, duration, stripServiceUrl, type LroApi } from './resource-kit.js';

// Certificate contents: self-managed PEMs are parsed for real (SANs, expiry,
// key match); managed certificates with a CertificateIssuanceConfig are
// issued by the CA pool in the background: PROVISIONING while the
// certificatemanager service agent lacks a requester role on the pool (or the
// pool has no ENABLED CA), ACTIVE with a real chain once it can issue.

export const CERTMANAGER: LroApi = {
  api: 'certificatemanager',
  metadataType: 'type.googleapis.com/google.cloud.certificatemanager.v1.OperationMetadata',
  typePrefix: 'type.googleapis.com/google.cloud.certificatemanager.v1.',
};

/** Certificate Manager's own 404 wording (recorded). */
export const cmNotFound = (kind: string, name: string): ApiError =>
  new ApiError(404, `${kind} "${name}" not found`, 'NOT_FOUND');

/** The output fields a self-managed PEM determines; throws 400 when it is not a matching cert + key. */
export function selfManagedOutputs(sm: Resource): Resource {
  if (!sm?.pemCertificate || !sm?.pemPrivateKey) {
    throw new ApiError(400, 'self_managed.pem_certificate and self_managed.pem_private_key are required.', 'INVALID_ARGUMENT');
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(sm.pemCertificate);
  } catch {
    throw new ApiError(400, 'self_managed.pem_certificate is not a valid PEM-encoded X.509 certificate.', 'INVALID_ARGUMENT');
  }
  let matches = false;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(sm.pemPrivateKey));
  } catch {
    throw new ApiError(400, 'self_managed.pem_private_key is not a valid PEM-encoded private key.', 'INVALID_ARGUMENT');
  }
  if (!matches) throw new ApiError(400, 'The private key does not match the certificate.', 'INVALID_ARGUMENT');
  const san = (cert.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const out: Resource = { pemCertificate: sm.pemCertificate, expireTime: new Date(cert.validTo).toISOString() };
  if (san.length) out.sanDnsnames = san;
  return out;
}

/** Resources that reference the certificate (Secure Web Proxy gateways' certificateUrls). */
export function usedBy(ctx: EmuContext, name: string): Resource[] {
  const project = name.split('/')[1];
  return ctx.store.entries(`projects/${project}/locations/`)
    .filter(([k, v]) => /\/gateways\/[^/]+$/.test(k) &&
      (v.certificateUrls ?? []).some((u: string) => byProjectId(ctx, stripServiceUrl(u), project) === name))
    .map(([k]) => ({ name: k }));
}

const inFlight = new WeakMap<object, Map<string, Promise<Resource>>>();

/**
 * A managed certificate with an issuance config makes progress when read
 * (one issuance at a time per certificate, however many reads race).
 */
export function progress(ctx: EmuContext, cert: Resource): Promise<Resource> {
  let running = inFlight.get(ctx.store);
  if (!running) inFlight.set(ctx.store, (running = new Map()));
  const pending = running.get(cert.name);
  if (pending) return pending;
  const work = advance(ctx, cert).finally(() => running.delete(cert.name));
  running.set(cert.name, work);
  return work;
}

async function advance(ctx: EmuContext, cert: Resource): Promise<Resource> {
  const m = cert.managed;
  if (!m || m.state !== 'PROVISIONING' || !m.issuanceConfig) return cert;
  const project = cert.name.split('/')[1];
  const cic = ctx.store.get(byProjectId(ctx, stripServiceUrl(m.issuanceConfig), project));
  if (!cic) return cert;
  // The config stores the pool by project number; the pool lives in the same project.
  const poolRef: string = cic.certificateAuthorityConfig.certificateAuthorityServiceConfig.caPool;
  const pool = byProjectId(ctx, poolRef, project);
  const stuck = (details: string): Resource => {
    const next = { ...cert, managed: { ...m, provisioningIssue: { reason: 'AUTHORIZATION_ISSUE', details } } };
    if (JSON.stringify(next) !== JSON.stringify(cert)) ctx.store.put(cert.name, next);
    return next;
  };
  if (!ctx.store.get(pool)) return stuck(`CA pool ${poolRef} not found.`);
  const agent = serviceAgent(ctx, project, 'certificatemanager');
  if (!hasEffectiveRole(ctx, pool, agent, REQUESTER_ROLES)) {
    return stuck(`${certificatesCreateDenied(ctx, pool)} (for ${agent.replace('serviceAccount:', '')}).`);
  }
  const issued = await issueFromPool(ctx, pool, {
    domains: m.domains, keyAlgorithm: cic.keyAlgorithm, lifetimeSeconds: duration(cic.lifetime, 'lifetime'),
    requester: `cm-${cert.name.split('/').pop()}`.slice(0, 40),
  });
  if (!issued) return stuck(`CA pool ${poolRef} has no ENABLED certificate authority.`);
  const { provisioningIssue: _, ...managed } = m;
  const next: Resource = { ...cert, managed: { ...managed, state: 'ACTIVE' }, pemCertificate: issued.pemChain,
    expireTime: issued.notAfterTime, sanDnsnames: m.domains, updateTime: nowIso() };
  ctx.store.put(cert.name, next);
  return next;
}
