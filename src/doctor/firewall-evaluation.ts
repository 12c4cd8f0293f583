import { parseAddress, parseCidr } from '../config/address-rules.js';
import type { FirewallEntry, FirewallRule } from './network-model.js';

// VPC firewall rules as Google Cloud applies them to one connection
// (cloud.google.com/firewall/docs/firewalls): only enabled rules of the
// connection's direction whose targets include the instance; the rule with
// the lowest priority number among those that match decides, a deny before
// an allow at equal priority; when none matches, the implied rules at
// 65535 decide: allow every egress, deny every ingress. Pure.

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
  protocol: 'TCP' | 'UDP' | 'ICMP';
  port?: number;
}

/** The rule that decided, VPC or implied, named as Connectivity Tests names it. */
export interface FirewallDecision {
  rule: string;
  action: 'allow' | 'deny';
  priority: number;
  /** `VPC_FIREWALL_RULE` or `IMPLIED_VPC_FIREWALL_RULE` (Connectivity Tests' firewallRuleType). */
  type: 'VPC_FIREWALL_RULE' | 'IMPLIED_VPC_FIREWALL_RULE';
}

export const IMPLIED_ALLOW_EGRESS: FirewallDecision =
  { rule: 'default-allow-egress', action: 'allow', priority: 65535, type: 'IMPLIED_VPC_FIREWALL_RULE' };
export const IMPLIED_DENY_INGRESS: FirewallDecision =
  { rule: 'default-deny-ingress', action: 'deny', priority: 65535, type: 'IMPLIED_VPC_FIREWALL_RULE' };

/** Protocol numbers the API accepts in place of names (IANA). */
const PROTOCOL_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp' };

/** The deciding rule for one connection on one port. */
export function decide(rules: FirewallRule[], c: Connection): FirewallDecision {
  const hit = rules
    .filter((r) => applies(r, c))
    .sort((a, b) => a.priority - b.priority || rank(a) - rank(b) || a.name.localeCompare(b.name))[0];
  if (hit) return { rule: hit.name, action: hit.action, priority: hit.priority, type: 'VPC_FIREWALL_RULE' };
  return c.direction === 'EGRESS' ? IMPLIED_ALLOW_EGRESS : IMPLIED_DENY_INGRESS;
}

/**
 * The decisions for every port of a protocol, one per stretch of ports the
 * rules treat alike: the verdict only changes where some rule's port range
 * starts or ends, so the first port of each stretch stands for it all.
 */
export function decideAllPorts(rules: FirewallRule[], c: Connection): Array<{ port: number; decision: FirewallDecision }> {
  const starts = new Set([0]);
  for (const r of rules) {
    for (const e of r.entries) {
      for (const [lo, hi] of e.ports.map(portRange)) {
        starts.add(lo);
        if (hi < 65535) starts.add(hi + 1);
      }
    }
  }
  return [...starts].sort((a, b) => a - b).map((port) => ({ port, decision: decide(rules, { ...c, port }) }));
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

function portRange(p: string): [number, number] {
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
