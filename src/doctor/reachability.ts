import { fromUint, parseCidr } from '../config/address-rules.js';
import { lastSegment } from '../resources/common.js';
import type { ResourceNames } from '../config/names.js';
import type { EnvConfig } from '../config/types.js';
import { decide, decideAllPorts, inRange, prefixLength, type FirewallDecision, type Instance } from './firewall-evaluation.js';
import type { CloudNat, NetworkModel, Route } from './network-model.js';

// Whether a packet from a cluster node reaches a destination, decided as
// Google Cloud decides it, from the live network model alone (no I/O):
// 0. the source must sit in its subnetwork;
// 1. the metadata server is always reachable;
// 2. the route: subnet routes first for their ranges, then the most specific
//    destination prefix among the routes that apply to the node, then the
//    lowest priority number;
// 3. the egress firewall of the node;
// 4. the next hop: the default internet gateway delivers to Google APIs only
//    with Private Google Access on the node's subnetwork, and to the
//    internet only with an external IP or a Cloud NAT serving that
//    subnetwork; inside the network, the ingress firewall of the destination
//    decides (a Secure Web Proxy gateway is not a VM and has none).
// Another engineer's `--connectivity-tests` runs the same questions as real
// Connectivity Tests and compares: keep `isolationQuestions` and `analyze`
// small and stable.

/** The node a question starts from. */
export interface SourceNode extends Instance {
  /** Name of the subnetwork that holds `ipAddress`. */
  subnetwork: string;
  externalIp: boolean;
}

export interface IsolationQuestion {
  id: string;
  description: string;
  protocol: 'TCP' | 'UDP' | 'ICMP';
  /** `port` absent for TCP or UDP: every port 0-65535 must be reachable (a Connectivity Test checks one). */
  destination: { ipAddress: string; port?: number };
  expect: 'reachable' | 'unreachable';
}

export interface Reachability {
  reachable: boolean;
  /** The route that carried (or would carry) the packet; absent when none was needed or none exists. */
  route?: string;
  /** The firewall rules that decided, egress first, implied ones by their Google names. */
  firewall?: string[];
  reason: string;
}

/** The metadata server's address (metadata.google.internal). */
export const METADATA_SERVER = '169.254.169.254';
/** private.googleapis.com and restricted.googleapis.com: the VIPs Private Google Access serves. */
export const GOOGLE_API_VIPS = ['199.36.153.8/30', '199.36.153.4/30'];
/**
 * The "arbitrary internet address": TEST-NET-3 (RFC 5737), so that no
 * question ever names a real host; to a VPC network it is internet.
 */
export const INTERNET_SAMPLE = '203.0.113.10';

/** The first and second usable addresses of the cluster subnet (the first two of a range are reserved). */
export function clusterAddresses(config: EnvConfig): [string, string] {
  const first = parseCidr(config.range)!.first;
  return [fromUint(first + 2), fromUint(first + 3)];
}

/** A node of the cluster subnet, with the cluster's tag and service account when env.json names a cluster. */
export function clusterNode(config: EnvConfig, names: ResourceNames, externalIp = false): SourceNode {
  const withCluster = !!config.clusterName;
  return {
    ipAddress: clusterAddresses(config)[0], subnetwork: names.clusterSubnet, externalIp,
    tags: withCluster ? [names.nodeTag] : [],
    serviceAccount: withCluster ? names.serviceAccountEmail : undefined,
  };
}

export function isolationQuestions(config: EnvConfig, _names: ResourceNames): IsolationQuestion[] {
  const peer = clusterAddresses(config)[1];
  const intra = (protocol: 'TCP' | 'UDP' | 'ICMP'): IsolationQuestion => ({
    id: `intra-cluster-${protocol.toLowerCase()}`, protocol, destination: { ipAddress: peer }, expect: 'reachable',
    description: `another cluster node (${peer}) over ${protocol}${protocol === 'ICMP' ? '' : ' on every port'}`,
  });
  return [
    { id: 'internet-direct', description: `an internet address (${INTERNET_SAMPLE}:443) directly`, protocol: 'TCP',
      destination: { ipAddress: INTERNET_SAMPLE, port: 443 }, expect: 'unreachable' },
    { id: 'proxy', description: `the Secure Web Proxy (${config.swpIp}:${config.swpPort})`, protocol: 'TCP',
      destination: { ipAddress: config.swpIp, port: config.swpPort }, expect: 'reachable' },
    { id: 'google-apis', description: 'private.googleapis.com (199.36.153.8:443)', protocol: 'TCP',
      destination: { ipAddress: '199.36.153.8', port: 443 }, expect: 'reachable' },
    { id: 'metadata-server', description: `the metadata server (${METADATA_SERVER}:80)`, protocol: 'TCP',
      destination: { ipAddress: METADATA_SERVER, port: 80 }, expect: 'reachable' },
    intra('TCP'), intra('UDP'), intra('ICMP'),
  ];
}

export function analyze(model: NetworkModel, source: SourceNode, q: IsolationQuestion): Reachability {
  const dest = q.destination.ipAddress;

  // 0. A node exists only inside a subnetwork of the network.
  const home = model.subnetworks.find((s) => s.name === source.subnetwork);
  if (!home || !inRange(source.ipAddress, home.ranges[0])) {
    return { reachable: false, reason: `no subnetwork ${source.subnetwork} of network ${lastSegment(model.network)} ` +
      `in ${model.region} holds ${source.ipAddress}` };
  }

  // 1. "VPC firewall rules don't apply to ... the metadata server
  //    (169.254.169.254)": it is always reachable from the VM it serves
  //    (cloud.google.com/firewall/docs/firewalls, "Always allowed traffic").
  if (dest === METADATA_SERVER) {
    return { reachable: true, firewall: [], reason: 'the metadata server is always reachable; VPC firewall rules do not apply to it' };
  }

  // 2. The route.
  const route = selectRoute(model, source, dest);
  if (!route) return { reachable: false, reason: `no route of the network covers ${dest} (NO_ROUTE)` };

  // 3. The egress firewall.
  const egress = decideEvery(model, 'EGRESS', source, { ipAddress: dest, tags: [] }, q);
  if (egress.denied) {
    return { reachable: false, route: route.name, firewall: [egress.denied.rule],
      reason: `egress ${egress.at} denied by ${describe(egress.denied)}` };
  }
  const firewall = egress.rules;

  // 4. The next hop.
  const hop = route.nextHop;
  if (hop.kind === 'internet-gateway') return viaInternetGateway(model, source, dest, route, firewall);
  if (hop.kind !== 'network' && GOOGLE_API_VIPS.some((v) => inRange(dest, v))) {
    return { reachable: false, route: route.name, firewall,
      reason: `Private Google Access needs a route to the default internet gateway; route ${route.name} sends ${dest} to ${hop.kind} ${hop.target}` };
  }
  if (hop.kind !== 'network') {
    return { reachable: true, route: route.name, firewall,
      reason: `forwarded to next hop ${hop.kind} ${hop.target}; what it does next is outside the model` };
  }
  const gateway = model.gateways.find((g) => g.addresses.includes(dest));
  if (gateway) {
    // A Secure Web Proxy gateway is a Google-managed proxy, not a VM: no
    // ingress VPC firewall rule applies to it. It accepts its own ports only.
    const port = q.destination.port;
    if (q.protocol !== 'TCP' || port === undefined || !gateway.ports.includes(port)) {
      return { reachable: false, route: route.name, firewall,
        reason: `gateway ${gateway.name} listens on TCP ${gateway.ports.join(', ') || 'no port'} only` };
    }
    return { reachable: true, route: route.name, firewall, reason: `delivered to gateway ${gateway.name}` };
  }

  // Another address of the network: taken as a peer node, with the source's tags and service account.
  const ingress = decideEvery(model, 'INGRESS', source, { ...source, ipAddress: dest }, q);
  if (ingress.denied) {
    return { reachable: false, route: route.name, firewall: [...firewall, ingress.denied.rule],
      reason: `ingress ${ingress.at} at ${dest} denied by ${describe(ingress.denied)}` };
  }
  return { reachable: true, route: route.name, firewall: [...firewall, ...ingress.rules],
    reason: `delivered to ${dest} inside the network` };
}

/**
 * Subnet routes first: no other route overrides a subnet route for its
 * range. Otherwise the most specific prefix among routes that apply to the
 * node (no tags, or one of its tags), then the lowest priority number; equal
 * ones spread traffic (ECMP) and the first by name stands for them.
 */
export function selectRoute(model: NetworkModel, source: SourceNode, dest: string): Route | undefined {
  const subnet = subnetRoutes(model).find((r) => inRange(dest, r.destRange));
  if (subnet) return subnet;
  return model.routes
    .filter((r) => !r.subnet && inRange(dest, r.destRange) && routeApplies(r, source))
    .sort((a, b) => prefixLength(b.destRange) - prefixLength(a.destRange) || a.priority - b.priority ||
      a.name.localeCompare(b.name))[0];
}

/** The subnet routes the API lists, plus one per range of the region's subnetworks. */
export function subnetRoutes(model: NetworkModel): Route[] {
  const listed = model.routes.filter((r) => r.subnet);
  const derived = model.subnetworks.flatMap((s) => s.ranges
    .filter((range) => !listed.some((r) => r.destRange === range))
    .map((range): Route => ({ name: `subnet route ${range} (${s.name})`, destRange: range, priority: 0,
      tags: [], nextHop: { kind: 'network' }, subnet: true })));
  return [...listed, ...derived];
}

/** A route applies to an instance when it has no tags or one of the instance's network tags. */
export const routeApplies = (r: Route, i: Instance): boolean => !r.tags.length || r.tags.some((t) => i.tags.includes(t));

/** The `0.0.0.0/0 -> default-internet-gateway` routes of the network, those that apply to `node` first. */
export function defaultInternetRoutes(model: NetworkModel, node: Instance): { applying: Route[]; others: Route[] } {
  const all = model.routes.filter((r) => r.destRange === '0.0.0.0/0' && r.nextHop.kind === 'internet-gateway');
  return { applying: all.filter((r) => routeApplies(r, node)), others: all.filter((r) => !routeApplies(r, node)) };
}

/** The Cloud NATs that translate VM traffic from `subnetwork`. */
export function natsServing(model: NetworkModel, subnetwork: string): CloudNat[] {
  return model.nats.filter((n) => n.endpointTypes.includes('ENDPOINT_TYPE_VM') &&
    (n.sourceSubnetworkIpRangesToNat.startsWith('ALL_SUBNETWORKS') ||
      (n.sourceSubnetworkIpRangesToNat === 'LIST_OF_SUBNETWORKS' && n.subnetworks.includes(subnetwork))));
}

function viaInternetGateway(model: NetworkModel, source: SourceNode, dest: string, route: Route,
  firewall: string[]): Reachability {
  const subnet = model.subnetworks.find((s) => s.name === source.subnetwork);
  if (GOOGLE_API_VIPS.some((v) => inRange(dest, v))) {
    if (source.externalIp || subnet?.privateIpGoogleAccess) {
      return { reachable: true, route: route.name, firewall,
        reason: source.externalIp ? 'Google APIs over the node\'s external IP'
          : `Private Google Access is on for subnetwork ${source.subnetwork}` };
    }
    return { reachable: false, route: route.name, firewall,
      reason: `Private Google Access is off for subnetwork ${source.subnetwork} (PRIVATE_GOOGLE_ACCESS_DISALLOWED)` };
  }
  if (source.externalIp) return { reachable: true, route: route.name, firewall, reason: 'the node has an external IP' };
  const nat = natsServing(model, source.subnetwork)[0];
  if (nat) {
    return { reachable: true, route: route.name, firewall,
      reason: `Cloud NAT ${nat.name} of router ${nat.router} translates subnetwork ${source.subnetwork}` };
  }
  return { reachable: false, route: route.name, firewall,
    reason: `no external IP and no Cloud NAT serves subnetwork ${source.subnetwork} (NO_EXTERNAL_ADDRESS)` };
}

interface EveryPort {
  /** The first denying decision, if any port (or the one port) is denied. */
  denied?: FirewallDecision;
  /** Where it was denied: `TCP 8088`, `ICMP`. */
  at: string;
  first: FirewallDecision;
  /** The distinct allowing rules, by name. */
  rules: string[];
}

/** Decides the question's port, or every port when it names none. */
function decideEvery(model: NetworkModel, direction: 'INGRESS' | 'EGRESS', source: Instance, destination: Instance,
  q: IsolationQuestion): EveryPort {
  const c = { direction, source, destination, protocol: q.protocol, port: q.destination.port };
  const each = q.protocol !== 'ICMP' && c.port === undefined
    ? decideAllPorts(model, c)
    : [{ port: c.port, decision: decide(model, c) }];
  const bad = each.find((d) => d.decision.action === 'deny');
  const at = `${q.protocol}${bad?.port !== undefined ? ` ${bad.port}` : ''}`;
  return { denied: bad?.decision, at, first: each[0].decision,
    rules: [...new Set(each.map((d) => d.decision.rule))] };
}

export function describe(d: FirewallDecision): string {
  if (d.type === 'VPC_FIREWALL_RULE') return `firewall rule ${d.rule} (${d.action}, priority ${d.priority})`;
  if (d.type === 'IMPLIED_VPC_FIREWALL_RULE') return `${d.rule} (IMPLIED_VPC_FIREWALL_RULE, priority ${d.priority})`;
  return `firewall policy rule ${d.rule} (${d.type}, ${d.action}, priority ${d.priority})`;
}
