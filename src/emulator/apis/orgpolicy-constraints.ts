import { ApiError } from '../errors.js';
import type { Resource } from '../store.js';

// The constraints the emulated Org Policy service knows, and the rules a
// policy for each must follow (GoogleCloudOrgpolicyV2PolicySpec and
// ...PolicyRule in the googleapis orgpolicy v2 types; gcp-api-facts §18.6).
// The list holds the constraints dpgce's preflight reads and a few that
// hardened organisations commonly set; a policy for any other constraint is
// refused, as Google refuses one for a constraint that does not exist.

export interface ConstraintInfo {
  type: 'boolean' | 'list';
  /** What applies where no policy is set anywhere in the hierarchy. */
  constraintDefault: 'ALLOW' | 'DENY';
  /** One line in our words: what the constraint governs. */
  description: string;
}

export const CONSTRAINTS: Record<string, ConstraintInfo> = {
  'compute.requireShieldedVm': { type: 'boolean', constraintDefault: 'ALLOW',
    description: 'New VM instances must use Shielded VM images with Secure Boot, vTPM and integrity monitoring.' },
  'compute.vmExternalIpAccess': { type: 'list', constraintDefault: 'ALLOW',
    description: 'The VM instances (projects/P/zones/Z/instances/I) allowed to have external IP addresses.' },
  'compute.restrictCloudNATUsage': { type: 'list', constraintDefault: 'ALLOW',
    description: 'The subnetworks allowed to use Cloud NAT.' },
  'gcp.resourceLocations': { type: 'list', constraintDefault: 'ALLOW',
    description: 'The locations where location-based resources may be created.' },
  'compute.requireVpcFlowLogs': { type: 'list', constraintDefault: 'ALLOW',
    description: 'The VPC Flow Logs settings new subnetworks must use.' },
  'compute.requireOsLogin': { type: 'boolean', constraintDefault: 'ALLOW',
    description: 'OS Login is enabled on new projects and instances.' },
  'compute.disableSerialPortAccess': { type: 'boolean', constraintDefault: 'ALLOW',
    description: 'Serial port access to VM instances is refused.' },
  'compute.skipDefaultNetworkCreation': { type: 'boolean', constraintDefault: 'ALLOW',
    description: 'New projects are created without the default network.' },
  'compute.vmCanIpForward': { type: 'list', constraintDefault: 'ALLOW',
    description: 'The VM instances allowed to forward IP packets.' },
  'iam.disableServiceAccountKeyCreation': { type: 'boolean', constraintDefault: 'ALLOW',
    description: 'Service account keys cannot be created.' },
  'iam.allowedPolicyMemberDomains': { type: 'list', constraintDefault: 'ALLOW',
    description: 'The customer domains whose principals may be granted roles.' },
  'storage.uniformBucketLevelAccess': { type: 'boolean', constraintDefault: 'ALLOW',
    description: 'New buckets must use uniform bucket-level access.' },
};

const invalid = (message: string): ApiError => new ApiError(400, message, 'INVALID_ARGUMENT');

export function constraintOr400(constraint: string): ConstraintInfo {
  const info = CONSTRAINTS[constraint];
  if (!info) throw invalid(`Constraint constraints/${constraint} does not exist.`);
  return info;
}

/** Refuses a spec the API would refuse (`field` names it in the message). */
export function checkSpec(spec: Resource | undefined, info: ConstraintInfo, field: string): void {
  if (spec === undefined || spec === null) return;
  const rules: Resource[] = spec.rules ?? [];
  if (!Array.isArray(rules)) throw invalid(`${field}.rules must be a list.`);
  if (spec.reset && (rules.length || spec.inheritFromParent)) {
    throw invalid(`${field}: a policy that resets to the constraint default must have no rules and ` +
      'must not inherit from its parent.');
  }
  if (spec.inheritFromParent && info.type === 'boolean') {
    throw invalid(`${field}.inheritFromParent can be set only for list constraints.`);
  }
  for (const rule of rules) checkRule(rule, info, field);
  if (info.type === 'boolean' && rules.length) {
    const plain = rules.filter((r) => !r.condition);
    if (plain.length !== 1) {
      throw invalid(`${field}: a boolean policy must have exactly one rule without a condition.`);
    }
    if (rules.some((r) => r.condition && !!r.enforce === !!plain[0].enforce)) {
      throw invalid(`${field}: conditional rules of a boolean policy must set enforce opposite to the ` +
        'rule without a condition.');
    }
  }
}

function checkRule(rule: Resource, info: ConstraintInfo, field: string): void {
  const kinds = ['values', 'allowAll', 'denyAll', 'enforce'].filter((k) => rule[k] !== undefined);
  if (kinds.length !== 1) {
    throw invalid(`${field}.rules: each rule sets exactly one of values, allowAll, denyAll or enforce.`);
  }
  if (info.type === 'boolean' && kinds[0] !== 'enforce') {
    throw invalid(`${field}.rules: ${kinds[0]} can be set only in policies for list constraints.`);
  }
  if (info.type === 'list' && kinds[0] === 'enforce') {
    throw invalid(`${field}.rules: enforce can be set only in policies for boolean constraints.`);
  }
}

/** The rule that stands for the constraint default in an effective policy. */
export function defaultRule(info: ConstraintInfo): Resource {
  const deny = info.constraintDefault === 'DENY';
  return info.type === 'boolean' ? { enforce: deny } : deny ? { denyAll: true } : { allowAll: true };
}

/**
 * The rules in force at a project, with no parent policies to merge (the
 * emulator has no organisation or folders) and no tags, so a rule with a
 * condition never applies. List rules are merged into one.
 */
export function effectiveRules(spec: Resource | undefined, info: ConstraintInfo): Resource[] {
  const rules: Resource[] = (spec?.rules ?? []).filter((r: Resource) => !r.condition);
  if (!spec || spec.reset || !rules.length) return [defaultRule(info)];
  if (info.type === 'boolean') return [{ enforce: !!rules[0].enforce }];
  if (rules.some((r) => r.denyAll)) return [{ denyAll: true }];
  if (rules.some((r) => r.allowAll)) return [{ allowAll: true }];
  const values = (k: 'allowedValues' | 'deniedValues'): string[] =>
    [...new Set(rules.flatMap((r) => r.values?.[k] ?? []))];
  const merged: Resource = {};
  if (values('allowedValues').length) merged.allowedValues = values('allowedValues');
  if (values('deniedValues').length) merged.deniedValues = values('deniedValues');
  return [{ values: merged }];
}
