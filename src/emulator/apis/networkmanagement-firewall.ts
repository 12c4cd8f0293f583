import type { Resource } from '../store.js';
import { contains, parseCidr, parseIpv4 } from './cidr.js';
import type { InstanceView, NetworkView } from './networkmanagement-model.js';

// VPC firewall rule evaluation as Google documents it: of the enabled rules
// of the packet's direction that apply to the instance (no target tags or
// service accounts: every instance), match the peer range and the
// protocol/port; the lowest priority number wins and, at equal priority, a
// deny beats an allow. When no rule matches, the implied rules decide:
// egress allowed, ingress denied, both at priority 65535.

export interface Packet {
  srcIp: string;
  dstIp: string;
  /** TCP, UDP, ICMP, ... as the test gives it. */
  protocol: string;
  port?: number;
  source?: InstanceView;
  destination?: InstanceView;
}

export interface FirewallVerdict {
  allowed: boolean;
  /** FirewallInfo of the deciding rule. */
  info: Resource;
  /** `projects/P/global/firewalls/F`; absent for an implied rule. */
  uri?: string;
}

const PROTOCOL_NUMBER: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', esp: '50', ah: '51', sctp: '132', ipip: '4' };

export function evaluate(view: NetworkView, direction: 'EGRESS' | 'INGRESS', packet: Packet): FirewallVerdict {
  const target = direction === 'EGRESS' ? packet.source : packet.destination;
  const matching = view.firewalls
    .filter((f) => (f.direction ?? 'INGRESS') === direction && f.disabled !== true)
    .filter((f) => appliesTo(f, target))
    .filter((f) => (direction === 'EGRESS' ? toDestination(f, packet) : fromSource(f, packet)))
    .filter((f) => ((f.allowed ?? f.denied ?? []) as Resource[]).some((e) => matchesTraffic(e, packet)))
    .sort((a, b) => priorityOf(a) - priorityOf(b) || Number(!!a.allowed) - Number(!!b.allowed));
  const rule = matching[0];
  if (!rule) return implied(view, direction);
  const uri = `projects/${view.project}/global/firewalls/${rule.name}`;
  const info: Resource = {
    action: rule.allowed ? 'ALLOW' : 'DENY',
    direction,
    displayName: rule.name,
    firewallRuleType: 'VPC_FIREWALL_RULE',
    networkUri: view.uri,
    priority: priorityOf(rule),
    uri,
  };
  if (rule.targetTags?.length) info.targetTags = [...rule.targetTags];
  if (rule.targetServiceAccounts?.length) info.targetServiceAccounts = [...rule.targetServiceAccounts];
  return { allowed: !!rule.allowed, info, uri };
}

/** The implied rules every VPC network has (they have no URI). */
function implied(view: NetworkView, direction: 'EGRESS' | 'INGRESS'): FirewallVerdict {
  const egress = direction === 'EGRESS';
  return {
    allowed: egress,
    info: {
      action: egress ? 'ALLOW' : 'DENY',
      direction,
      displayName: egress ? 'default-allow-egress' : 'default-deny-ingress',
      firewallRuleType: 'IMPLIED_VPC_FIREWALL_RULE',
      networkUri: view.uri,
      priority: 65535,
    },
  };
}

const priorityOf = (f: Resource): number => Number(f.priority ?? 1000);

/**
 * A rule with targets applies only to instances that carry one of its tags or
 * run as one of its service accounts; a source that is only an address of the
 * network (no instance) gets only the rules for every instance.
 */
function appliesTo(f: Resource, instance: InstanceView | undefined): boolean {
  const tags: string[] = f.targetTags ?? [];
  const accounts: string[] = f.targetServiceAccounts ?? [];
  if (!tags.length && !accounts.length) return true;
  if (!instance) return false;
  return tags.some((t) => instance.tags.includes(t)) ||
    (!!instance.serviceAccount && accounts.includes(instance.serviceAccount));
}

const inRanges = (ranges: string[], ip: string): boolean => {
  const n = parseIpv4(ip);
  return n !== undefined && ranges.some((r) => {
    const c = parseCidr(r.includes('/') ? r : `${r}/32`);
    return c !== undefined && contains(c, n);
  });
};

function toDestination(f: Resource, p: Packet): boolean {
  return inRanges(f.destinationRanges?.length ? f.destinationRanges : ['0.0.0.0/0'], p.dstIp);
}

/** Ingress sources: ranges, or tags/service accounts of a source instance; none given means every address. */
function fromSource(f: Resource, p: Packet): boolean {
  const ranges: string[] = f.sourceRanges ?? [];
  const tags: string[] = f.sourceTags ?? [];
  const accounts: string[] = f.sourceServiceAccounts ?? [];
  if (!ranges.length && !tags.length && !accounts.length) return true;
  if (inRanges(ranges, p.srcIp)) return true;
  const s = p.source;
  return !!s && (tags.some((t) => s.tags.includes(t)) || (!!s.serviceAccount && accounts.includes(s.serviceAccount)));
}

function matchesTraffic(entry: Resource, p: Packet): boolean {
  const proto = String(entry.IPProtocol ?? '').toLowerCase();
  const wanted = p.protocol.toLowerCase();
  if (proto !== 'all' && proto !== wanted && proto !== PROTOCOL_NUMBER[wanted]) return false;
  const ports: string[] = entry.ports ?? [];
  if (!ports.length || p.port === undefined) return true;
  return ports.some((r) => {
    const [lo, hi] = String(r).split('-').map(Number);
    return p.port! >= lo && p.port! <= (hi ?? lo);
  });
}
