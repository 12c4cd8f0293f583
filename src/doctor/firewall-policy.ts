import type { FirewallEntry } from './network-model.js';

// Hierarchical and global network firewall policies, as
// `networks.getEffectiveFirewalls` returns them, and how one of their rules
// matches a connection (cloud.google.com/firewall/docs/firewall-policies-rule-details).
// Unlike VPC firewall rules, a policy rule may say `goto_next`: evaluation
// goes on at the next policy or at the VPC firewall rules. Pure.

export type PolicyAction = 'allow' | 'deny' | 'goto_next';

export interface FirewallPolicyRule {
  priority: number;
  /** `apply_security_profile_group` allows (and inspects); it is read as `allow`. */
  action: PolicyAction;
  direction: 'INGRESS' | 'EGRESS';
  disabled: boolean;
  /** `ruleName`, else `priority <n>`. */
  name: string;
  srcIpRanges: string[];
  destIpRanges: string[];
  layer4: FirewallEntry[];
  targetServiceAccounts: string[];
  /** Network URLs the rule is limited to; empty: every network. */
  targetResources: string[];
  /**
   * The rule also names what the model cannot evaluate (secure tags, FQDNs,
   * address groups, region codes, threat intelligence lists, network types):
   * it is not applied, and the checks say so.
   */
  unevaluated: boolean;
}

export interface FirewallPolicy {
  name: string;
  /** `HIERARCHY` (organization and folders) or `NETWORK` (a global network firewall policy). */
  type: 'HIERARCHY' | 'NETWORK';
  rules: FirewallPolicyRule[];
}

/** What the model cannot evaluate, by field of the rule's `match` (or of the rule). */
const UNEVALUATED_MATCH = [
  'destFqdns', 'srcFqdns', 'destAddressGroups', 'srcAddressGroups', 'destRegionCodes', 'srcRegionCodes',
  'destThreatIntelligences', 'srcThreatIntelligences', 'srcSecureTags', 'srcNetworks',
];
const UNEVALUATED_CONTEXT = ['destNetworkType', 'srcNetworkType', 'destNetworkContext', 'srcNetworkContext'];

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The policies of a getEffectiveFirewalls answer, in the order they are evaluated (hierarchy first). */
export function toPolicies(effective: any[]): FirewallPolicy[] {
  const known = effective.filter((p) => p.type === 'HIERARCHY' || p.type === 'NETWORK');
  const hierarchy = known.filter((p) => p.type === 'HIERARCHY');
  const network = known.filter((p) => p.type === 'NETWORK').sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  return [...hierarchy, ...network].map((p) => ({
    name: String(p.shortName ?? p.displayName ?? p.name), type: p.type, rules: (p.rules ?? []).map(toRule),
  }));
}

function toRule(r: any): FirewallPolicyRule {
  const m = r.match ?? {};
  const action = r.action === 'deny' ? 'deny' : r.action === 'goto_next' ? 'goto_next' : 'allow';
  const unevaluated = UNEVALUATED_MATCH.some((f) => strings(m[f]).length > 0) ||
    UNEVALUATED_CONTEXT.some((f) => m[f] && m[f] !== 'UNSPECIFIED') ||
    (r.targetSecureTags ?? []).length > 0;
  return {
    priority: Number(r.priority ?? 0), action, direction: r.direction === 'EGRESS' ? 'EGRESS' : 'INGRESS',
    disabled: r.disabled === true, name: r.ruleName || `priority ${r.priority}`,
    srcIpRanges: strings(m.srcIpRanges), destIpRanges: strings(m.destIpRanges),
    layer4: (m.layer4Configs ?? []).map((l: any) => ({ protocol: String(l.ipProtocol).toLowerCase(), ports: strings(l.ports) })),
    targetServiceAccounts: strings(r.targetServiceAccounts), targetResources: strings(r.targetResources), unevaluated,
  };
}
