// Evaluating an effective Org Policy (v2 `spec.rules`) for one subject, as
// far as it can be done exactly. A list rule's value either covers the
// subject, does not, or cannot be decided here (an `under:folders/...`
// subtree whose members we do not read, a value group we do not know); an
// undecidable value that could change the answer makes the answer
// `undefined`, and the check says so rather than guess.

export interface PolicyRule {
  enforce?: boolean | null;
  allowAll?: boolean | null;
  denyAll?: boolean | null;
  values?: { allowedValues?: string[] | null; deniedValues?: string[] | null } | null;
  condition?: unknown;
}

export interface ListVerdict {
  /** Whether the subject is allowed; undefined when it cannot be decided. */
  allowed: boolean | undefined;
  /** What decided it, in words: `denyAll`, `allowed value in:us-locations`... */
  by: string;
}

/** Does `value` cover the subject: true, false, or undefined (cannot tell). */
export type Matcher = (value: string) => boolean | undefined;

/** An empty effective policy is the constraint default (ALLOW for the ones read here). */
export function evaluateList(rules: PolicyRule[], covers: Matcher): ListVerdict {
  const plain = rules.filter((r) => !r.condition);
  if (plain.length < rules.length) return { allowed: undefined, by: 'a rule with a tag condition' };
  if (!plain.length) return { allowed: true, by: 'no policy (the constraint default allows)' };
  if (plain.some((r) => r.denyAll)) return { allowed: false, by: 'denyAll' };

  const values = (k: 'allowedValues' | 'deniedValues'): string[] => plain.flatMap((r) => r.values?.[k] ?? []);
  const denied = values('deniedValues');
  const deniedBy = denied.find((v) => covers(v) === true);
  if (deniedBy) return { allowed: false, by: `denied value ${deniedBy}` };
  const unknownDenied = denied.find((v) => covers(v) === undefined);
  if (unknownDenied) return { allowed: undefined, by: `denied value ${unknownDenied}` };
  if (plain.some((r) => r.allowAll)) return { allowed: true, by: 'allowAll' };

  const allowed = values('allowedValues');
  if (!allowed.length) return { allowed: true, by: `no allowed-values list (denied: ${denied.join(', ') || 'none'})` };
  const allowedBy = allowed.find((v) => covers(v) === true);
  if (allowedBy) return { allowed: true, by: `allowed value ${allowedBy}` };
  const unknownAllowed = allowed.find((v) => covers(v) === undefined);
  if (unknownAllowed) return { allowed: undefined, by: `allowed value ${unknownAllowed}` };
  return { allowed: false, by: `not among the allowed values ${allowed.join(', ')}` };
}

/** Whether the unconditional rule of a boolean policy enforces it (false: the default, not enforced). */
export const enforced = (rules: PolicyRule[]): boolean => !!rules.find((r) => !r.condition)?.enforce;

/** `is:` marks a plain value that contains a colon; it means the same as the bare value. */
const bare = (value: string): string => value.replace(/^is:/, '');

const REGION = /^[a-z]+(-[a-z]+)+\d+$/;

/**
 * gcp.resourceLocations for a region. Exact: the region itself, its own
 * group `in:<region>-locations`, another region or zone or its group (no),
 * multi-regions such as `us` or `global` (they allow multi-regional
 * resources, not this region), and the groups of all regions of a
 * continent whose region names share its prefix (`in:us-locations`,
 * `in:europe-locations`). Any other group is undecided.
 */
export function coversRegion(region: string): Matcher {
  const continents: Record<string, string> = { 'in:us-locations': 'us-', 'in:europe-locations': 'europe-' };
  return (value) => {
    const v = bare(value);
    if (v === region || v === `in:${region}-locations`) return true;
    if (v in continents) return region.startsWith(continents[v]);
    const group = /^in:(.+)-locations$/.exec(v)?.[1];
    if (group !== undefined) return REGION.test(group) || /^[a-z]+(-[a-z]+)+\d+-[a-z]$/.test(group) ? false : undefined;
    if (REGION.test(v) || /^[a-z]+(-[a-z]+)+\d+-[a-z]$/.test(v) || /^[a-z]+$/.test(v)) return false;
    return undefined;
  };
}

/**
 * compute.restrictCloudNATUsage for one subnetwork: its own name
 * (`projects/P/regions/R/subnetworks/S`, P as id or number), another
 * subnetwork (no), `under:projects/P` (yes) or another project (no);
 * folders and organisations are undecided (their members are not read).
 */
export function coversSubnetwork(subnetwork: string, projectId: string, projectNumber: string): Matcher {
  const projects = new Set([projectId, projectNumber]);
  const [, , , region, , name] = subnetwork.split('/');
  return (value) => {
    const v = bare(value);
    const sub = /^projects\/([^/]+)\/regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(v);
    if (sub) return projects.has(sub[1]) && sub[2] === region && sub[3] === name;
    const project = /^under:projects\/([^/]+)$/.exec(v);
    if (project) return projects.has(project[1]);
    return undefined;
  };
}
