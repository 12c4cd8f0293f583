import type { Effect, OperationError } from '../operations.js';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { contains, formatIpv4, parseCidr, parseIpv4 } from './cidr.js';
import { computeRef } from './common.js';
import { routerResource } from './compute-router.js';
import { byProjectId, existsOrPending, invalidArgument, pendingEffects, stripServiceUrl } from './resource-kit.js';

// The Secure Web Proxy (SECURE_WEB_GATEWAY) rules of a gateway: its network
// and client subnetwork, its address inside that subnetwork (given, or
// allocated), the policy and certificates it names, the proxy-only subnet it
// needs (checked inside the create operation), and the autogen Cloud Router
// with its NAT that the first SWP of a network and region brings along.

export const MAX_SWG_PORTS = 5;
const PROXY_PURPOSES = ['REGIONAL_MANAGED_PROXY', 'INTERNAL_HTTPS_LOAD_BALANCER'];

/** Canonical references (`projects/P/...` with the project id), whatever form the client sent. */
export function normaliseRefs(ctx: EmuContext, project: string, g: Resource): void {
  if (typeof g.network === 'string') g.network = byProjectId(ctx, computeRef(g.network, project), project);
  if (typeof g.subnetwork === 'string') g.subnetwork = byProjectId(ctx, computeRef(g.subnetwork, project), project);
  if (typeof g.gatewaySecurityPolicy === 'string') {
    g.gatewaySecurityPolicy = byProjectId(ctx, stripServiceUrl(g.gatewaySecurityPolicy), project);
  }
  if (Array.isArray(g.certificateUrls)) {
    g.certificateUrls = g.certificateUrls.map((u: string) => byProjectId(ctx, stripServiceUrl(String(u)), project));
  }
}

/** The subnetwork's four reserved addresses: network, gateway, second-to-last, broadcast. */
function reserved(range: { base: number; prefix: number }): number[] {
  const last = (range.base + 2 ** (32 - range.prefix) - 1) >>> 0;
  return [range.base, range.base + 1, last - 1, last];
}

/** Addresses other SWP gateways of the subnetwork already hold. */
function takenAddresses(ctx: EmuContext, project: string, subnet: string, except: string): Set<string> {
  const pending = pendingEffects(ctx).flatMap((e): [string, Resource][] => ('put' in e ? [[e.put, e.value]] : []));
  return new Set([...ctx.store.entries(`projects/${project}/locations/`), ...pending]
    .filter(([k, g]) => /^projects\/[^/]+\/locations\/[^/]+\/gateways\/[^/]+$/.test(k) && k !== except &&
      g.subnetwork === subnet)
    .flatMap(([, g]) => g.addresses ?? []));
}

/**
 * Checks network, subnetwork and address of an SWG gateway (400 on a bad
 * reference), fills in what the service fills in, and returns the check that
 * the create operation itself makes.
 */
export function checkPlacement(ctx: EmuContext, project: string, location: string, name: string,
  g: Resource): OperationError | undefined {
  if (location === 'global') throw invalidArgument('Gateways of type SECURE_WEB_GATEWAY must be regional, not global.');
  g.network ??= `projects/${project}/global/networks/default`;
  const network = ctx.store.get(g.network);
  if (!network) throw invalidArgument(`Network '${g.network}' was not found.`);
  if (g.subnetwork === undefined) {
    const first = ctx.store.list(`projects/${project}/regions/${location}/subnetworks`)
      .filter((s) => computeRef(s.network, project) === g.network && !PROXY_PURPOSES.includes(s.purpose))
      .sort((a, b) => a.name.localeCompare(b.name))[0];
    if (!first) throw invalidArgument(`No subnetwork of ${g.network} in ${location} to allocate the gateway address from.`);
    g.subnetwork = `projects/${project}/regions/${location}/subnetworks/${first.name}`;
  }
  const subnet = ctx.store.get(g.subnetwork);
  if (!subnet) throw invalidArgument(`Subnetwork '${g.subnetwork}' was not found.`);
  if (g.subnetwork.split('/')[3] !== location) {
    throw invalidArgument(`Subnetwork '${g.subnetwork}' is not in the gateway's region ${location}.`);
  }
  if (computeRef(subnet.network, project) !== g.network) {
    throw invalidArgument(`Subnetwork '${g.subnetwork}' does not belong to network '${g.network}'.`);
  }
  if (PROXY_PURPOSES.includes(subnet.purpose)) {
    throw invalidArgument(`Subnetwork '${g.subnetwork}' is a proxy-only subnetwork and cannot hold the gateway address.`);
  }
  const range = parseCidr(subnet.ipCidrRange)!;
  const taken = takenAddresses(ctx, project, g.subnetwork, name);
  const addresses: unknown[] = g.addresses ?? [];
  if (!Array.isArray(addresses) || addresses.length > 1) throw invalidArgument('A gateway has zero or one address.');
  if (addresses.length === 1) {
    const text = String(addresses[0]);
    const ip = parseIpv4(text);
    if (ip === undefined) throw invalidArgument(`Invalid IPv4 address '${text}' in addresses.`);
    if (!contains(range, ip)) {
      throw invalidArgument(`Address ${text} is not inside the range ${subnet.ipCidrRange} of subnetwork '${g.subnetwork}'.`);
    }
    if (reserved(range).includes(ip)) {
      throw invalidArgument(`Address ${text} is one of the reserved addresses of ${subnet.ipCidrRange}.`);
    }
    if (taken.has(text)) throw invalidArgument(`Address ${text} is already used by another gateway.`);
  } else {
    const [, , secondLast] = reserved(range);
    let ip = range.base + 2;
    while (ip < secondLast && taken.has(formatIpv4(ip))) ip += 1;
    if (ip >= secondLast) throw invalidArgument(`Subnetwork '${g.subnetwork}' has no free address for the gateway.`);
    g.addresses = [formatIpv4(ip)];
  }
  const proxyOnly = ctx.store.list(`projects/${project}/regions/${location}/subnetworks`).some((s) =>
    PROXY_PURPOSES.includes(s.purpose) && s.role === 'ACTIVE' && computeRef(s.network, project) === g.network);
  if (proxyOnly) return undefined;
  return { code: 'FAILED_PRECONDITION', message: `Secure Web Proxy needs an ACTIVE proxy-only subnetwork ` +
    `(purpose REGIONAL_MANAGED_PROXY) in network '${g.network}' and region ${location}; none was found.` };
}

/** The policy and certificates a gateway names must exist. */
export function checkReferences(ctx: EmuContext, location: string, g: Resource): void {
  if (g.gatewaySecurityPolicy !== undefined) {
    const ok = /^projects\/[^/]+\/locations\/[^/]+\/gatewaySecurityPolicies\/[^/]+$/.test(g.gatewaySecurityPolicy);
    if (!ok || !ctx.store.get(g.gatewaySecurityPolicy)) {
      throw invalidArgument(`Gateway security policy '${g.gatewaySecurityPolicy}' was not found.`);
    }
    if (g.gatewaySecurityPolicy.split('/')[3] !== location) {
      throw invalidArgument(`Gateway security policy '${g.gatewaySecurityPolicy}' must be in the gateway's region ${location}.`);
    }
  }
  for (const cert of g.certificateUrls ?? []) {
    if (!/^projects\/[^/]+\/locations\/[^/]+\/certificates\/[^/]+$/.test(cert) || !ctx.store.get(cert)) {
      throw invalidArgument(`Certificate '${cert}' was not found in Certificate Manager.`);
    }
  }
}

/** The autogen router + NAT, when this is the first SWP of the network and region. */
export function autogenRouter(ctx: EmuContext, project: string, region: string, networkKey: string): Effect[] {
  const network = ctx.store.get(networkKey);
  if (!network) return [];
  const key = `projects/${project}/regions/${region}/routers/swg-autogen-router-${network.id}`;
  if (existsOrPending(ctx, key)) return [];
  const router = routerResource(key, network.selfLink, {
    nats: [{
      name: 'swg-autogen-nat', natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES', endpointTypes: ['ENDPOINT_TYPE_SWG'],
    }],
  });
  return [{ put: key, value: router }];
}
