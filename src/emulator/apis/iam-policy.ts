import type { ApiError } from '../errors.js';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';

// IAM policies as Resource Manager, IAM (service accounts) and Cloud Storage
// keep them: a stored record beside the resource, an etag that changes with
// every write, and a write that names a stale etag refused. Version is 1
// unless a binding has a condition (then 3). Members are checked for form,
// and service accounts for existence, as setIamPolicy does.

export interface PolicyRules {
  /** Store key of the policy record (never a listed resource). */
  key: string;
  /** The policy of a resource nobody has written to yet. */
  initial: () => Resource[];
  /** etag for the n-th revision (0 = initial). */
  etag: (revision: number) => string;
  /** The API's error for a stale etag. */
  conflict: () => ApiError;
  /** The API's 400 for a bad policy. */
  invalid: (message: string) => ApiError;
}

interface PolicyRecord {
  revision: number;
  version: number;
  bindings: Resource[];
}

/** The policy as getIamPolicy returns it. */
export function readPolicy(ctx: EmuContext, rules: PolicyRules): Resource {
  return view(record(ctx, rules), rules);
}

/** setIamPolicy: checks etag and bindings, stores, returns the new policy. */
export function writePolicy(ctx: EmuContext, rules: PolicyRules, policy: unknown): Resource {
  if (!policy || typeof policy !== 'object')
    throw rules.invalid("Invalid JSON payload: 'policy' is required.");
  const incoming = policy as Resource;
  const current = record(ctx, rules);
  if (incoming.etag !== undefined && !sameEtag(incoming.etag, rules.etag(current.revision)))
    throw rules.conflict();

  const bindings = checkBindings(ctx, incoming.bindings ?? [], rules);
  const conditional = bindings.some((b) => b.condition);
  if (conditional && incoming.version !== 3) {
    throw rules.invalid(
      'Policy version must be 3 when the policy contains conditional role bindings.',
    );
  }
  const next: PolicyRecord = {
    revision: current.revision + 1,
    version: conditional ? 3 : 1,
    bindings,
  };
  ctx.store.put(rules.key, next as unknown as Resource);
  return view(next, rules);
}

/** etags are bytes: gcloud sends back a base64url form of the base64 it got. */
function sameEtag(given: unknown, current: string): boolean {
  return (
    typeof given === 'string' && Buffer.from(given, 'base64').equals(Buffer.from(current, 'base64'))
  );
}

/** Stores the policy a resource is born with (revision 0). */
export function seedPolicy(ctx: EmuContext, key: string, bindings: Resource[]): void {
  const rec: PolicyRecord = { revision: 0, version: 1, bindings };
  ctx.store.put(key, rec as unknown as Resource);
}

/** Drops a resource's policy with the resource. */
export function dropPolicy(ctx: EmuContext, key: string): void {
  ctx.store.delete(key);
}

function record(ctx: EmuContext, rules: PolicyRules): PolicyRecord {
  const stored = ctx.store.get(rules.key) as PolicyRecord | undefined;
  return stored ?? { revision: 0, version: 1, bindings: rules.initial() };
}

function view(rec: PolicyRecord, rules: PolicyRules): Resource {
  const out: Resource = { version: rec.version, etag: rules.etag(rec.revision) };
  if (rec.bindings.length) out.bindings = structuredClone(rec.bindings);
  return out;
}

const MEMBER =
  /^(user|serviceAccount|group|domain|principal|principalSet|projectOwner|projectEditor|projectViewer|deleted:serviceAccount|deleted:user|deleted:group):.+$|^(allUsers|allAuthenticatedUsers)$/;
const ROLE = /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;

function checkBindings(ctx: EmuContext, value: unknown, rules: PolicyRules): Resource[] {
  if (!Array.isArray(value))
    throw rules.invalid("Invalid value at 'policy.bindings': must be a list.");
  return value.map((b: Resource, i: number) => {
    if (typeof b?.role !== 'string' || !ROLE.test(b.role)) {
      throw rules.invalid(
        `Role ${String(b?.role)} is not supported for this resource (policy.bindings[${i}]).`,
      );
    }
    const members: unknown[] = Array.isArray(b.members) ? b.members : [];
    for (const m of members) {
      if (typeof m !== 'string' || !MEMBER.test(m))
        throw rules.invalid(`Invalid principal: ${String(m)}`);
      const email = /^serviceAccount:(.+)$/.exec(m)?.[1];
      if (email && !serviceAccountExists(ctx, email)) {
        throw rules.invalid(`Service account ${email} does not exist.`);
      }
    }
    const out: Resource = { role: b.role, members: [...new Set(members as string[])].sort() };
    if (b.condition) out.condition = b.condition;
    return out;
  });
}

/**
 * Whether a service account can be named in a policy: user-managed accounts
 * of emulated projects must have been created, service agents
 * (`service-N@gcp-sa-*`) must have been generated through Service Usage;
 * Google-managed accounts (Compute default, cloudservices) always exist.
 */
export function serviceAccountExists(ctx: EmuContext, email: string): boolean {
  const agent = /^service-(\d+)@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com$/.exec(email);
  if (agent)
    return ctx.store
      .entries(`projects/${agent[1]}/serviceIdentities/`)
      .some(([, v]) => v.email === email);
  const userManaged =
    /^[a-z][-a-z0-9]{4,28}[a-z0-9]@([a-z][-a-z0-9]*)\.iam\.gserviceaccount\.com$/.exec(email);
  if (userManaged)
    return ctx.store.get(`projects/${userManaged[1]}/serviceAccounts/${email}`) !== undefined;
  return true;
}
