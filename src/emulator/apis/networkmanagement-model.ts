import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { contains, formatIpv4, parseCidr, parseIpv4, type Cidr } from './cidr.js';
import { computeRef } from './common.js';

// What the Network Management emulator's reachability analysis sees of a
// project: the VPC networks, their subnetworks, routes (the stored ones plus
// the subnet routes Google keeps for every subnetwork range), firewall rules,
// Cloud NATs, and the endpoints that hold addresses (Secure Web Proxy
// gateways, Dataproc nodes). Read from the emulator's own store, never from
// the client side.

/** The canonical short form Network Management uses: `projects/P/global/networks/N`. */
export const shortRef = (link: string, project: string): string => computeRef(String(link), project);

export interface Subnet {
  uri: string;
  name: string;
  region: string;
  network: string;
  ranges: { text: string; cidr: Cidr }[];
  privateGoogleAccess: boolean;
  resource: Resource;
}

/** A route as analysed: stored routes and synthesized subnet routes alike. */
export interface RouteView {
  name: string;
  uri: string;
  routeType: 'SUBNET' | 'STATIC';
  destRange: string;
  cidr: Cidr;
  priority: number;
  tags: string[];
  resource?: Resource;
}

/** A VM the emulator can place: each node of a stored Dataproc cluster. */
export interface InstanceView {
  uri: string;
  name: string;
  zone: string;
  ip: string;
  subnet: Subnet;
  tags: string[];
  serviceAccount?: string;
  externalIp: boolean;
}

export interface NetworkView {
  project: string;
  uri: string;
  name: string;
  subnets: Subnet[];
  routes: RouteView[];
  firewalls: Resource[];
  routers: Resource[];
  /** Addresses held by Secure Web Proxy gateways: ip -> gateway name. */
  gateways: Map<string, Resource>;
  instances: InstanceView[];
}

/** Every network of the project, keyed by `projects/P/global/networks/N`. */
export function networksOf(ctx: EmuContext, project: string): NetworkView[] {
  return ctx.store.list(`projects/${project}/global/networks`).map((n) => networkView(ctx, project, n));
}

function networkView(ctx: EmuContext, project: string, network: Resource): NetworkView {
  const uri = `projects/${project}/global/networks/${network.name}`;
  const inNetwork = (r: Resource): boolean => shortRef(r.network ?? '', project) === uri;
  const subnets = regional(ctx, project, 'subnetworks').filter(inNetwork).map((s) => subnetView(project, s));
  const view: NetworkView = {
    project,
    uri,
    name: String(network.name),
    subnets,
    routes: [...subnets.flatMap(subnetRoutes), ...staticRoutes(ctx, project, uri)],
    firewalls: ctx.store.list(`projects/${project}/global/firewalls`).filter(inNetwork),
    routers: regional(ctx, project, 'routers').filter(inNetwork),
    gateways: new Map(),
    instances: [],
  };
  for (const [name, g] of ctx.store.entries(`projects/${project}/locations/`)) {
    if (!/\/gateways\/[^/]+$/.test(name) || shortRef(g.network ?? '', project) !== uri) continue;
    for (const a of g.addresses ?? []) view.gateways.set(String(a), { ...g, name });
  }
  view.instances = dataprocNodes(ctx, project, view);
  return view;
}

/** Resources of a regional compute collection, every region. */
function regional(ctx: EmuContext, project: string, collection: string): Resource[] {
  const re = new RegExp(`^projects/[^/]+/regions/[^/]+/${collection}/[^/]+$`);
  return ctx.store.entries(`projects/${project}/regions/`).filter(([k]) => re.test(k)).map(([, v]) => v);
}

function subnetView(project: string, s: Resource): Subnet {
  const region = String(s.region ?? '').split('/').pop() ?? '';
  const texts = [s.ipCidrRange, ...(s.secondaryIpRanges ?? []).map((r: Resource) => r.ipCidrRange)];
  return {
    uri: `projects/${project}/regions/${region}/subnetworks/${s.name}`,
    name: String(s.name),
    region,
    network: shortRef(s.network, project),
    ranges: texts.map((text) => ({ text: String(text), cidr: parseCidr(String(text)) as Cidr })).filter((r) => r.cidr),
    privateGoogleAccess: s.privateIpGoogleAccess === true,
    resource: s,
  };
}

/**
 * Google keeps one subnet route per subnetwork range, named `default-route-<hex>`
 * as the recorded trace shows. The emulator does not store them, so they are
 * derived here; the name's hex comes from the subnetwork's id and range, so it
 * stays the same between runs.
 */
function subnetRoutes(s: Subnet): RouteView[] {
  return s.ranges.map((r, i) => {
    const seed = BigInt(String(s.resource.id ?? '0').replace(/\D/g, '') || '0') + BigInt(r.cidr.base) + BigInt(i);
    const name = `default-route-${(seed & 0xffffffffffffffffn).toString(16).padStart(16, '0')}`;
    return { name, uri: `${s.network.replace(/\/global\/networks\/.*$/, '')}/global/routes/${name}`, routeType: 'SUBNET',
      destRange: r.text, cidr: r.cidr, priority: 0, tags: [] };
  });
}

function staticRoutes(ctx: EmuContext, project: string, network: string): RouteView[] {
  return ctx.store.list(`projects/${project}/global/routes`)
    .filter((r) => shortRef(r.network ?? '', project) === network)
    .map((r) => ({
      name: String(r.name), uri: `projects/${project}/global/routes/${r.name}`, routeType: 'STATIC' as const,
      destRange: String(r.destRange), cidr: parseCidr(String(r.destRange)) as Cidr,
      priority: Number(r.priority ?? 1000), tags: r.tags ?? [], resource: r,
    }))
    .filter((r) => r.cidr);
}

/**
 * The nodes of every stored Dataproc cluster on this network, as VMs with
 * internal addresses. The emulator stores no VMs, so each node gets the next
 * free address of its subnetwork from `.2` on (addresses of gateways and
 * reserved internal addresses skipped), in the order master, workers.
 */
function dataprocNodes(ctx: EmuContext, project: string, view: NetworkView): InstanceView[] {
  const out: InstanceView[] = [];
  const held = new Set<string>([...view.gateways.keys(), ...regional(ctx, project, 'addresses')
    .filter((a) => a.addressType === 'INTERNAL').map((a) => String(a.address))]);
  for (const c of regional(ctx, project, 'clusters')) {
    const gce = c.config?.gceClusterConfig ?? {};
    const subnet = view.subnets.find((s) => gce.subnetworkUri && shortRef(gce.subnetworkUri, project) === s.uri);
    if (!subnet) continue;
    const zone = String(gce.zoneUri ?? '').split('/').pop() ?? '';
    const names: string[] = [...(c.config?.masterConfig?.instanceNames ?? []), ...(c.config?.workerConfig?.instanceNames ?? [])];
    for (const name of names) {
      const ip = nextFree(subnet.ranges[0].cidr, held);
      if (!ip) break;
      held.add(ip);
      out.push({ uri: `projects/${project}/zones/${zone}/instances/${name}`, name, zone, ip, subnet,
        tags: gce.tags ?? [], serviceAccount: gce.serviceAccount, externalIp: gce.internalIpOnly === false });
    }
  }
  return out;
}

/** The first address from `.2` that nothing holds, below the second-to-last. */
function nextFree(range: Cidr, held: Set<string>): string | undefined {
  const size = 2 ** (32 - range.prefix);
  for (let n = 2; n < size - 2; n += 1) {
    const ip = formatIpv4((range.base + n) >>> 0);
    if (!held.has(ip)) return ip;
  }
  return undefined;
}

/** The subnetwork range of `view` holding `ip`, if any. */
export function subnetHolding(view: NetworkView, ip: number): { subnet: Subnet; range: string } | undefined {
  for (const s of view.subnets) {
    const r = s.ranges.find((x) => contains(x.cidr, ip));
    if (r) return { subnet: s, range: r.text };
  }
  return undefined;
}

/** Internal address space (RFC 1918, shared, link-local): never routed to the internet. */
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16']
  .map((t) => parseCidr(t) as Cidr);
export const isPrivate = (ip: number): boolean => PRIVATE.some((c) => contains(c, ip));

/** private.googleapis.com and restricted.googleapis.com, served by Private Google Access. */
const GOOGLE_API_VIPS = ['199.36.153.8/30', '199.36.153.4/30'].map((t) => parseCidr(t) as Cidr);
export const isGoogleApiVip = (ip: number): boolean => GOOGLE_API_VIPS.some((c) => contains(c, ip));

export const METADATA_SERVER = parseIpv4('169.254.169.254') as number;

/** Where a trace starts: an address of a subnetwork, and the VM holding it if any. */
export interface Start {
  view: NetworkView;
  ip: string;
  subnet: Subnet;
  instance?: InstanceView;
}

/** The source: a Dataproc node (by instance URI or address), else an address inside a subnetwork. */
export function placeSource(networks: NetworkView[], project: string, src: Resource): Start | undefined {
  const found = findInstance(networks, project, src);
  if (found) return { view: found.view, ip: found.vm.ip, subnet: found.vm.subnet, instance: found.vm };
  const ip = parseIpv4(String(src.ipAddress ?? ''));
  if (ip === undefined || src.instance) return undefined;
  const candidates = src.network ? networks.filter((n) => n.uri === shortRef(src.network, project)) : networks;
  for (const view of candidates) {
    const held = subnetHolding(view, ip);
    if (held) return { view, ip: String(src.ipAddress), subnet: held.subnet };
  }
  return undefined;
}

export function placeDestination(networks: NetworkView[], project: string, dst: Resource): { ip?: string; instance?: InstanceView } {
  const found = findInstance(networks, project, dst);
  return found ? { ip: found.vm.ip, instance: found.vm } : {};
}

function findInstance(networks: NetworkView[], project: string, e: Resource): { view: NetworkView; vm: InstanceView } | undefined {
  for (const view of networks) {
    const vm = view.instances.find((i) => (e.instance ? i.uri === shortRef(e.instance, project) : i.ip === e.ipAddress));
    if (vm) return { view, vm };
  }
  return undefined;
}
