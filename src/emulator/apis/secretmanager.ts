import { checkMaskPaths } from '../api-schema.js';
import { ApiError } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, etagOf, nowIso, page } from './common.js';
import { concurrentChange, iamEtag } from './iam.js';
import { dropPolicy, readPolicy, writePolicy, type PolicyRules } from './iam-policy.js';
import { invalidArgument, secretName, secretOr404 } from './secretmanager-common.js';
import { dropVersions, registerSecretVersions } from './secretmanager-versions.js';
import { heldPermissions } from './caller.js';

// Secret Manager v1 secrets (recording secretmanager-secret; gcp-api-facts
// §18.5). Everything is synchronous. Names come back with the project
// number whatever the request used, so resources are kept under the number.
// A secret needs a replication policy; labels follow the documented rules;
// delete answers `{}` and takes the versions and the policy with it.

const BASE = '/v1/projects/{project}/secrets';
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const UPDATABLE = [
  'labels',
  'annotations',
  'versionAliases',
  'topics',
  'rotation',
  'expireTime',
  'ttl',
  'versionDestroyTtl',
];

function checkLabels(labels: unknown): void {
  if (labels === undefined) return;
  if (!labels || typeof labels !== 'object')
    throw invalidArgument("Invalid value at 'secret.labels'.");
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > 64) throw invalidArgument('A secret has at most 64 labels.');
  for (const [k, v] of entries) {
    if (!LABEL_KEY.test(k))
      throw invalidArgument(
        `Label key '${k}' is invalid: it must start with a lowercase letter and have at most 63 characters.`,
      );
    if (typeof v !== 'string' || !LABEL_VALUE.test(v))
      throw invalidArgument(`Label value '${String(v)}' of '${k}' is invalid.`);
  }
}

function checkReplication(replication: unknown): void {
  const r = replication as Resource | undefined;
  if (!r || (!r.automatic && !r.userManaged))
    throw invalidArgument('Secret.replication must be specified.');
  if (r.userManaged && !(r.userManaged.replicas ?? []).length) {
    throw invalidArgument('Secret.replication.user_managed.replicas must not be empty.');
  }
}

/** The stored secret with a fresh etag. */
const withEtag = (s: Resource): Resource => ({
  ...s,
  etag: `"${etagOf({ ...s, etag: undefined }).slice(0, 14)}"`,
});

function create(req: EmuRequest, ctx: EmuContext): Resource {
  const id = req.query.get('secretId');
  if (!id) throw invalidArgument("Field 'secret_id' is required.");
  if (!SECRET_ID.test(id)) {
    throw invalidArgument(
      `Invalid secret_id '${id}': it must have 1-255 letters, digits, hyphens and underscores.`,
    );
  }
  const name = secretName(ctx, req.params.project, id);
  if (ctx.store.get(name))
    throw new ApiError(409, `Secret [${name}] already exists.`, 'ALREADY_EXISTS');
  const b = body(req);
  checkReplication(b.replication);
  checkLabels(b.labels);
  const secret: Resource = { name, replication: b.replication, createTime: nowIso() };
  for (const f of [
    'labels',
    'annotations',
    'topics',
    'rotation',
    'expireTime',
    'ttl',
    'versionAliases',
  ]) {
    if (b[f] !== undefined) secret[f] = b[f];
  }
  const stored = withEtag(secret);
  ctx.store.put(name, stored);
  return stored;
}

function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const name = secretName(ctx, req.params.project, req.params.secret);
  const current = secretOr404(ctx, name);
  const paths = (req.query.get('updateMask') ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (!paths.length) throw invalidArgument("Field 'update_mask' is required.");
  checkMaskPaths('secretmanager', req.path, paths);
  // The docs say nothing of `*`, so AIP-134: every updatable field, absent = cleared.
  const mask = paths.includes('*') ? UPDATABLE : paths;
  const b = body(req);
  const next: Resource = { ...current };
  for (const field of mask) {
    const f = field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!UPDATABLE.includes(f)) throw invalidArgument(`Field '${field}' cannot be updated.`);
    if (f === 'labels') checkLabels(b.labels);
    if (b[f] === undefined) delete next[f];
    else next[f] = b[f];
  }
  const stored = withEtag(next);
  ctx.store.put(name, stored);
  return stored;
}

function remove(req: EmuRequest, ctx: EmuContext): Resource {
  const name = secretName(ctx, req.params.project, req.params.secret);
  const current = secretOr404(ctx, name);
  const etag = req.query.get('etag');
  if (etag && etag !== current.etag) {
    throw new ApiError(
      400,
      `The etag provided ${etag} does not match the current etag of the secret.`,
      'FAILED_PRECONDITION',
    );
  }
  ctx.store.delete(name);
  dropVersions(ctx, name);
  dropPolicy(ctx, policyKey(name));
  return {};
}

const policyKey = (name: string): string => `iam/${name}`;

function policyRules(name: string): PolicyRules {
  return {
    key: policyKey(name),
    initial: () => [],
    etag: (revision) => iamEtag(name, revision),
    conflict: concurrentChange,
    invalid: invalidArgument,
  };
}

export function registerSecretManager(r: Router): void {
  const one = `${BASE}/{secret}`;
  r.add({ api: 'secretmanager', method: 'POST', path: BASE }, create);
  r.add({ api: 'secretmanager', method: 'GET', path: BASE }, (req, ctx) => {
    const all = ctx.store.list(secretName(ctx, req.params.project, '').slice(0, -1));
    return all.length ? { ...page(all, 'secrets', req), totalSize: all.length } : {};
  });
  r.add({ api: 'secretmanager', method: 'GET', path: one }, (req, ctx) =>
    secretOr404(ctx, secretName(ctx, req.params.project, req.params.secret)),
  );
  r.add({ api: 'secretmanager', method: 'PATCH', path: one }, patch);
  r.add({ api: 'secretmanager', method: 'DELETE', path: one }, remove);
  r.add(
    { api: 'secretmanager', method: 'GET', path: `${one}:getIamPolicy`, mutating: false },
    (req, ctx) => {
      const name = secretName(ctx, req.params.project, req.params.secret);
      secretOr404(ctx, name);
      // Any requested version reads the same policy: no binding here has a condition.
      req.query.get('options.requestedPolicyVersion');
      return readPolicy(ctx, policyRules(name));
    },
  );
  r.add({ api: 'secretmanager', method: 'POST', path: `${one}:setIamPolicy` }, (req, ctx) => {
    const name = secretName(ctx, req.params.project, req.params.secret);
    secretOr404(ctx, name);
    return writePolicy(ctx, policyRules(name), body(req).policy);
  });
  r.add(
    { api: 'secretmanager', method: 'POST', path: `${one}:testIamPermissions`, mutating: false },
    (req, ctx) => {
      secretOr404(ctx, secretName(ctx, req.params.project, req.params.secret));
      const permissions = heldPermissions(ctx, body(req).permissions ?? []);
      return permissions.length ? { permissions } : {};
    },
  );
  registerSecretVersions(r);
}
