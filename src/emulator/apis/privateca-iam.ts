import { ApiError } from '../errors.js';
import type { Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, etagOf } from './common.js';
import { POOL_PATH, iamKey, poolName, poolOr404 } from './privateca-common.js';
import { invalidArgument } from './resource-kit.js';
import { heldPermissions } from './caller.js';

// CA pool IAM (recorded: privateca-capool-iam). `:getIamPolicy` is a GET
// (options.requestedPolicyVersion in the query); an untouched pool answers
// with only an etag; setIamPolicy echoes bindings as sent (even one without
// members), with version 1; a stale etag is 409 ABORTED. Each grant's time is
// kept so other APIs can see when it becomes effective (privateca-common).

const MEMBER = /^(user|serviceAccount|group|domain|principal|principalSet|deleted:serviceAccount|deleted:user|deleted:group):.+|^(allUsers|allAuthenticatedUsers)$/;
const ROLE = /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;

/** IAM etags are bytes: 8 of them, base64 as the real service sends (an untouched policy's is `ACAB`). */
const etagFor = (seed: unknown): string => Buffer.from(etagOf(seed), 'base64').subarray(0, 8).toString('base64');

/** Clients may re-encode the etag bytes (gcloud sends URL-safe base64), so compare bytes. */
const sameEtag = (a: string, b: string): boolean =>
  Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));

/** The policy as a client sees it (grant times stay inside). */
function view(rec: Resource | undefined): Resource {
  if (!rec || !(rec.bindings ?? []).length) return { etag: rec?.etag ?? 'ACAB' };
  return { version: rec.version, bindings: rec.bindings, etag: rec.etag };
}

export function registerPoolIam(r: Router): void {
  r.add({ api: 'privateca', method: 'GET', path: `${POOL_PATH}:getIamPolicy`, mutating: false }, (req, ctx) => {
    const pool = poolName(req.params);
    const requested = req.query.get('options.requestedPolicyVersion') ?? '0';
    if (!/^[013]$/.test(requested)) throw invalidArgument(`Invalid requested policy version ${requested}.`);
    poolOr404(ctx, pool);
    return view(ctx.store.get(iamKey(pool)));
  });

  r.add({ api: 'privateca', method: 'POST', path: `${POOL_PATH}:setIamPolicy` }, (req, ctx) => {
    const pool = poolName(req.params);
    poolOr404(ctx, pool);
    const policy = body(req).policy;
    if (!policy || typeof policy !== 'object') throw invalidArgument("Field 'policy' is required.");
    const current = ctx.store.get(iamKey(pool));
    const currentEtag = view(current).etag;
    if (policy.etag !== undefined && !sameEtag(String(policy.etag), currentEtag)) {
      throw new ApiError(409, 'There were concurrent policy changes. Please retry the whole ' +
        'read-modify-write with exponential backoff.', 'ABORTED');
    }
    const bindings: Resource[] = policy.bindings ?? [];
    bindings.forEach((b, i) => {
      if (typeof b.role !== 'string' || !ROLE.test(b.role)) {
        throw invalidArgument(`Invalid role '${String(b.role)}' in policy.bindings[${i}].`);
      }
      for (const m of b.members ?? []) {
        if (typeof m !== 'string' || !MEMBER.test(m)) {
          throw invalidArgument(`Invalid member '${String(m)}' in policy.bindings[${i}]: it must start with ` +
            'user:, serviceAccount:, group:, domain: or be allUsers/allAuthenticatedUsers.');
        }
      }
    });
    const conditional = bindings.some((b) => b.condition);
    if (conditional && policy.version !== 3) {
      throw invalidArgument('Policy version must be 3 when the policy contains conditional bindings.');
    }
    const now = Date.now();
    const grantedAt: Record<string, number> = {};
    for (const b of bindings) {
      for (const m of b.members ?? []) {
        const key = `${b.role} ${m}`;
        grantedAt[key] = current?.grantedAt?.[key] ?? now;
      }
    }
    const serial = (current?.serial ?? 0) + 1;
    const rec: Resource = {
      bindings, version: conditional ? 3 : 1, grantedAt, serial,
      etag: etagFor({ pool, serial, bindings }),
    };
    ctx.store.put(iamKey(pool), rec);
    return view(rec);
  });

  r.add({ api: 'privateca', method: 'POST', path: `${POOL_PATH}:testIamPermissions`, mutating: false },
    (req, ctx) => {
      poolOr404(ctx, poolName(req.params));
      const permissions = heldPermissions(ctx, body(req).permissions ?? []);
      return permissions.length ? { permissions } : {};
    });
}
