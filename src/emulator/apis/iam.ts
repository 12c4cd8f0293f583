import { createHash, randomInt } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, page } from './common.js';
import { dropPolicy, readPolicy, writePolicy, type PolicyRules } from './iam-policy.js';
import { heldPermissions } from './caller.js';

// IAM v1 service accounts (synchronous), stored at
// `projects/P/serviceAccounts/<email>`. Shapes and texts follow the recorded
// iam-serviceaccount transcript: 409 "... already exists within project
// projects/P.", 404 "Unknown service account", a PATCH that answers with the
// name and the changed fields only. `projects/-/` finds an account in any
// project, by email or unique id.

const BASE = '/v1/projects/{project}/serviceAccounts';
const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
const MUTABLE = ['displayName', 'description'];

const iamError = (code: number, message: string, reason: string): ApiError =>
  new ApiError(code, message, undefined, reason);
const unknownAccount = (): ApiError => iamError(404, 'Unknown service account', 'notFound');
const badRequest = (message: string): ApiError => iamError(400, message, 'badRequest');

export function registerIam(r: Router): void {
  r.add({ api: 'iam', method: 'POST', path: BASE }, (req, ctx) => create(req, ctx));
  r.add({ api: 'iam', method: 'GET', path: BASE }, (req, ctx) => {
    const accounts = ctx.store.list(`projects/${req.params.project}/serviceAccounts`);
    return page(accounts, 'accounts', req);
  });
  r.add({ api: 'iam', method: 'GET', path: `${BASE}/{account}` }, (req, ctx) => find(req, ctx)[1]);
  r.add({ api: 'iam', method: 'PATCH', path: `${BASE}/{account}` }, (req, ctx) => patch(req, ctx));
  r.add({ api: 'iam', method: 'DELETE', path: `${BASE}/{account}` }, (req, ctx) => {
    const [key] = find(req, ctx);
    ctx.store.delete(key);
    dropPolicy(ctx, `${key}/iam`);
    return {};
  });
  for (const verb of ['disable', 'enable']) {
    r.add({ api: 'iam', method: 'POST', path: `${BASE}/{account}:${verb}` }, (req, ctx) => {
      const [key, account] = find(req, ctx);
      const next = { ...account };
      if (verb === 'disable') next.disabled = true;
      else delete next.disabled;
      ctx.store.put(key, next);
      return {};
    });
  }

  r.add(
    { api: 'iam', method: 'POST', path: `${BASE}/{account}:getIamPolicy`, mutating: false },
    (req, ctx) => readPolicy(ctx, accountPolicy(find(req, ctx)[0])),
  );
  r.add({ api: 'iam', method: 'POST', path: `${BASE}/{account}:setIamPolicy` }, (req, ctx) =>
    writePolicy(ctx, accountPolicy(find(req, ctx)[0]), body(req).policy),
  );
  r.add(
    { api: 'iam', method: 'POST', path: `${BASE}/{account}:testIamPermissions`, mutating: false },
    (req, ctx) => {
      find(req, ctx);
      const asked = body(req).permissions;
      const permissions = Array.isArray(asked) ? heldPermissions(ctx, asked) : [];
      return permissions.length ? { permissions } : {};
    },
  );
}

function create(req: EmuRequest, ctx: EmuContext): Resource {
  const project = req.params.project;
  if (project === '-') throw badRequest('A project must be named to create a service account in.');
  const input = body(req);
  const accountId = input.accountId;
  if (typeof accountId !== 'string' || accountId === '') throw badRequest('accountId is required.');
  if (accountId.length < 6 || accountId.length > 30) {
    throw badRequest(`The account ID "${accountId}" does not have a length between 6 and 30.`);
  }
  if (!ACCOUNT_ID.test(accountId)) {
    throw badRequest(
      `The account ID "${accountId}" must match the regular expression [a-z]([-a-z0-9]*[a-z0-9]).`,
    );
  }
  const sa: Resource = input.serviceAccount ?? {};
  if (sa.displayName !== undefined && Buffer.byteLength(String(sa.displayName)) > 100) {
    throw badRequest('The display name must be at most 100 bytes.');
  }
  if (sa.description !== undefined && Buffer.byteLength(String(sa.description)) > 256) {
    throw badRequest('The description must be at most 256 bytes.');
  }

  const email = `${accountId}@${project}.iam.gserviceaccount.com`;
  const key = `projects/${project}/serviceAccounts/${email}`;
  if (ctx.store.get(key)) {
    throw iamError(
      409,
      `Service account ${accountId} already exists within project projects/${project}.`,
      'alreadyExists',
    );
  }
  const uniqueId = `1${Array.from({ length: 20 }, () => randomInt(10)).join('')}`;
  const account: Resource = {
    name: key,
    projectId: project,
    uniqueId,
    email,
    etag: createHash('md5').update(`${key}:${uniqueId}`).digest().subarray(0, 8).toString('base64'),
    oauth2ClientId: uniqueId,
  };
  for (const f of MUTABLE) if (sa[f] !== undefined && sa[f] !== '') account[f] = sa[f];
  ctx.store.put(key, account);
  return account;
}

function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const [key, current] = find(req, ctx);
  const input = body(req);
  const paths: string[] =
    typeof input.updateMask === 'string'
      ? input.updateMask.split(',').map((f: string) => f.trim())
      : [];
  // `*` (AIP-134): every field patch can change, absent = cleared.
  const mask = paths.includes('*') ? MUTABLE : paths;
  if (!mask.length) throw badRequest('updateMask is required.');
  const unknown = mask.filter((f: string) => !MUTABLE.includes(f));
  if (unknown.length) throw badRequest(`Cannot update field(s): ${unknown.join(', ')}.`);

  const next = { ...current };
  const answer: Resource = { name: current.name };
  for (const f of mask) {
    const value = input.serviceAccount?.[f];
    if (value === undefined || value === '') delete next[f];
    else next[f] = answer[f] = value;
  }
  ctx.store.put(key, next);
  return answer;
}

/** The account named in the path: by email or unique id, in one project or `-`. */
function find(req: EmuRequest, ctx: EmuContext): [string, Resource] {
  const { project, account } = req.params;
  const scope = project === '-' ? 'projects/' : `projects/${project}/serviceAccounts/`;
  const hit = ctx.store
    .entries(scope)
    .find(
      ([k, sa]) =>
        /^projects\/[^/]+\/serviceAccounts\/[^/]+$/.test(k) &&
        (sa.email === account || sa.uniqueId === account),
    );
  if (!hit) throw unknownAccount();
  return hit;
}

function accountPolicy(key: string): PolicyRules {
  return {
    key: `${key}/iam`,
    initial: () => [],
    etag: (revision) => iamEtag(key, revision),
    conflict: concurrentChange,
    invalid: (message) => new ApiError(400, message, 'INVALID_ARGUMENT'),
  };
}

/** The etag IAM gives a policy revision; an untouched empty policy is "ACAB". */
export function iamEtag(key: string, revision: number, emptyInitial = true): string {
  if (revision === 0 && emptyInitial) return 'ACAB';
  const hash = createHash('sha256').update(`${key}#${revision}`).digest();
  return Buffer.concat([Buffer.from([0x07]), hash.subarray(0, 7)]).toString('base64');
}

/** The 409 ABORTED IAM and Resource Manager answer a stale etag with. */
export const concurrentChange = (): ApiError =>
  new ApiError(
    409,
    'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
    'ABORTED',
  );
