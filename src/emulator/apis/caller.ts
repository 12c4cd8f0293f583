import { ApiError } from '../errors.js';
import type { EmuContext } from '../router.js';
import type { Store } from '../store.js';

// The caller's own permissions. The emulator has one caller (the fake
// token's user), who by default holds every permission on everything, as
// the owner of a project does. A test takes permissions away through
// `PUT /_emulator/caller {"deniedPermissions": [...]}`; the setting is kept
// in the state file, so a later `--local` process sees the same caller.
//
// Every testIamPermissions / testPermissions method answers through
// `heldPermissions`, and the methods that refuse a caller outright (Org
// Policy reads and writes) through `requirePermission`: one place decides
// what the caller may do.

export interface CallerSettings {
  /** Permission names (`storage.objects.create`) the caller lacks on every resource. */
  deniedPermissions: string[];
}

const SETTING = 'caller';

export function callerSettings(store: Store): CallerSettings {
  return store.setting<CallerSettings>(SETTING) ?? { deniedPermissions: [] };
}

/** The control's PUT: only known fields, each of its type. */
export function configureCaller(store: Store, input: unknown): CallerSettings {
  const given = (input ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (key !== 'deniedPermissions') {
      throw new ApiError(400, `unknown setting "${key}"; known: deniedPermissions`, 'INVALID_ARGUMENT');
    }
  }
  const denied = given.deniedPermissions ?? [];
  if (!Array.isArray(denied) || denied.some((p) => typeof p !== 'string' || !PERMISSION.test(p))) {
    throw new ApiError(400, 'deniedPermissions must be a list of permission names such as ' +
      '"storage.objects.create"', 'INVALID_ARGUMENT');
  }
  const settings = { deniedPermissions: [...new Set(denied as string[])].sort() };
  store.setSetting(SETTING, settings);
  return settings;
}

/** `service.resource.verb`, as IAM names permissions. */
const PERMISSION = /^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+){2,}$/;

/**
 * The subset of `asked` the caller holds, in the order asked: what every
 * testIamPermissions method returns (permissions not held are left out,
 * never reported as errors).
 */
export function heldPermissions(ctx: EmuContext, asked: string[]): string[] {
  const denied = new Set(callerSettings(ctx.store).deniedPermissions);
  return asked.filter((p) => !denied.has(p));
}

/**
 * A 403 in IAM's wording when the caller lacks `permission`. `resource` is
 * the full resource name (`//orgpolicy.googleapis.com/projects/...`).
 */
export function requirePermission(ctx: EmuContext, permission: string, resource: string): void {
  if (heldPermissions(ctx, [permission]).length) return;
  throw new ApiError(403, `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`,
    'PERMISSION_DENIED').withDetails([{
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'IAM_PERMISSION_DENIED',
    domain: 'iam.googleapis.com',
    metadata: { permission, resource },
  }]);
}
