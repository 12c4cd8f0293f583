import type { Prepared } from '../cli/context.js';
import type { Session } from '../gcp/session.js';
import { computePath, lastSegment } from '../resources/common.js';
import type { FirewallSet } from './firewall-evaluation.js';
import { toPolicies } from './firewall-policy.js';

// The live network model: everything that decides where a packet from a
// cluster node goes, read once from the environment's network and region.
// Routes and firewall rules are the whole network's, not only ours, because
// a rule someone else added decides as much as one of ours. Reading is the
// only I/O of the isolation checks; reachability.ts answers from the model.
// Hierarchical and global network firewall policies come from the network's
// effective firewalls; regional network firewall policies are not read.

export type NextHop =
  | { kind: 'internet-gateway' }
  /** A subnet route: delivered inside the VPC network. */
  | { kind: 'network' }
  | { kind: 'instance' | 'ip' | 'ilb' | 'vpn-tunnel' | 'peering' | 'hub'; target: string };

export interface Route {
  /** The route's name; for subnet routes derived from a subnetwork, `subnet route <range> (<subnetwork>)`. */
  name: string;
  destRange: string;
  priority: number;
  /** The route applies only to instances with one of these tags; empty: to all. */
  tags: string[];
  nextHop: NextHop;
  /** Subnet routes win over every other route for their range. */
  subnet: boolean;
}

export interface FirewallEntry {
  /** `tcp`, `udp`, `icmp`, `all`, another name or a protocol number, as the API stores it. */
  protocol: string;
  /** Ports and ranges (`"22"`, `"1000-2000"`); empty: every port. */
  ports: string[];
}

/** One VPC firewall rule, with the API's defaults applied. */
export interface FirewallRule {
  name: string;
  direction: 'INGRESS' | 'EGRESS';
  priority: number;
  action: 'allow' | 'deny';
  entries: FirewallEntry[];
  sourceRanges: string[];
  destinationRanges: string[];
  sourceTags: string[];
  targetTags: string[];
  sourceServiceAccounts: string[];
  targetServiceAccounts: string[];
  disabled: boolean;
}

export interface Subnetwork {
  name: string;
  /** The primary range first, then the secondary ranges. */
  ranges: string[];
  privateIpGoogleAccess: boolean;
  purpose: string;
}

/** A Cloud NAT gateway, as configured inside its Cloud Router. */
export interface CloudNat {
  router: string;
  name: string;
  sourceSubnetworkIpRangesToNat: string;
  /** Subnetwork names, for LIST_OF_SUBNETWORKS. */
  subnetworks: string[];
  /** Which endpoints it serves; VMs only when it holds ENDPOINT_TYPE_VM. */
  endpointTypes: string[];
}

export interface DnsRecord {
  name: string;
  type: string;
  rrdatas: string[];
}

/** A private managed zone bound to the network, with its record sets. */
export interface PrivateZone {
  name: string;
  dnsName: string;
  records: DnsRecord[];
}

/** A Secure Web Proxy gateway of the network: an address that is not a VM. */
export interface Gateway {
  name: string;
  addresses: string[];
  ports: number[];
}

/** Invariant: every collection holds only what belongs to `network` (and, for regional ones, the region). */
export interface NetworkModel extends FirewallSet {
  region: string;
  routes: Route[];
  subnetworks: Subnetwork[];
  nats: CloudNat[];
  zones: PrivateZone[];
  gateways: Gateway[];
}

/** The host whose DNS answer decides how nodes reach Google APIs (SWP_HOSTNAME decides how they reach the proxy). */
export const GOOGLE_APIS_SAMPLE_HOST = 'storage.googleapis.com.';

/** Reads the model for the environment's network and region, every collection in parallel and once. */
export async function readNetworkModel(p: Prepared): Promise<NetworkModel> {
  const { projectId: project, region } = p.config;
  const network = `projects/${project}/global/networks/${p.names.network}`;
  const s = p.session;
  const compute = await s.client('compute');
  // The filter narrows what the server sends; membership is decided below.
  const filter = `network = "https://www.googleapis.com/compute/v1/${network}"`;
  const global = `projects/${project}/global`;
  const regional = `projects/${project}/regions/${region}`;
  const inNetwork = (r: { network?: string | null }): boolean => computePath(r.network) === network;

  const [routes, effective, subnetworks, routers, zones, gateways] = await Promise.all([
    pages((pageToken) => s.call({ method: 'compute.routes.list', resource: `${global}/routes` },
      () => compute.routes.list({ project, filter, pageToken }))),
    // The network's VPC firewall rules and the firewall policies in force on it, in one answer.
    s.call({ method: 'compute.networks.getEffectiveFirewalls', resource: network },
      () => compute.networks.getEffectiveFirewalls({ project, network: p.names.network })),
    pages((pageToken) => s.call({ method: 'compute.subnetworks.list', resource: `${regional}/subnetworks` },
      () => compute.subnetworks.list({ project, region, filter, pageToken }))),
    pages((pageToken) => s.call({ method: 'compute.routers.list', resource: `${regional}/routers` },
      () => compute.routers.list({ project, region, filter, pageToken }))),
    readZones(s, project, network, [GOOGLE_APIS_SAMPLE_HOST, `${p.config.swpHostname}.`]),
    readGateways(s, project, region, network),
  ]);

  return {
    network, region,
    routes: routes.filter(inNetwork).map(toRoute),
    firewalls: (effective.firewalls ?? []).filter(inNetwork).map(toFirewall),
    firewallPolicies: toPolicies(effective.firewallPolicys ?? []),
    policyEnforcementOrder: p.ctx.observed.get('network.main')?.actual?.networkFirewallPolicyEnforcementOrder ??
      'AFTER_CLASSIC_FIREWALL',
    subnetworks: subnetworks.filter(inNetwork).map(toSubnetwork),
    nats: routers.filter(inNetwork).flatMap(toNats),
    zones, gateways,
  };
}

/** Every item of a paged list, its items under `key` (`items` for compute). */
async function pages(read: (token?: string) => Promise<any>, key = 'items', token?: string): Promise<any[]> {
  const page = await read(token);
  const rest = page.nextPageToken ? await pages(read, key, page.nextPageToken) : [];
  return [...(page[key] ?? []), ...rest];
}

/**
 * The private zones bound to the network that can answer for one of
 * `hosts` (the Google API sample host, SWP_HOSTNAME: their DNS name is a
 * suffix of it), with their records. Cloud DNS's list has no network
 * filter, so zones are chosen here.
 */
async function readZones(s: Session, project: string, network: string, hosts: string[]): Promise<PrivateZone[]> {
  const dns = await s.client('dns');
  const zones = await pages((pageToken) => s.call({ method: 'dns.managedZones.list', resource: `projects/${project}/managedZones` },
    () => dns.managedZones.list({ project, pageToken })), 'managedZones');

  const bound = zones.filter((z) => z.visibility === 'private' &&
    (z.privateVisibilityConfig?.networks ?? []).some((n: any) => computePath(n.networkUrl) === network) &&
    hosts.some((h) => h === z.dnsName || h.endsWith(`.${z.dnsName}`)));
  return Promise.all(bound.map(async (z) => {
    const rrsets = await pages((pageToken) => s.call({ method: 'dns.resourceRecordSets.list',
      resource: `projects/${project}/managedZones/${z.name}` },
    () => dns.resourceRecordSets.list({ project, managedZone: z.name, pageToken })), 'rrsets');
    const records = rrsets.map((r) => ({ name: String(r.name), type: String(r.type), rrdatas: strings(r.rrdatas) }));
    return { name: z.name, dnsName: z.dnsName, records };
  }));
}

async function readGateways(s: Session, project: string, region: string, network: string): Promise<Gateway[]> {
  const ns = await s.client('networkservices');
  const parent = `projects/${project}/locations/${region}`;
  const gateways = await pages((pageToken) => s.call({ method: 'networkservices.gateways.list', resource: parent },
    () => ns.projects.locations.gateways.list({ parent, pageToken })), 'gateways');
  return gateways
    .filter((g) => g.type === 'SECURE_WEB_GATEWAY' && computePath(g.network) === network)
    .map((g) => ({ name: String(g.name), addresses: strings(g.addresses), ports: (g.ports ?? []).map(Number) }));
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function toRoute(r: any): Route {
  const hop = (): NextHop => {
    if (r.nextHopGateway) return { kind: 'internet-gateway' };
    if (r.nextHopNetwork) return { kind: 'network' };
    if (r.nextHopInstance) return { kind: 'instance', target: lastSegment(r.nextHopInstance) };
    if (r.nextHopIlb) return { kind: 'ilb', target: lastSegment(r.nextHopIlb) };
    if (r.nextHopIp) return { kind: 'ip', target: r.nextHopIp };
    if (r.nextHopVpnTunnel) return { kind: 'vpn-tunnel', target: lastSegment(r.nextHopVpnTunnel) };
    if (r.nextHopPeering) return { kind: 'peering', target: r.nextHopPeering };
    return { kind: 'hub', target: r.nextHopHub ?? 'unknown' };
  };
  return {
    name: r.name, destRange: r.destRange, priority: r.priority ?? 1000, tags: strings(r.tags),
    nextHop: hop(), subnet: r.routeType === 'SUBNET' || !!r.nextHopNetwork,
  };
}

function toFirewall(f: any): FirewallRule {
  const denied = Array.isArray(f.denied) && f.denied.length > 0;
  const entries = (denied ? f.denied : f.allowed ?? []) as any[];
  return {
    name: f.name,
    direction: f.direction === 'EGRESS' ? 'EGRESS' : 'INGRESS',
    priority: f.priority ?? 1000,
    action: denied ? 'deny' : 'allow',
    entries: entries.map((e) => ({ protocol: String(e.IPProtocol).toLowerCase(), ports: strings(e.ports) })),
    sourceRanges: strings(f.sourceRanges),
    destinationRanges: strings(f.destinationRanges),
    sourceTags: strings(f.sourceTags),
    targetTags: strings(f.targetTags),
    sourceServiceAccounts: strings(f.sourceServiceAccounts),
    targetServiceAccounts: strings(f.targetServiceAccounts),
    disabled: f.disabled === true,
  };
}

function toSubnetwork(s: any): Subnetwork {
  const secondary = (s.secondaryIpRanges ?? []).map((r: any) => String(r.ipCidrRange));
  return {
    name: s.name, ranges: [s.ipCidrRange, ...secondary],
    privateIpGoogleAccess: s.privateIpGoogleAccess === true, purpose: s.purpose ?? 'PRIVATE',
  };
}

function toNats(router: any): CloudNat[] {
  return (router.nats ?? []).map((n: any) => ({
    router: router.name, name: n.name,
    sourceSubnetworkIpRangesToNat: n.sourceSubnetworkIpRangesToNat ?? '',
    subnetworks: (n.subnetworks ?? []).map((x: any) => lastSegment(String(x.name))),
    // The API's default when a NAT names no endpoint types.
    endpointTypes: n.endpointTypes?.length ? strings(n.endpointTypes) : ['ENDPOINT_TYPE_VM'],
  }));
}
