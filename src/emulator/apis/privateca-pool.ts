import { alreadyExists, failedPrecondition, notFound } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, page } from './common.js';
import {
  PRIVATECA, POOL_PATH, V1, casOf, iamKey, poolDependents, poolName, poolOr404, purgeExpired,
} from './privateca-common.js';
import {
  applyMask, createId, existsOrPending, invalidArgument, listIn, maskFields, queryFlag, startOp,
} from './resource-kit.js';

// CA pools: create/get/list/patch/delete (LROs with requestId replay) and
// fetchCaCerts. Recorded shapes: privateca-capool, certificatemanager-
// issuanceconfig. A pool holds its CAs until they are purged: a CA deleted
// without skipGracePeriod blocks the pool for 30 days.

const ID = /^[a-zA-Z0-9_-]{1,63}$/;
const TIERS = ['ENTERPRISE', 'DEVOPS'];

/** requestId replay: a retried call gets the operation the first one started. */
export function withRequestId(ctx: EmuContext, project: string, requestId: string | null | undefined,
  start: () => Resource): Resource {
  const id = requestId ?? null;
  const seen = ctx.ops.replay(project, id);
  if (seen) return seen;
  const op = start();
  ctx.ops.remember(project, id, op);
  return op;
}

/** The stored form: false publishing flags and empty sub-messages are not echoed (recorded). */
function normalise(pool: Resource): Resource {
  // proto3 JSON as the service answers (recorded: privateca-capool-iam):
  // false booleans and empty messages are not sent, int64 values are strings.
  if (pool.publishingOptions) prune(pool.publishingOptions);
  if (pool.publishingOptions && Object.keys(pool.publishingOptions).length === 0) delete pool.publishingOptions;
  if (pool.issuancePolicy) prune(pool.issuancePolicy);
  return pool;
}

const INT64 = new Set(['maxModulusSize', 'minModulusSize']);
/** `optional bool` fields (explicit presence): a false one is still sent (recorded). */
const OPTIONAL_BOOLS = new Set(['isCa', 'allowSubjectPassthrough', 'allowSubjectAltNamesPassthrough']);
/** Enum numbers a client may send (proto3 JSON), by field (privateca v1 protos; recorded: privateca-capool). */
const ENUM_NUMBERS: Record<string, string[]> = {
  signatureAlgorithm: ['EC_SIGNATURE_ALGORITHM_UNSPECIFIED', 'ECDSA_P256', 'ECDSA_P384', 'EDDSA_25519'],
  knownExtensions: ['KNOWN_CERTIFICATE_EXTENSION_UNSPECIFIED', 'BASE_KEY_USAGE', 'EXTENDED_KEY_USAGE', 'CA_OPTIONS',
    'POLICY_IDS', 'AIA_OCSP_SERVERS', 'NAME_CONSTRAINTS'],
};

function prune(obj: Resource): void {
  for (const [k, v] of Object.entries(obj)) {
    const names = ENUM_NUMBERS[k];
    if (names && typeof v === 'number') obj[k] = names[v] ?? v;
    else if (names && Array.isArray(v)) obj[k] = v.map((x) => (typeof x === 'number' ? (names[x] ?? x) : x));
    else if (v === false && !OPTIONAL_BOOLS.has(k)) delete obj[k];
    else if (typeof v === 'number' && INT64.has(k)) obj[k] = String(v);
    else if (Array.isArray(v)) v.forEach((x) => x && typeof x === 'object' && prune(x));
    else if (v && typeof v === 'object') {
      prune(v);
      if (Object.keys(v).length === 0) delete obj[k];
    }
  }
}

/** proto3 JSON also accepts enum numbers (CaPool.Tier: 1 ENTERPRISE, 2 DEVOPS). */
const TIER_NUMBERS: Record<number, string> = { 1: 'ENTERPRISE', 2: 'DEVOPS' };

function validate(pool: Resource): void {
  if (!TIERS.includes(pool.tier)) {
    throw invalidArgument(pool.tier === undefined ? "Field 'tier' is required." :
      `Invalid value at 'ca_pool.tier' (type.googleapis.com/google.cloud.security.privateca.v1.CaPool.Tier), "${pool.tier}"`);
  }
  if (pool.tier === 'DEVOPS' && pool.publishingOptions?.publishCrl === true) {
    throw failedPrecondition('CRL publication is not supported in the DevOps tier.');
  }
}

export function registerPools(r: Router): void {
  r.add({ api: 'privateca', method: 'POST', path: `${V1}/caPools`, query: ['caPoolId'] }, (req, ctx) =>
    withRequestId(ctx, req.params.project, req.query.get('requestId'), () => {
      const id = createId(req, 'caPoolId', ID, 'must match [a-zA-Z0-9_-]{1,63}');
      const name = `projects/${req.params.project}/locations/${req.params.location}/caPools/${id}`;
      if (existsOrPending(ctx, name)) throw alreadyExists('caPool', name);
      const b = body(req);
      const pool: Resource = { name, tier: TIER_NUMBERS[b.tier] ?? b.tier };
      for (const f of ['issuancePolicy', 'publishingOptions', 'labels']) if (b[f] !== undefined) pool[f] = b[f];
      validate(pool);
      return startOp(ctx, PRIVATECA, { target: name, verb: 'create', collection: 'caPools',
        effects: [{ put: name, value: normalise(pool) }], responseKind: 'CaPool' });
    }));

  r.add({ api: 'privateca', method: 'GET', path: POOL_PATH }, (req, ctx) => poolOr404(ctx, poolName(req.params)));

  r.add({ api: 'privateca', method: 'GET', path: `${V1}/caPools` }, (req, ctx) =>
    page(listIn(ctx, req.params.project, req.params.location, 'caPools'), 'caPools', req));

  r.add({ api: 'privateca', method: 'PATCH', path: POOL_PATH }, (req, ctx) =>
    withRequestId(ctx, req.params.project, req.query.get('requestId'), () => {
      const name = poolName(req.params);
      const next = applyMask(poolOr404(ctx, name), body(req), maskFields(req, 'privateca'),
        { updatable: ['issuancePolicy', 'publishingOptions', 'labels'], immutable: ['tier'] });
      validate(next);
      return startOp(ctx, PRIVATECA, { target: name, verb: 'update', collection: 'caPools',
        effects: [{ put: name, value: normalise(next) }], responseKind: 'CaPool' });
    }));

  r.add({ api: 'privateca', method: 'DELETE', path: POOL_PATH, query: ['ignoreDependentResources'] }, (req, ctx) =>
    withRequestId(ctx, req.params.project, req.query.get('requestId'), () => deletePool(req, ctx)));

  r.add({ api: 'privateca', method: 'POST', path: `${POOL_PATH}:fetchCaCerts`, mutating: false }, (req, ctx) => {
    const name = poolName(req.params);
    poolOr404(ctx, name);
    const caCerts = casOf(ctx, name)
      .filter((ca) => ['ENABLED', 'DISABLED', 'STAGED'].includes(ca.state))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((ca) => ({ certificates: ca.pemCaCertificates ?? [] }));
    return caCerts.length ? { caCerts } : {};
  });

  // Certificates a pool's CAs issued (for Certificate Manager): read-only here.
  r.add({ api: 'privateca', method: 'GET', path: `${POOL_PATH}/certificates` }, (req, ctx) =>
    page(ctx.store.list(`${poolOr404(ctx, poolName(req.params)).name}/certificates`), 'certificates', req));
  r.add({ api: 'privateca', method: 'GET', path: `${POOL_PATH}/certificates/{certificate}` }, (req, ctx) => {
    const name = `${poolName(req.params)}/certificates/${req.params.certificate}`;
    const cert = ctx.store.get(name);
    if (!cert) throw notFound(name);
    return cert;
  });
}

function deletePool(req: EmuRequest, ctx: EmuContext): Resource {
  const name = poolName(req.params);
  poolOr404(ctx, name);
  purgeExpired(ctx, name);
  const cas = casOf(ctx, name);
  if (cas.length) {
    const deleted = cas.filter((c) => c.state === 'DELETED');
    throw failedPrecondition(`CaPool ${name} still contains CertificateAuthorities ` +
      `[${cas.map((c) => c.name.split('/').pop()).join(', ')}]; a CaPool can be deleted only when ` +
      'all of its CertificateAuthorities have been permanently deleted' +
      (deleted.length ? ' (a CA deleted without skipGracePeriod is kept for 30 days)' : '') + '.');
  }
  const dependents = poolDependents(ctx, name);
  if (dependents.length && !queryFlag(req, 'ignoreDependentResources')) {
    throw failedPrecondition(`CaPool ${name} is in use by ${dependents.join(', ')}. ` +
      "Delete them first, or set 'ignore_dependent_resources' to skip this check.");
  }
  const effects = [{ delete: name }, { delete: iamKey(name) },
    ...ctx.store.list(`${name}/certificates`).map((c) => ({ delete: c.name as string }))];
  return startOp(ctx, PRIVATECA, { target: name, verb: 'delete', collection: 'caPools', effects });
}
