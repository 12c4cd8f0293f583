import { alreadyExists, failedPrecondition } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, nowIso, page } from './common.js';
import { CERTMANAGER, cmNotFound, progress, selfManagedOutputs, usedBy } from './certificatemanager-managed.js';
import {
  BadRequestError, NAME_PATTERN, applyMask, byProjectId, byProjectNumber, createId, duration, existsOrPending,
  invalidArgument, listIn, maskFields, startOp, stripServiceUrl,
} from './resource-kit.js';

// Certificate Manager v1: certificates (self-managed and managed) and
// certificate issuance configs. Recorded: certificatemanager-certificate-
// selfmanaged, certificatemanager-issuanceconfig. Its 404 text differs from
// the other APIs; a config's caPool comes back with the project number;
// certificate update/delete operations live in `locations/global`; list
// accepts location `-`.

const V1 = '/v1/projects/{project}/locations/{location}';
const KEY_ALGORITHMS = ['RSA_2048', 'ECDSA_P256'];
const SCOPES = ['DEFAULT', 'EDGE_CACHE', 'ALL_REGIONS', 'CLIENT_AUTH'];
const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const RULE = 'it must be 1-63 lowercase letters, digits or hyphens, starting with a letter';

const parentOf = (p: Record<string, string>): string => `projects/${p.project}/locations/${p.location}`;

function certOr404(ctx: EmuContext, name: string): Resource {
  const cert = ctx.store.get(name);
  if (!cert) throw cmNotFound('certificate', name);
  return cert;
}

function cicOr404(ctx: EmuContext, name: string): Resource {
  const cic = ctx.store.get(name);
  if (!cic) throw cmNotFound('certificateIssuanceConfig', name);
  return cic;
}

/** What GET shows: current issuance state and who uses the certificate. */
async function view(ctx: EmuContext, cert: Resource): Promise<Resource> {
  const out = structuredClone(await progress(ctx, cert));
  const users = usedBy(ctx, cert.name);
  if (users.length) out.usedBy = users;
  return out;
}

function certificateFrom(req: EmuRequest, ctx: EmuContext, name: string, b: Resource): Resource {
  const kinds = ['selfManaged', 'managed', 'managedIdentity'].filter((k) => b[k] !== undefined);
  if (kinds.length !== 1) throw invalidArgument('Exactly one of self_managed or managed must be set.');
  if (b.scope !== undefined && !SCOPES.includes(b.scope)) throw invalidArgument(`Invalid scope '${b.scope}'.`);
  const now = nowIso();
  const cert: Resource = { name, createTime: now, updateTime: now };
  for (const f of ['description', 'labels']) if (b[f] !== undefined) cert[f] = b[f];
  if (b.scope && b.scope !== 'DEFAULT') cert.scope = b.scope;
  if (b.selfManaged) {
    // The input-only PEM certificate is echoed under selfManaged (recorded); the key never is.
    return { ...cert, selfManaged: { pemCertificate: b.selfManaged.pemCertificate }, ...selfManagedOutputs(b.selfManaged) };
  }
  if (!b.managed) throw invalidArgument('The emulator does not support managed identity certificates.');
  const domains: unknown = b.managed.domains;
  if (!Array.isArray(domains) || !domains.length || domains.some((d) => typeof d !== 'string' || !HOSTNAME.test(d))) {
    throw invalidArgument('managed.domains must list one or more valid domain names.');
  }
  const managed: Resource = { domains, state: 'PROVISIONING' };
  if (b.managed.dnsAuthorizations) managed.dnsAuthorizations = b.managed.dnsAuthorizations;
  if (b.managed.issuanceConfig) {
    const ref = byProjectId(ctx, stripServiceUrl(b.managed.issuanceConfig), req.params.project);
    const cic = ctx.store.get(ref);
    if (!cic || !/\/certificateIssuanceConfigs\/[^/]+$/.test(ref)) {
      throw invalidArgument(`managed.issuance_config: certificateIssuanceConfig "${ref}" not found.`);
    }
    if (ref.split('/')[3] !== req.params.location) {
      throw invalidArgument('managed.issuance_config must be in the same location as the certificate.');
    }
    managed.issuanceConfig = b.managed.issuanceConfig;
  }
  return { ...cert, managed, sanDnsnames: domains };
}

function registerCertificates(r: Router): void {
  r.add({ api: 'certificatemanager', method: 'POST', path: `${V1}/certificates` }, (req, ctx) => {
    const id = createId(req, 'certificateId', NAME_PATTERN, RULE);
    const name = `${parentOf(req.params)}/certificates/${id}`;
    if (existsOrPending(ctx, name)) throw alreadyExists('certificate', name);
    const cert = certificateFrom(req, ctx, name, body(req));
    return startOp(ctx, CERTMANAGER, { target: name, verb: 'create', collection: 'certificates',
      effects: [{ put: name, value: cert }], responseKind: 'Certificate' });
  });
  r.add({ api: 'certificatemanager', method: 'GET', path: `${V1}/certificates/{certificate}` }, (req, ctx) =>
    view(ctx, certOr404(ctx, `${parentOf(req.params)}/certificates/${req.params.certificate}`)));
  r.add({ api: 'certificatemanager', method: 'GET', path: `${V1}/certificates` }, async (req, ctx) => {
    const all = listIn(ctx, req.params.project, req.params.location, 'certificates');
    const views: Resource[] = [];
    for (const c of all) views.push(await view(ctx, c));
    return page(views, 'certificates', req);
  });
  r.add({ api: 'certificatemanager', method: 'PATCH', path: `${V1}/certificates/{certificate}` }, (req, ctx) => {
    const name = `${parentOf(req.params)}/certificates/${req.params.certificate}`;
    const current = certOr404(ctx, name);
    const b = body(req);
    const mask = maskFields(req, 'certificatemanager');
    const next = applyMask(current, b, mask, {
      updatable: current.selfManaged ? ['description', 'labels', 'selfManaged'] : ['description', 'labels'],
      immutable: ['managed', 'scope'],
      outputOnly: ['createTime', 'updateTime', 'pemCertificate', 'sanDnsnames', 'expireTime', 'usedBy'],
    });
    const replaced = mask.length ? mask.includes('selfManaged') || mask.includes('*') : b.selfManaged !== undefined;
    if (current.selfManaged && replaced) {
      Object.assign(next, { selfManaged: { pemCertificate: b.selfManaged?.pemCertificate } }, selfManagedOutputs(b.selfManaged));
    }
    next.updateTime = nowIso();
    return startOp(ctx, CERTMANAGER, { target: name, verb: 'update', collection: 'certificates',
      parent: `projects/${req.params.project}/locations/global`,
      effects: [{ put: name, value: next }], responseKind: 'Certificate' });
  });
  r.add({ api: 'certificatemanager', method: 'DELETE', path: `${V1}/certificates/{certificate}` }, (req, ctx) => {
    const name = `${parentOf(req.params)}/certificates/${req.params.certificate}`;
    certOr404(ctx, name);
    const users = usedBy(ctx, name);
    if (users.length) {
      throw failedPrecondition(`certificate "${name}" is in use by ${users.map((u) => u.name).join(', ')}.`);
    }
    return startOp(ctx, CERTMANAGER, { target: name, verb: 'delete', collection: 'certificates',
      parent: `projects/${req.params.project}/locations/global`, effects: [{ delete: name }] });
  });
}

const POOL_FIELD = 'certificate_authority_config.certificate_authority_service_config.ca_pool';

function issuanceConfigFrom(req: EmuRequest, ctx: EmuContext, name: string, b: Resource): Resource {
  const raw = b.certificateAuthorityConfig?.certificateAuthorityServiceConfig?.caPool;
  const pool = typeof raw === 'string' ? byProjectId(ctx, stripServiceUrl(raw), req.params.project) : '';
  if (!pool || !/^projects\/[^/]+\/locations\/[^/]+\/caPools\/[^/]+$/.test(pool) || !ctx.store.get(pool)) {
    const description = 'certificate authority service config must contain valid CA pool';
    throw new BadRequestError(description, [{ field: POOL_FIELD, description }]);
  }
  duration(b.lifetime, 'certificate_issuance_config.lifetime');
  const pct = b.rotationWindowPercentage;
  if (!Number.isInteger(pct) || pct < 1 || pct > 99) {
    throw invalidArgument('rotation_window_percentage must be an integer between 1 and 99.');
  }
  if (!KEY_ALGORITHMS.includes(b.keyAlgorithm)) {
    throw invalidArgument(`key_algorithm must be one of ${KEY_ALGORITHMS.join(', ')}.`);
  }
  const now = nowIso();
  const cic: Resource = {
    name, certificateAuthorityConfig: { certificateAuthorityServiceConfig: { caPool: byProjectNumber(ctx, pool) } },
    lifetime: b.lifetime, rotationWindowPercentage: pct, keyAlgorithm: b.keyAlgorithm, createTime: now, updateTime: now,
  };
  for (const f of ['description', 'labels']) if (b[f] !== undefined) cic[f] = b[f];
  return cic;
}

function registerIssuanceConfigs(r: Router): void {
  const one = `${V1}/certificateIssuanceConfigs/{config}`;
  const nameOf = (req: EmuRequest): string => `${parentOf(req.params)}/certificateIssuanceConfigs/${req.params.config}`;
  r.add({ api: 'certificatemanager', method: 'POST', path: `${V1}/certificateIssuanceConfigs` }, (req, ctx) => {
    const id = createId(req, 'certificateIssuanceConfigId', NAME_PATTERN, RULE);
    const name = `${parentOf(req.params)}/certificateIssuanceConfigs/${id}`;
    if (existsOrPending(ctx, name)) throw alreadyExists('certificateIssuanceConfig', name);
    const cic = issuanceConfigFrom(req, ctx, name, body(req));
    return startOp(ctx, CERTMANAGER, { target: name, verb: 'create', collection: 'certificateIssuanceConfigs',
      effects: [{ put: name, value: cic }], responseKind: 'CertificateIssuanceConfig' });
  });
  r.add({ api: 'certificatemanager', method: 'GET', path: one }, (req, ctx) => cicOr404(ctx, nameOf(req)));
  r.add({ api: 'certificatemanager', method: 'GET', path: `${V1}/certificateIssuanceConfigs` }, (req, ctx) =>
    page(listIn(ctx, req.params.project, req.params.location, 'certificateIssuanceConfigs'),
      'certificateIssuanceConfigs', req));
  r.add({ api: 'certificatemanager', method: 'PATCH', path: one }, (req, ctx) => {
    const name = nameOf(req);
    const next = applyMask(cicOr404(ctx, name), body(req), maskFields(req, 'certificatemanager'), {
      updatable: ['description', 'labels'],
      immutable: ['certificateAuthorityConfig', 'lifetime', 'rotationWindowPercentage', 'keyAlgorithm'],
      outputOnly: ['createTime', 'updateTime'],
    });
    next.updateTime = nowIso();
    return startOp(ctx, CERTMANAGER, { target: name, verb: 'update', collection: 'certificateIssuanceConfigs',
      effects: [{ put: name, value: next }], responseKind: 'CertificateIssuanceConfig' });
  });
  r.add({ api: 'certificatemanager', method: 'DELETE', path: one }, (req, ctx) => {
    const name = nameOf(req);
    cicOr404(ctx, name);
    const users = listIn(ctx, req.params.project, '-', 'certificates')
      .filter((c) => c.managed?.issuanceConfig &&
        byProjectId(ctx, stripServiceUrl(c.managed.issuanceConfig), req.params.project) === name);
    if (users.length) {
      throw failedPrecondition(`certificateIssuanceConfig "${name}" is in use by ${users.map((u) => u.name).join(', ')}.`);
    }
    return startOp(ctx, CERTMANAGER, { target: name, verb: 'delete', collection: 'certificateIssuanceConfigs',
      effects: [{ delete: name }] });
  });
}

export function registerCertificateManager(r: Router): void {
  registerCertificates(r);
  registerIssuanceConfigs(r);
}
