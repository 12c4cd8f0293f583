import { ApiError } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { requirePermission } from './caller.js';
import { checkMaskPaths } from '../api-schema.js';
import { body, etagOf, nowIso, page } from './common.js';
import { checkSpec, constraintOr400, CONSTRAINTS, effectiveRules } from './orgpolicy-constraints.js';

// Org Policy v2 for projects (gcp-api-facts §18.6): policies keyed by
// constraint, all calls synchronous. Names use the project number whatever
// the request used; `get` of a constraint without a policy is the recorded
// 404; `getEffectivePolicy` evaluates the project's policy (or, without one,
// the constraint default) and answers without etag or conditions. Reads need
// `orgpolicy.policy.get`, writes `orgpolicy.policy.set` (caller.ts).

const BASE = '/v2/projects/{project}';
const ONE = `${BASE}/policies/{policy}`;
const NOT_FOUND = 'Requested entity was not found.';

export function registerOrgPolicy(r: Router): void {
  r.add({ api: 'orgpolicy', method: 'GET', path: `${BASE}/policies` }, (req, ctx) => {
    const number = allowed(req, ctx, 'orgpolicy.policy.get');
    return page(ctx.store.list(`projects/${number}/policies`).slice(), 'policies', req);
  });
  r.add({ api: 'orgpolicy', method: 'GET', path: ONE }, (req, ctx) => {
    allowed(req, ctx, 'orgpolicy.policy.get');
    return policyOr404(ctx, req);
  });
  r.add({ api: 'orgpolicy', method: 'GET', path: `${ONE}:getEffectivePolicy` }, (req, ctx) => {
    const number = allowed(req, ctx, 'orgpolicy.policy.get');
    const info = constraintOr400(req.params.policy);
    const stored = ctx.store.get(key(number, req.params.policy));
    return { name: key(number, req.params.policy), spec: { rules: effectiveRules(stored?.spec, info) } };
  });
  r.add({ api: 'orgpolicy', method: 'POST', path: `${BASE}/policies` }, create);
  r.add({ api: 'orgpolicy', method: 'PATCH', path: ONE }, patch);
  r.add({ api: 'orgpolicy', method: 'DELETE', path: ONE }, (req, ctx) => {
    allowed(req, ctx, 'orgpolicy.policy.set');
    const current = policyOr404(ctx, req);
    checkEtag(req.query.get('etag'), current);
    ctx.store.delete(current.name);
    return {};
  });
  r.add({ api: 'orgpolicy', method: 'GET', path: `${BASE}/constraints` }, (req, ctx) => {
    const number = allowed(req, ctx, 'orgpolicy.policy.get');
    const constraints = Object.entries(CONSTRAINTS).map(([name, info]) => ({
      name: `projects/${number}/constraints/${name}`,
      displayName: name,
      description: info.description,
      constraintDefault: info.constraintDefault,
      ...(info.type === 'boolean' ? { booleanConstraint: {} } : { listConstraint: { supportsIn: true, supportsUnder: true } }),
    }));
    return page(constraints, 'constraints', req);
  });
}

function create(req: EmuRequest, ctx: EmuContext): Resource {
  const number = allowed(req, ctx, 'orgpolicy.policy.set');
  const input = body(req);
  const constraint = constraintOf(input.name, req.params.project, number);
  const name = key(number, constraint);
  checkSpecs(input, constraint);
  if (ctx.store.get(name)) throw new ApiError(409, 'Requested entity already exists', 'ALREADY_EXISTS');
  return store(ctx, name, input);
}

/** PATCH overwrites the policy (or, with `updateMask`, the masked fields). */
function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const number = allowed(req, ctx, 'orgpolicy.policy.set');
  const input = body(req);
  if (input.name !== undefined) constraintOf(input.name, req.params.project, number, req.params.policy);
  const current = policyOr404(ctx, req);
  checkEtag(input.etag, current);
  checkSpecs(input, req.params.policy);
  const paths = (req.query.get('updateMask') ?? '').split(',').map((f) => f.trim().replace(/^policy\./, ''))
    .filter(Boolean);
  checkMaskPaths('orgpolicy', req.path, paths);
  const mask = paths.map((f) => f.split('.')[0].replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
  const next: Resource = { ...input };
  // `*` (AIP-134), like no mask, overwrites the whole policy.
  if (mask.length && !mask.includes('*')) {
    for (const field of ['spec', 'dryRunSpec']) next[field] = mask.includes(field) ? input[field] : current[field];
  }
  return store(ctx, current.name, next);
}

function store(ctx: EmuContext, name: string, input: Resource): Resource {
  const stamp = (spec: Resource | undefined): Resource | undefined => {
    if (!spec) return undefined;
    const { etag: _ignored, updateTime: _output, ...rest } = spec;
    return { ...rest, etag: etagOf([name, rest, ctx.store.nextCounter()]), updateTime: nowIso() };
  };
  const policy: Resource = { name };
  const spec = stamp(input.spec);
  const dryRunSpec = stamp(input.dryRunSpec);
  if (spec) policy.spec = spec;
  if (dryRunSpec) policy.dryRunSpec = dryRunSpec;
  policy.etag = etagOf([policy, ctx.store.nextCounter()]);
  ctx.store.put(name, policy);
  return policy;
}

function checkSpecs(input: Resource, constraint: string): void {
  const info = constraintOr400(constraint);
  checkSpec(input.spec, info, 'policy.spec');
  checkSpec(input.dryRunSpec, info, 'policy.dry_run_spec');
}

/** An etag sent that is not the current one: 409 ABORTED, as AIP-154 asks. */
function checkEtag(etag: unknown, current: Resource): void {
  if (etag && etag !== current.etag) {
    throw new ApiError(409, 'The etag of the policy does not match its current etag.', 'ABORTED');
  }
}

/** The constraint a policy name names; 400 when it is malformed or under another parent. */
function constraintOf(name: unknown, project: string, number: string, expected?: string): string {
  const m = /^projects\/([^/]+)\/policies\/([^/]+)$/.exec(String(name ?? ''));
  if (!m || (m[1] !== project && m[1] !== number) || (expected && m[2] !== expected)) {
    throw new ApiError(400, `Invalid policy name: '${String(name ?? '')}'.`, 'INVALID_ARGUMENT');
  }
  return m[2];
}

function policyOr404(ctx: EmuContext, req: EmuRequest): Resource {
  const found = ctx.store.get(key(numberOf(req, ctx), req.params.policy));
  if (!found) throw new ApiError(404, NOT_FOUND, 'NOT_FOUND');
  return found;
}

/** The project number, once the caller is known to hold `permission` on the project. */
function allowed(req: EmuRequest, ctx: EmuContext, permission: string): string {
  requirePermission(ctx, permission, `//cloudresourcemanager.googleapis.com/projects/${req.params.project}`);
  return numberOf(req, ctx);
}

const numberOf = (req: EmuRequest, ctx: EmuContext): string =>
  /^\d+$/.test(req.params.project) ? req.params.project : ctx.projectNumber(req.params.project);

const key = (number: string, constraint: string): string => `projects/${number}/policies/${constraint}`;
