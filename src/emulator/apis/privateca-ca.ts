import { alreadyExists, failedPrecondition, notFound } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, nowIso, page } from './common.js';
import {
  CA_PATH, POOL_PATH, PRIVATECA, activeCertificates, caName, casOf, keyMaterialKey, poolDependents,
  poolName, poolOr404, purgeExpired,
} from './privateca-common.js';
import { withRequestId } from './privateca-pool.js';
import { KEY_ALGORITHMS, pruneKeyUsage } from './privateca-keys.js';
import {
  applyMask, createId, duration, existsOrPending, invalidArgument, listIn, maskFields, queryFlag, startOp,
} from './resource-kit.js';

// Certificate authorities (recorded: certificatemanager-issuanceconfig, which
// drives gcloud's `privateca roots create --auto-enable / disable / delete`).
// A SELF_SIGNED CA is born STAGED with a real certificate; :enable, :disable;
// delete only from STAGED or DISABLED and without active certificates (both
// checked inside the operation, code 9); the delete response is the CA itself
// in state DELETED; without skipGracePeriod it stays 30 days and blocks its
// pool and its name.

const ID = /^[a-zA-Z0-9_-]{1,63}$/;
const GRACE_MS = 30 * 24 * 3600 * 1000;
const CA_ALGORITHMS = Object.keys(KEY_ALGORITHMS).filter((k) => k.includes('_SHA'));

function caOr404(ctx: EmuContext, name: string): Resource {
  purgeExpired(ctx, name.replace(/\/certificateAuthorities\/[^/]+$/, ''));
  const ca = ctx.store.get(name);
  if (!ca) throw notFound(name);
  return ca;
}

async function create(req: EmuRequest, ctx: EmuContext): Promise<Resource> {
  const pool = poolOr404(ctx, poolName(req.params));
  const id = createId(req, 'certificateAuthorityId', ID, 'must match [a-zA-Z0-9_-]{1,63}');
  const name = `${pool.name}/certificateAuthorities/${id}`;
  purgeExpired(ctx, pool.name);
  if (existsOrPending(ctx, name)) throw alreadyExists('certificateAuthority', name);
  const b = body(req);
  if (b.type !== 'SELF_SIGNED') {
    throw invalidArgument(b.type === 'SUBORDINATE' ? 'The emulator supports only SELF_SIGNED certificate authorities.'
      : "Field 'type' is required: SELF_SIGNED or SUBORDINATE.");
  }
  const subject = b.config?.subjectConfig?.subject;
  if (!subject || Object.keys(subject).length === 0) throw invalidArgument("Field 'config.subject_config.subject' is required.");
  if (b.config?.x509Config?.caOptions?.isCa !== true) {
    throw invalidArgument("A certificate authority's config.x509_config.ca_options.is_ca must be true.");
  }
  if (b.config.x509Config.keyUsage?.baseKeyUsage?.certSign !== true) {
    throw invalidArgument("A certificate authority's config.x509_config.key_usage.base_key_usage.cert_sign must be true.");
  }
  const algorithm = b.keySpec?.algorithm;
  if (!CA_ALGORITHMS.includes(algorithm)) {
    throw invalidArgument(b.keySpec?.cloudKmsKeyVersion ? 'The emulator does not support Cloud KMS keys (key_spec.cloud_kms_key_version).'
      : `Field 'key_spec.algorithm' must be one of ${CA_ALGORITHMS.join(', ')}.`);
  }
  const lifetime = duration(b.lifetime, 'certificate_authority.lifetime');
  if (lifetime <= 0) throw invalidArgument("Field 'lifetime' must be positive.");

  const { selfSignedCa } = await import('./privateca-x509.js');
  const cert = await selfSignedCa(b.config, algorithm, lifetime);
  const now = nowIso();
  const config = structuredClone(b.config);
  pruneKeyUsage(config.x509Config);
  const ca: Resource = {
    name, type: 'SELF_SIGNED', config, lifetime: b.lifetime, keySpec: { algorithm },
    tier: pool.tier, state: 'STAGED', pemCaCertificates: [cert.pem],
    caCertificateDescriptions: [cert.description], createTime: now, updateTime: now, satisfiesPzi: true,
  };
  if (pool.publishingOptions?.publishCaCert) {
    ca.accessUrls = { caCertificateAccessUrl: `http://privateca-content-${ctx.projectNumber(req.params.project)}` +
      `.storage.googleapis.com/${id}/ca.crt` };
  }
  if (b.labels) ca.labels = b.labels;
  return startOp(ctx, PRIVATECA, { target: name, verb: 'create', collection: 'certificateAuthorities',
    effects: [{ put: name, value: ca }, { put: keyMaterialKey(name), value: { privateKeyPem: cert.privateKeyPem } }],
    responseKind: 'CertificateAuthority' });
}

/** :enable / :disable / :undelete: a state change, with requestId in the body. */
function transition(verb: 'enable' | 'disable' | 'undelete') {
  return (req: EmuRequest, ctx: EmuContext): Resource => {
    const b = (req.json ?? {}) as Resource;
    return withRequestId(ctx, req.params.project, b.requestId, () => {
      const name = caName(req.params);
      const ca = caOr404(ctx, name);
      const from = { enable: ['STAGED', 'DISABLED'], disable: ['STAGED', 'ENABLED'], undelete: ['DELETED'] }[verb];
      if (!from.includes(ca.state)) {
        throw failedPrecondition(`Cannot perform Certificate Authority ${verb}, Certificate Authority is in state ${ca.state}.`);
      }
      const next: Resource = { ...ca, updateTime: nowIso() };
      if (verb === 'enable') next.state = 'ENABLED';
      if (verb === 'disable') {
        const pool = poolName(req.params);
        const lastEnabled = ca.state === 'ENABLED' &&
          casOf(ctx, pool).filter((c) => c.state === 'ENABLED').length === 1;
        const dependents = lastEnabled ? poolDependents(ctx, pool) : [];
        if (dependents.length && !b.ignoreDependentResources) {
          throw failedPrecondition(`${name} is the last enabled CA of its pool, which is used by ` +
            `${dependents.join(', ')}. Delete them first, or set 'ignore_dependent_resources'.`);
        }
        next.state = 'DISABLED';
      }
      if (verb === 'undelete') {
        next.state = ctx.store.get(keyMaterialKey(name))?.stateBeforeDelete ?? 'DISABLED';
        delete next.deleteTime;
        delete next.expireTime;
      }
      return startOp(ctx, PRIVATECA, { target: name, verb, collection: 'certificateAuthorities',
        effects: [{ put: name, value: next }], responseKind: 'CertificateAuthority' });
    });
  };
}

function remove(req: EmuRequest, ctx: EmuContext): Resource {
  const name = caName(req.params);
  const ca = caOr404(ctx, name);
  const target = { target: name, verb: 'delete', collection: 'certificateAuthorities' };
  if (ca.state === 'DELETED') throw notFound(name);
  if (!['STAGED', 'DISABLED'].includes(ca.state)) {
    return startOp(ctx, PRIVATECA, { ...target, effects: [], error: { code: 'FAILED_PRECONDITION',
      message: `The CertificateAuthority must be in state DISABLED or STAGED to be deleted, but it is in state ${ca.state}.` } });
  }
  if (!queryFlag(req, 'ignoreActiveCertificates') && activeCertificates(ctx, name).length) {
    return startOp(ctx, PRIVATECA, { ...target, effects: [], error: { code: 'FAILED_PRECONDITION',
      message: 'CA has un-revoked or un-expired certificates. Please revoke any active certificates and try ' +
        "again. Alternatively, you can add the 'ignore_active_certificates' parameter to the request to skip this check." } });
  }
  const now = new Date();
  const skip = queryFlag(req, 'skipGracePeriod');
  const deleted: Resource = { ...ca, state: 'DELETED', updateTime: now.toISOString(), deleteTime: now.toISOString(),
    expireTime: new Date(now.getTime() + (skip ? 0 : GRACE_MS)).toISOString() };
  const keys = ctx.store.get(keyMaterialKey(name)) ?? {};
  const effects = skip
    ? [{ delete: name }, { delete: keyMaterialKey(name) }]
    : [{ put: name, value: deleted }, { put: keyMaterialKey(name), value: { ...keys, stateBeforeDelete: ca.state } }];
  return startOp(ctx, PRIVATECA, { ...target, effects,
    response: { '@type': `${PRIVATECA.typePrefix}CertificateAuthority`, ...deleted } });
}

export function registerCertificateAuthorities(r: Router): void {
  const list = `${POOL_PATH}/certificateAuthorities`;
  r.add({ api: 'privateca', method: 'POST', path: list, query: ['certificateAuthorityId'] }, (req, ctx) => {
    const seen = ctx.ops.replay(req.params.project, req.query.get('requestId'));
    if (seen) return seen;
    return create(req, ctx).then((op) => { ctx.ops.remember(req.params.project, req.query.get('requestId'), op); return op; });
  });
  r.add({ api: 'privateca', method: 'GET', path: list }, (req, ctx) => {
    // Pool `-` (gcloud's `roots list` without --pool) lists the CAs of every pool.
    const pools = req.params.pool === '-'
      ? listIn(ctx, req.params.project, req.params.location, 'caPools').map((p) => p.name as string)
      : [poolOr404(ctx, poolName(req.params)).name];
    for (const pool of pools) purgeExpired(ctx, pool);
    return page(pools.flatMap((pool) => casOf(ctx, pool)), 'certificateAuthorities', req);
  });
  r.add({ api: 'privateca', method: 'GET', path: CA_PATH }, (req, ctx) => caOr404(ctx, caName(req.params)));
  r.add({ api: 'privateca', method: 'PATCH', path: CA_PATH }, (req, ctx) =>
    withRequestId(ctx, req.params.project, req.query.get('requestId'), () => {
      const name = caName(req.params);
      const next = applyMask(caOr404(ctx, name), body(req), maskFields(req, 'privateca'), {
        updatable: ['labels'], immutable: ['type', 'config', 'lifetime', 'keySpec', 'gcsBucket'],
        outputOnly: ['state', 'tier', 'pemCaCertificates', 'caCertificateDescriptions', 'createTime', 'updateTime',
          'deleteTime', 'expireTime', 'accessUrls', 'satisfiesPzi', 'satisfiesPzs'],
      });
      next.updateTime = nowIso();
      return startOp(ctx, PRIVATECA, { target: name, verb: 'update', collection: 'certificateAuthorities',
        effects: [{ put: name, value: next }], responseKind: 'CertificateAuthority' });
    }));
  r.add({ api: 'privateca', method: 'DELETE', path: CA_PATH,
    query: ['ignoreActiveCertificates', 'skipGracePeriod'] }, (req, ctx) =>
    withRequestId(ctx, req.params.project, req.query.get('requestId'), () => remove(req, ctx)));
  r.add({ api: 'privateca', method: 'POST', path: `${CA_PATH}:enable` }, transition('enable'));
  r.add({ api: 'privateca', method: 'POST', path: `${CA_PATH}:disable` }, transition('disable'));
  r.add({ api: 'privateca', method: 'POST', path: `${CA_PATH}:undelete` }, transition('undelete'));
}
