import { parseAddress, parseCidr } from '../config/address-rules.js';
import type { FirewallPolicy, FirewallPolicyRule } from './firewall-policy.js';
import type { FirewallEntry, FirewallRule } from './network-model.js';

// Firewalls as Google Cloud applies them to one connection
// (cloud.google.com/firewall/docs/firewall-policies-overview, "Policy and
// rule evaluation order"): hierarchical firewall policies first, then the
// VPC firewall rules and the global network firewall policy in the order the
// network's `networkFirewallPolicyEnforcementOrder` says (VPC rules first by
// default). In a policy the matching rule with the lowest priority number
// decides unless it says `goto_next`. Among VPC firewall rules
// (cloud.google.com/firewall/docs/firewalls) only enabled rules of the
// connection's direction whose targets include the instance count; the
// lowest priority number decides, a deny before an allow at equal priority.
// When nothing decides, the implied rules at 65535 do: allow every egress,
// deny every ingress. Pure.

/** What decides a connection: the VPC firewall rules and the policies in force on the network. */
export interface FirewallSet {
  /** `projects/P/global/networks/N`, for policy rules limited to networks. */
  network: string;
  firewalls: FirewallRule[];
  /** In evaluation order: hierarchical policies, then network ones. */
  firewallPolicies?: FirewallPolicy[];
  /** `BEFORE_CLASSIC_FIREWALL` puts network firewall policies before VPC rules; default after. */
  policyEnforcementOrder?: string;
}

/** A VM as its firewall rules see it. */
export interface Instance {
  ipAddress: string;
  tags: string[];
  serviceAccount?: string;
}

export interface Connection {
  direction: 'INGRESS' | 'EGRESS';
  source: Instance;
  /** For EGRESS only the address counts; for INGRESS, the instance the rules target. */
  destination: Instance;
  /** Upper-case: `TCP`, `UDP`, `ICMP`, or another protocol a rule names (`ESP`, `SCTP`, a number). */
  protocol: string;
  port?: number;
}

/** The rule that decided, VPC or implied, named as Connectivity Tests names it. */
export interface FirewallDecision {
  rule: string;
  action: 'allow' | 'deny';
  priority: number;
  /** Connectivity Tests' firewallRuleType. */
  type: 'VPC_FIREWALL_RULE' | 'IMPLIED_VPC_FIREWALL_RULE' | 'HIERARCHICAL_FIREWALL_POLICY_RULE' | 'NETWORK_FIREWALL_POLICY_RULE';
}

export const IMPLIED_ALLOW_EGRESS: FirewallDecision =
  { rule: 'default-allow-egress', action: 'allow', priority: 65535, type: 'IMPLIED_VPC_FIREWALL_RULE' };
export const IMPLIED_DENY_INGRESS: FirewallDecision =
  { rule: 'default-deny-ingress', action: 'deny', priority: 65535, type: 'IMPLIED_VPC_FIREWALL_RULE' };

/** Protocol numbers the API accepts in place of names (IANA). */
export const PROTOCOL_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp' };

type Stage = (c: Connection) => FirewallDecision | undefined;

/** The deciding rule for one connection on one port. */
export function decide(set: FirewallSet, c: Connection): FirewallDecision {
  const policies = set.firewallPolicies ?? [];
  const stage = (p: FirewallPolicy): Stage => (x) => policyDecision(set.network, p, x);
  const vpc: Stage = (x) => vpcDecision(set.firewalls, x);
  const network = policies.filter((p) => p.type === 'NETWORK').map(stage);
  const stages = [
    ...policies.filter((p) => p.type === 'HIERARCHY').map(stage),
    ...(set.policyEnforcementOrder === 'BEFORE_CLASSIC_FIREWALL' ? [...network, vpc] : [vpc, ...network]),
  ];
  for (const s of stages) {
    const d = s(c);
    if (d) return d;
  }
  return c.direction === 'EGRESS' ? IMPLIED_ALLOW_EGRESS : IMPLIED_DENY_INGRESS;
}

function vpcDecision(rules: FirewallRule[], c: Connection): FirewallDecision | undefined {
  const hit = rules
    .filter((r) => applies(r, c))
    .sort((a, b) => a.priority - b.priority || rank(a) - rank(b) || a.name.localeCompare(b.name))[0];
  return hit && { rule: hit.name, action: hit.action, priority: hit.priority, type: 'VPC_FIREWALL_RULE' };
}

/** A policy's matching rule, or undefined when none matches or it says `goto_next`. */
function policyDecision(network: string, p: FirewallPolicy, c: Connection): FirewallDecision | undefined {
  const hit = p.rules.filter((r) => policyRuleApplies(network, r, c)).sort((a, b) => a.priority - b.priority)[0];
  if (!hit || hit.action === 'goto_next') return undefined;
  return { rule: `${p.name}: ${hit.name}`, action: hit.action, priority: hit.priority,
    type: p.type === 'HIERARCHY' ? 'HIERARCHICAL_FIREWALL_POLICY_RULE' : 'NETWORK_FIREWALL_POLICY_RULE' };
}

function policyRuleApplies(network: string, r: FirewallPolicyRule, c: Connection): boolean {
  if (r.disabled || r.unevaluated || r.direction !== c.direction) return false;
  if (r.targetResources.length && !r.targetResources.some((t) => t.endsWith(network))) return false;
  const target = c.direction === 'EGRESS' ? c.source : c.destination;
  if (r.targetServiceAccounts.length && !(target.serviceAccount && r.targetServiceAccounts.includes(target.serviceAccount))) {
    return false;
  }
  return r.layer4.some((e) => entryMatches(e, c)) &&
    inAny(c.source.ipAddress, r.srcIpRanges, true) && inAny(c.destination.ipAddress, r.destIpRanges, true);
}

/**
 * The decisions for every port of a protocol, one per stretch of ports the
 * rules treat alike: the verdict only changes where some rule's port range
 * starts or ends, so the first port of each stretch stands for it all.
 */
export function decideAllPorts(set: FirewallSet, c: Connection): Array<{ port: number; decision: FirewallDecision }> {
  const starts = new Set([0]);
  const entries = [...set.firewalls.flatMap((r) => r.entries),
    ...(set.firewallPolicies ?? []).flatMap((p) => p.rules.flatMap((r) => r.layer4))];
  for (const [lo, hi] of entries.flatMap((e) => e.ports.map(portRange))) {
    starts.add(lo);
    if (hi < 65535) starts.add(hi + 1);
  }
  return [...starts].sort((a, b) => a - b).map((port) => ({ port, decision: decide(set, { ...c, port }) }));
}

const rank = (r: FirewallRule): number => (r.action === 'deny' ? 0 : 1);

function applies(r: FirewallRule, c: Connection): boolean {
  if (r.disabled || r.direction !== c.direction) return false;
  const target = c.direction === 'EGRESS' ? c.source : c.destination;
  if (!targets(r, target)) return false;
  if (!r.entries.some((e) => entryMatches(e, c))) return false;
  if (c.direction === 'EGRESS') {
    // An egress rule without destination ranges means every destination.
    return inAny(c.destination.ipAddress, r.destinationRanges, true) &&
      inAny(c.source.ipAddress, r.sourceRanges, true);
  }
  return inAny(c.destination.ipAddress, r.destinationRanges, true) && ingressSourceMatches(r, c.source);
}

/** No target tags and no target service accounts: the rule applies to every instance of the network. */
function targets(r: FirewallRule, i: Instance): boolean {
  if (r.targetTags.length) return r.targetTags.some((t) => i.tags.includes(t));
  if (r.targetServiceAccounts.length) return !!i.serviceAccount && r.targetServiceAccounts.includes(i.serviceAccount);
  return true;
}

/**
 * Source ranges, tags and service accounts of an ingress rule combine with
 * "or". A rule with none of them is taken as every source, as gcloud
 * creates it (`--source-ranges` defaults to 0.0.0.0/0).
 */
function ingressSourceMatches(r: FirewallRule, s: Instance): boolean {
  if (!r.sourceRanges.length && !r.sourceTags.length && !r.sourceServiceAccounts.length) return true;
  return inAny(s.ipAddress, r.sourceRanges, false) ||
    r.sourceTags.some((t) => s.tags.includes(t)) ||
    (!!s.serviceAccount && r.sourceServiceAccounts.includes(s.serviceAccount));
}

function entryMatches(e: FirewallEntry, c: Connection): boolean {
  const protocol = PROTOCOL_NUMBERS[e.protocol] ?? e.protocol;
  if (protocol !== 'all' && protocol !== c.protocol.toLowerCase()) return false;
  if (!e.ports.length || c.protocol === 'ICMP' || c.port === undefined) return true;
  return e.ports.map(portRange).some(([lo, hi]) => c.port! >= lo && c.port! <= hi);
}

export function portRange(p: string): [number, number] {
  const [lo, hi] = p.split('-').map(Number);
  return [lo, hi ?? lo];
}

/** Whether `ip` is inside one of `ranges`; an empty list counts as `empty`. */
export function inAny(ip: string, ranges: string[], empty: boolean): boolean {
  if (!ranges.length) return empty;
  return ranges.some((r) => inRange(ip, r));
}

export function inRange(ip: string, range: string): boolean {
  const a = parseAddress(ip);
  const c = parseCidr(range) ?? (parseAddress(range) !== undefined ? parseCidr(`${range}/32`) : undefined);
  return a !== undefined && !!c && a >= c.first && a <= c.last;
}

export const prefixLength = (range: string): number => parseCidr(range)?.prefix ?? -1;
