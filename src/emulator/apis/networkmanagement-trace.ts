import { randomInt } from 'node:crypto';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { contains, parseIpv4 } from './cidr.js';
import { nowIso } from './common.js';
import { evaluate, type Packet } from './networkmanagement-firewall.js';
import {
  METADATA_SERVER, isGoogleApiVip, isPrivate, networksOf, placeDestination, placeSource, shortRef,
  type NetworkView, type RouteView, type Start, type Subnet,
} from './networkmanagement-model.js';

// The reachability analysis behind a connectivity test, over the emulator's
// own state. One forward trace, stepped as Google's network state machine
// documents it: the start (a VM or an address of a VPC network), the egress
// firewall, the route, then what the route leads to (the destination's
// subnetwork and the VM there behind its ingress firewall; the internet
// through an external address or Cloud NAT; Google APIs through Private
// Google Access), ending in DELIVER, DROP or ABORT.

interface Walk {
  project: string;
  steps: Resource[];
}

/** `reachabilityDetails` of a test, computed now. */
export function reachability(ctx: EmuContext, project: string, test: Resource): Resource {
  const protocol = String(test.protocol ?? 'TCP');
  const withPorts = protocol === 'TCP' || protocol === 'UDP';
  const networks = networksOf(ctx, project);
  const w: Walk = { project, steps: [] };
  const start = placeSource(networks, project, test.source ?? {});
  const destination = placeDestination(networks, project, test.destination ?? {});
  const dstIp = destination.ip ?? String(test.destination?.ipAddress ?? '');
  const endpointInfo: Resource = { destinationIp: dstIp, protocol, sourceIp: start?.ip ?? test.source?.ipAddress };
  if (withPorts) {
    endpointInfo.destinationPort = Number(test.destination?.port ?? 80);
    endpointInfo.sourcePort = randomInt(32768, 61000);
  }
  if (start) endpointInfo.sourceNetworkUri = start.view.uri;
  if (start && destination.instance) endpointInfo.destinationNetworkUri = start.view.uri;

  if (!start) {
    step(w, 'ABORT', 'Final state: analysis is aborted because no source location matches the source endpoint.',
      { abort: { cause: 'NO_SOURCE_LOCATION', ipAddress: test.source?.ipAddress } });
  } else {
    const packet: Packet = { srcIp: start.ip, dstIp, protocol, port: endpointInfo.destinationPort,
      source: start.instance, destination: destination.instance };
    walk(w, start, packet, test.bypassFirewallChecks === true);
  }
  const final = w.steps.at(-1)?.state;
  return {
    result: final === 'DELIVER' ? 'REACHABLE' : final === 'DROP' ? 'UNREACHABLE' : 'UNDETERMINED',
    traces: [{ endpointInfo, forwardTraceId: 1, steps: w.steps }],
    verifyTime: nowIso(),
  };
}

function walk(w: Walk, start: Start, p: Packet, bypassFirewalls: boolean): void {
  startStep(w, start);

  // The metadata server answers every VM; VPC firewall rules never apply to it.
  if (parseIpv4(p.dstIp) === METADATA_SERVER) {
    step(w, 'DELIVER', 'Final state: packet delivered to the Compute Engine metadata server.',
      { deliver: { target: 'GOOGLE_MANAGED_SERVICE', ipAddress: p.dstIp } });
    return;
  }

  if (!bypassFirewalls) {
    const egress = evaluate(start.view, 'EGRESS', p);
    const s = step(w, 'APPLY_EGRESS_FIREWALL_RULE', 'Config checking state: verify EGRESS firewall rule.',
      { firewall: egress.info });
    if (!egress.allowed) return dropByFirewall(w, s, egress.uri, p);
  }

  const route = selectRoute(start, p.dstIp);
  if (!route) {
    step(w, 'DROP', 'Final state: packet could be dropped due to no matching routes.',
      { drop: { cause: 'NO_ROUTE', destinationIp: p.dstIp, resourceUri: start.view.uri, sourceIp: p.srcIp } });
    return;
  }
  step(w, 'APPLY_ROUTE', 'Config checking state: verify route.', { route: routeInfo(start.view, route) });
  if (route.routeType === 'SUBNET') return arriveInNetwork(w, start, p, bypassFirewalls);
  if (!String(route.resource?.nextHopGateway ?? '').endsWith('/global/gateways/default-internet-gateway')) {
    const cause = route.resource?.nextHopIp ? 'ROUTE_NEXT_HOP_IP_ADDRESS_NOT_RESOLVED' : 'ROUTE_NEXT_HOP_RESOURCE_NOT_FOUND';
    step(w, 'DROP', "Final state: packet could be dropped because the route's next hop cannot be reached.",
      { drop: { cause, destinationIp: p.dstIp, resourceUri: route.uri, sourceIp: p.srcIp } });
    return;
  }
  toInternetGateway(w, start, p, route);
}

/** Initial state: a VM, or an address of a VPC network (the recorded START_FROM_PRIVATE_NETWORK). */
function startStep(w: Walk, start: Start): void {
  if (start.instance) {
    const i = start.instance;
    const info: Resource = { displayName: i.name, interface: 'nic0', internalIp: i.ip, networkUri: start.view.uri,
      uri: i.uri, running: true, status: 'RUNNING' };
    if (i.tags.length) info.networkTags = [...i.tags];
    if (i.serviceAccount) info.serviceAccount = i.serviceAccount;
    step(w, 'START_FROM_INSTANCE', `Initial state: packet originating from a Compute Engine instance ${i.name}.`,
      { instance: info });
    return;
  }
  step(w, 'START_FROM_PRIVATE_NETWORK', `Initial state: packet originating from a VPC network ${start.view.name}.`, {
    network: { displayName: start.view.name, matchedIpRange: rangeOf(start.subnet, start.ip),
      matchedSubnetUri: start.subnet.uri, region: start.subnet.region, uri: start.view.uri },
  });
}

/** The route for the destination: most specific prefix, then a subnet route, then the lowest priority number. */
function selectRoute(start: Start, dstIp: string): RouteView | undefined {
  const dst = parseIpv4(dstIp);
  if (dst === undefined) return undefined;
  const tags = start.instance?.tags ?? [];
  return start.view.routes
    .filter((r) => contains(r.cidr, dst) && (!r.tags.length || r.tags.some((t) => tags.includes(t))))
    .sort((a, b) => b.cidr.prefix - a.cidr.prefix || Number(a.routeType !== 'SUBNET') - Number(b.routeType !== 'SUBNET') ||
      a.priority - b.priority || a.name.localeCompare(b.name))[0];
}

function routeInfo(view: NetworkView, r: RouteView): Resource {
  const info: Resource = { destIpRange: r.destRange, displayName: r.name, networkUri: view.uri, routeType: r.routeType,
    uri: r.uri };
  if (r.routeType === 'SUBNET') return { ...info, nextHopType: 'NEXT_HOP_NETWORK' };
  info.priority = r.priority;
  if (r.tags.length) info.instanceTags = [...r.tags];
  const res = r.resource ?? {};
  if (res.nextHopGateway) info.nextHopType = 'NEXT_HOP_INTERNET_GATEWAY';
  else if (res.nextHopIp) info.nextHopType = 'NEXT_HOP_IP';
  else if (res.nextHopInstance) info.nextHopType = 'NEXT_HOP_INSTANCE';
  else if (res.nextHopIlb) info.nextHopType = 'NEXT_HOP_ILB';
  else if (res.nextHopVpnTunnel) info.nextHopType = 'NEXT_HOP_VPN_TUNNEL';
  const hop = res.nextHopInstance ?? res.nextHopIlb ?? res.nextHopVpnTunnel ?? res.nextHopGateway;
  if (hop) info.nextHopUri = shortRef(hop, view.project);
  if (res.nextHopIp) info.nextHop = res.nextHopIp;
  return info;
}

/** A subnet route: the destination is a VM, a Secure Web Proxy gateway, or nothing the emulator knows. */
function arriveInNetwork(w: Walk, start: Start, p: Packet, bypassFirewalls: boolean): void {
  const vm = p.destination ?? start.view.instances.find((i) => i.ip === p.dstIp);
  if (vm) {
    if (!bypassFirewalls) {
      const ingress = evaluate(start.view, 'INGRESS', { ...p, destination: vm });
      const s = step(w, 'APPLY_INGRESS_FIREWALL_RULE', 'Config checking state: verify INGRESS firewall rule.',
        { firewall: ingress.info });
      if (!ingress.allowed) return dropByFirewall(w, s, ingress.uri, p);
    }
    step(w, 'ARRIVE_AT_INSTANCE', `Forwarding state: arriving at a Compute Engine instance ${vm.name}.`, {
      instance: { displayName: vm.name, interface: 'nic0', internalIp: vm.ip, networkUri: start.view.uri, uri: vm.uri,
        running: true, status: 'RUNNING', ...(vm.tags.length ? { networkTags: [...vm.tags] } : {}) },
    });
    step(w, 'DELIVER', 'Final state: packet could be delivered.',
      { deliver: { target: 'INSTANCE', ipAddress: p.dstIp, resourceUri: vm.uri } });
    return;
  }
  const gateway = start.view.gateways.get(p.dstIp);
  if (gateway) {
    step(w, 'DELIVER', `Final state: packet could be delivered to the Secure Web Proxy gateway ${gateway.name}.`,
      { deliver: { target: 'GOOGLE_MANAGED_SERVICE', ipAddress: p.dstIp, resourceUri: gateway.name } });
    return;
  }
  step(w, 'ABORT', 'Final state: analysis is aborted due to no endpoints with destination IP address are found in network.',
    { abort: { cause: 'UNKNOWN_IP', ipAddress: p.dstIp, resourceUri: start.view.uri } });
}

/**
 * The default internet gateway: internal destinations are dropped; the Google
 * API VIPs need an external address or Private Google Access on the source's
 * subnetwork; anything else needs an external address or a Cloud NAT that
 * serves the subnetwork's VMs.
 */
function toInternetGateway(w: Walk, start: Start, p: Packet, route: RouteView): void {
  const dst = parseIpv4(p.dstIp) as number;
  const drop = (cause: string, resourceUri: string, why: string): void => {
    step(w, 'DROP', `Final state: packet could be dropped ${why}.`,
      { drop: { cause, destinationIp: p.dstIp, resourceUri, sourceIp: p.srcIp } });
  };
  if (isPrivate(dst)) return drop('PRIVATE_TRAFFIC_TO_INTERNET', route.uri, 'because an internal address was sent to the internet gateway');
  const external = start.instance?.externalIp === true;
  if (isGoogleApiVip(dst)) {
    if (!external && !start.subnet.privateGoogleAccess) {
      return drop('PRIVATE_GOOGLE_ACCESS_DISALLOWED', start.subnet.uri, 'because Private Google Access is off in the subnetwork');
    }
    step(w, 'DELIVER', 'Final state: packet could be delivered to Google APIs.',
      { deliver: { target: 'GOOGLE_API', ipAddress: p.dstIp } });
    return;
  }
  if (!external) {
    const nat = cloudNatFor(start);
    if (!nat) return drop('NO_EXTERNAL_ADDRESS', start.instance?.uri ?? start.subnet.uri, 'because the source has no external address and no Cloud NAT serves its subnetwork');
    step(w, 'NAT', 'Transition state: packet header translated.', { nat: {
      type: 'CLOUD_NAT', cloudNatGatewayType: 'PUBLIC_NAT', natGatewayName: nat.gateway, routerUri: nat.router,
      networkUri: start.view.uri, protocol: p.protocol, oldSourceIp: p.srcIp, oldDestinationIp: p.dstIp,
      newDestinationIp: p.dstIp } });
  }
  step(w, 'DELIVER', 'Final state: packet could be delivered to the internet.',
    { deliver: { target: 'INTERNET', ipAddress: p.dstIp } });
}

/** A Cloud NAT of the source's region and network that translates VM traffic of its subnetwork. */
function cloudNatFor(start: Start): { router: string; gateway: string } | undefined {
  for (const r of start.view.routers) {
    if (String(r.region ?? '').split('/').pop() !== start.subnet.region) continue;
    for (const nat of r.nats ?? []) {
      if (!(nat.endpointTypes ?? ['ENDPOINT_TYPE_VM']).includes('ENDPOINT_TYPE_VM')) continue;
      const mode = nat.sourceSubnetworkIpRangesToNat;
      const listed = (nat.subnetworks ?? []).some((s: Resource) => shortRef(s.name ?? '', start.view.project) === start.subnet.uri);
      if (mode === 'ALL_SUBNETWORKS_ALL_IP_RANGES' || mode === 'ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES' || listed) {
        return { router: `projects/${start.view.project}/regions/${start.subnet.region}/routers/${r.name}`, gateway: nat.name };
      }
    }
  }
  return undefined;
}

function dropByFirewall(w: Walk, decidingStep: Resource, uri: string | undefined, p: Packet): void {
  decidingStep.causesDrop = true;
  const drop: Resource = { cause: 'FIREWALL_RULE', destinationIp: p.dstIp, sourceIp: p.srcIp };
  if (uri) drop.resourceUri = uri;
  step(w, 'DROP', 'Final state: packet could be dropped due to a firewall rule.', { drop });
}

function step(w: Walk, state: string, description: string, detail: Resource): Resource {
  const s: Resource = { description, ...detail, projectId: w.project, state };
  w.steps.push(s);
  return s;
}

const rangeOf = (s: Subnet, ip: string): string =>
  s.ranges.find((r) => contains(r.cidr, parseIpv4(ip) ?? -1))?.text ?? s.ranges[0]?.text ?? '';
