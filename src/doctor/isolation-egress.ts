import { fromUint, parseAddress, parseCidr } from '../config/address-rules.js';
import { fail, pass, type CheckResult } from './check.js';
import { decide, inAny, portRange, PROTOCOL_NUMBERS, type FirewallDecision } from './firewall-evaluation.js';
import type { IsolationContext } from './isolation-layers.js';
import type { Route } from './network-model.js';
import {
  describe as describeRule, GOOGLE_API_VIPS, METADATA_SERVER, routeApplies, selectRoute, subnetRoutes,
} from './reachability.js';

// The two layers that decide where a node's packets may go outside the VPC,
// judged over every destination, protocol and port, not on one sample
// (F17): the egress firewall may let a node send only to the proxy
// (SWP_IP:SWP_PORT over TCP), the Google API VIPs on TCP 443 and the VPC's
// own ranges; and every route that carries a node's traffic to anything
// outside the VPC must end at the default internet gateway, where no
// external IP and no Cloud NAT leave nowhere to go but Google APIs.
//
// Exact, not sampled: the verdict of a firewall or a route can only change
// where some range or port range starts or ends, so the address space and
// the ports are cut at every such boundary and each piece is decided once,
// by its first address and port, with the same evaluation as the questions.

const LAST_ADDRESS = 2 ** 32 - 1;

/** A piece of the address space, `[first, last]` as unsigned integers. */
type Span = [number, number];

/** What a layer lets out, grouped by the rule or route that decided it. */
interface Leak<T> {
  by: T;
  /** The first piece it decided, as text: `0.0.0.0-9.255.255.255 on TCP 80`. */
  first: string;
  /** How many further pieces it decided. */
  more: number;
  /** The protocols of all its pieces (firewall leaks only). */
  protocols: Set<string>;
}

/** The VPC's own ranges: its subnet routes (listed, and those of the region's subnetworks). */
export const vpcRanges = (x: IsolationContext): string[] => [...new Set(subnetRoutes(x.model).map((r) => r.destRange))].sort();

/** Cuts the IPv4 space at every start and end of `ranges` (CIDRs or bare addresses). */
function spans(ranges: string[]): Span[] {
  const starts = new Set([0]);
  for (const r of ranges) {
    const c = parseCidr(r) ?? (parseAddress(r) !== undefined ? parseCidr(`${r}/32`) : undefined);
    if (!c) continue;
    starts.add(c.first);
    if (c.last < LAST_ADDRESS) starts.add(c.last + 1);
  }
  const sorted = [...starts].sort((a, b) => a - b);
  return sorted.map((s, i): Span => [s, i + 1 < sorted.length ? sorted[i + 1] - 1 : LAST_ADDRESS]);
}

const spanText = ([a, b]: Span): string => (a === b ? fromUint(a) : `${fromUint(a)}-${fromUint(b)}`);
const portText = ([a, b]: Span): string => (a === b ? String(a) : `${a}-${b}`);

/** The pieces outside the VPC and the metadata server (which no firewall or route governs), with their first address. */
function outsideSpans(x: IsolationContext, ranges: string[]): Array<{ span: Span; ip: string }> {
  const vpc = vpcRanges(x);
  return spans([...ranges, ...vpc, ...GOOGLE_API_VIPS, `${x.config.swpIp}/32`, `${METADATA_SERVER}/32`])
    .map((span) => ({ span, ip: fromUint(span[0]) }))
    .filter(({ ip }) => ip !== METADATA_SERVER && !inAny(ip, vpc, false));
}

function collect<T>(leaks: Map<string, Leak<T>>, key: string, by: T, text: string, protocol?: string): void {
  const l = leaks.get(key) ?? { by, first: text, more: -1, protocols: new Set<string>() };
  l.more += 1;
  if (protocol) l.protocols.add(protocol);
  leaks.set(key, l);
}

const more = (l: Leak<unknown>): string => (l.more ? ` (and ${l.more} more piece(s)` +
  `${l.protocols.size > 1 ? `, on ${[...l.protocols].join(', ')}` : ''})` : '');

/** Protocols to try: TCP, UDP, ICMP and any other an egress rule names (`all` is covered by these). */
function protocols(x: IsolationContext): string[] {
  const named = [...x.model.firewalls.filter((f) => f.direction === 'EGRESS').flatMap((f) => f.entries),
    ...(x.model.firewallPolicies ?? []).flatMap((p) => p.rules.filter((r) => r.direction === 'EGRESS').flatMap((r) => r.layer4))]
    .map((e) => (PROTOCOL_NUMBERS[e.protocol] ?? e.protocol).toUpperCase());
  return [...new Set(['TCP', 'UDP', 'ICMP', ...named.filter((p) => p !== 'ALL')])];
}

/** Port pieces for protocols with ports, cut where a rule's ports or the allowed ports start or end. */
function portSpans(x: IsolationContext): Span[] {
  const starts = new Set([0, 443, 444, x.config.swpPort, x.config.swpPort + 1]);
  const entries = [...x.model.firewalls.flatMap((f) => f.entries),
    ...(x.model.firewallPolicies ?? []).flatMap((p) => p.rules.flatMap((r) => r.layer4))];
  for (const [lo, hi] of entries.flatMap((e) => e.ports.map(portRange))) {
    starts.add(lo);
    if (hi < 65535) starts.add(hi + 1);
  }
  const sorted = [...starts].filter((p) => p <= 65535).sort((a, b) => a - b);
  return sorted.map((s, i): Span => [s, i + 1 < sorted.length ? sorted[i + 1] - 1 : 65535]);
}

const PORTED = new Set(['TCP', 'UDP', 'SCTP']);

/** Whether F17 lets a node send this outside the VPC: the proxy's port, or a Google API VIP on 443, over TCP. */
function permitted(x: IsolationContext, ip: string, protocol: string, port?: number): boolean {
  if (protocol !== 'TCP') return false;
  if (ip === x.config.swpIp) return port === x.config.swpPort;
  return port === 443 && inAny(ip, GOOGLE_API_VIPS, false);
}

export function egressFirewall(x: IsolationContext): CheckResult {
  const name = 'isolation.egress-firewall';
  const leaks = new Map<string, Leak<FirewallDecision>>();
  const deniers = new Set<string>();
  const ranges = [...x.model.firewalls.flatMap((f) => f.destinationRanges),
    ...(x.model.firewallPolicies ?? []).flatMap((p) => p.rules.flatMap((r) => r.destIpRanges))];
  const ports = portSpans(x);
  const named = protocols(x);

  for (const { span, ip } of outsideSpans(x, ranges)) {
    for (const protocol of named) {
      for (const p of PORTED.has(protocol) ? ports : [undefined]) {
        const port = p?.[0];
        if (permitted(x, ip, protocol, port)) continue;
        const destination = { ipAddress: ip, tags: [] };
        const d = decide(x.model, { direction: 'EGRESS', source: x.node, destination, protocol, port });
        if (d.action === 'deny') deniers.add(describeRule(d));
        else collect(leaks, d.rule, d, `${spanText(span)} on ${protocol}${p ? ` ${portText(p)}` : ''}`, protocol);
      }
    }
  }

  const skipped = (x.model.firewallPolicies ?? []).flatMap((p) => p.rules.filter((r) => r.unevaluated && !r.disabled)
    .map((r) => `${p.name}: ${r.name}`));
  const unseen = skipped.length ? `; not evaluated (secure tags, FQDNs, address groups, ...): ${skipped.join(', ')}` : '';
  const allowed = `the proxy ${x.config.swpIp}:${x.config.swpPort}, ${GOOGLE_API_VIPS.join(' and ')} on 443 and the VPC ranges ` +
    vpcRanges(x).join(', ');
  if (!leaks.size) {
    return pass(name, `egress from ${x.node.ipAddress} to every destination but ${allowed} is denied on every protocol and ` +
      `port, by ${[...deniers].join(', ')}${unseen}`);
  }
  const found = [...leaks.values()];
  return fail(name, `egress from ${x.node.ipAddress} outside ${allowed}: ` +
    found.map((l) => `to ${l.first}${more(l)} is allowed by ${describeRule(l.by)}`).join('; ') + unseen,
  found.map((l) => firewallFix(x, l.by)).join('; '));
}

function firewallFix(x: IsolationContext, d: FirewallDecision): string {
  const deny = x.names.firewall.egressDenyAll;
  if (d.type === 'IMPLIED_VPC_FIREWALL_RULE') {
    return `nothing denies egress: run \`dpgce up\` to restore firewall rule ${deny} ` +
      '(deny all egress to 0.0.0.0/0 at priority 65000)';
  }
  const narrow = 'egress may be allowed only to the proxy, the Google API VIPs on 443 and the VPC ranges, ' +
    `so that ${deny} denies the rest`;
  if (d.type !== 'VPC_FIREWALL_RULE') return `remove or narrow firewall policy rule ${d.rule}: ${narrow}`;
  return `delete firewall rule ${d.rule} (\`gcloud compute firewall-rules delete ${d.rule} ` +
    `--project=${x.config.projectId}\`) or narrow its destinationRanges and ports: ${narrow}`;
}

/**
 * F17's route layer: outside the VPC and the Google API VIPs, the route that
 * applies to a node must end at the default internet gateway.
 */
export function internetRoutes(x: IsolationContext): CheckResult {
  const name = 'isolation.internet-routes';
  const applicable = x.model.routes.filter((r) => !r.subnet && routeApplies(r, x.node));
  const leaks = new Map<string, Leak<Route>>();
  const gateway = new Set<string>();

  // A VIP sent elsewhere is not internet traffic but lost Private Google
  // Access: isolation.google-apis says so.
  for (const { span, ip } of outsideSpans(x, applicable.map((r) => r.destRange))) {
    if (inAny(ip, GOOGLE_API_VIPS, false)) continue;
    const route = selectRoute(x.model, x.node, ip);
    if (!route) continue;
    if (route.nextHop.kind === 'internet-gateway') gateway.add(`${route.name} (${route.destRange})`);
    else collect(leaks, route.name, route, spanText(span));
  }

  if (!leaks.size) {
    return pass(name, `every route that applies to ${x.node.ipAddress} for destinations outside the VPC ends at the ` +
      `default internet gateway: ${[...gateway].join(', ') || 'no such route (nothing leaves the VPC)'}`);
  }
  const found = [...leaks.values()];
  return fail(name, found.map((l) => `route ${l.by.name} (${l.by.destRange}, priority ${l.by.priority}` +
    `${l.by.tags.length ? `, tags ${l.by.tags.join(', ')}` : ''}) sends ${l.first}${more(l)} from ${x.node.ipAddress} ` +
    `to next hop ${hopText(l.by)}`).join('; '),
  `nodes may leave the VPC only through the proxy and, for Google APIs, the default internet gateway; what lies ` +
    `beyond ${found.map((l) => l.by.name).join(', ')} can reach the internet: delete it (` +
    found.map((l) => `\`gcloud compute routes delete ${l.by.name} --project=${x.config.projectId}\``).join(', ') +
    `) or give it tags the cluster nodes do not carry`);
}

const hopText = (r: Route): string => ('target' in r.nextHop ? `${r.nextHop.kind} ${r.nextHop.target}` : r.nextHop.kind);
