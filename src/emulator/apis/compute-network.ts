import type { Effect, OperationError } from '../operations.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, computeLink, refuseUnmodelled } from './common.js';
import {
  checkFree,
  checkName,
  hexSuffix,
  inUse,
  intField,
  invalidField,
  listResponse,
  mustGet,
  regional,
  serverFields,
  startOperation,
  withoutOutputOnly,
  withRequestId,
} from './compute-common.js';

// VPC networks (global). Only custom-mode networks are modelled. A new
// network gets its system route `default-route-<hex>` to the internet
// gateway; `subnetworks[]` is derived from the stored subnetworks on every
// read. A delete that something still uses ends, asynchronously, in
// RESOURCE_IN_USE_BY_ANOTHER_RESOURCE; the system route goes with the network.

const BASE = '/compute/v1/projects/{project}/global/networks';
const ROUTING_MODES = ['REGIONAL', 'GLOBAL'];
const ENFORCEMENT = ['AFTER_CLASSIC_FIREWALL', 'BEFORE_CLASSIC_FIREWALL'];
const OUTPUT_ONLY = ['subnetworks', 'gatewayIPv4', 'peerings', 'firewallPolicy'];

export const networkName = (project: string, network: string): string =>
  `projects/${project}/global/networks/${network}`;

export const INTERNET_GATEWAY = 'global/gateways/default-internet-gateway';
export const SYSTEM_ROUTE_DESCRIPTION = 'Default route to the Internet.';

export function registerNetworks(r: Router): void {
  r.add({ api: 'compute', method: 'POST', path: BASE }, (req, ctx) =>
    withRequestId(req, ctx, () => insert(req, ctx)),
  );
  r.add({ api: 'compute', method: 'GET', path: BASE }, (req, ctx) => {
    const items = ctx.store
      .list(`projects/${req.params.project}/global/networks`)
      .map((n) => present(ctx, n));
    return listResponse(
      req,
      items,
      'networkList',
      `projects/${req.params.project}/global/networks`,
    );
  });
  r.add({ api: 'compute', method: 'GET', path: `${BASE}/{network}` }, (req, ctx) =>
    present(ctx, find(req, ctx)),
  );
  r.add({ api: 'compute', method: 'PATCH', path: `${BASE}/{network}` }, (req, ctx) =>
    withRequestId(req, ctx, () => patch(req, ctx)),
  );
  r.add({ api: 'compute', method: 'DELETE', path: `${BASE}/{network}` }, (req, ctx) =>
    withRequestId(req, ctx, () => remove(req, ctx)),
  );
}

/** By name, or by numeric id as `selfLinkWithId` addresses it. */
function find(req: EmuRequest, ctx: EmuContext): Resource {
  const { project, network } = req.params;
  const byName = ctx.store.get(networkName(project, network));
  if (byName) return byName;
  const byId = ctx.store.list(`projects/${project}/global/networks`).find((n) => n.id === network);
  return byId ?? mustGet(ctx, networkName(project, network));
}

function insert(req: EmuRequest, ctx: EmuContext): Resource {
  const project = req.params.project;
  const input = withoutOutputOnly(body(req), OUTPUT_ONLY);
  const name = networkName(project, checkName(input.name));
  checkFree(ctx, name);
  if (input.autoCreateSubnetworks !== false) {
    throw invalidField(
      'resource.autoCreateSubnetworks',
      input.autoCreateSubnetworks,
      'The emulator models custom-mode networks only: set autoCreateSubnetworks to false.',
    );
  }

  const network: Resource = {
    ...serverFields('network', name),
    name: input.name,
    autoCreateSubnetworks: false,
    networkFirewallPolicyEnforcementOrder: enforcementOrder(
      input.networkFirewallPolicyEnforcementOrder,
    ),
  };
  network.selfLinkWithId = computeLink(`projects/${project}/global/networks/${network.id}`);
  if (input.description !== undefined) network.description = input.description;
  if (input.mtu !== undefined) network.mtu = intField(input.mtu, 'resource.mtu', 1460, 8896);
  if (network.mtu !== undefined && network.mtu < 1300) {
    throw invalidField('resource.mtu', input.mtu, 'The minimum MTU is 1300.');
  }
  if (input.routingConfig) network.routingConfig = routingConfig(input.routingConfig);

  const route = systemRoute(project, network.selfLink);
  return startOperation(ctx, {
    name,
    operationType: 'insert',
    targetId: network.id,
    effects: [
      { put: name, value: network },
      { put: route.key, value: route.value },
    ],
  });
}

function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const current = find(req, ctx);
  const name = networkName(req.params.project, current.name);
  const input = withoutOutputOnly(body(req), OUTPUT_ONLY);
  refuseUnmodelled(input, current, ['name', 'routingConfig', 'mtu', 'networkFirewallPolicyEnforcementOrder'],
    'networks.patch');
  const next: Resource = { ...current };
  if (input.routingConfig)
    next.routingConfig = routingConfig({ ...current.routingConfig, ...input.routingConfig });
  if (input.mtu !== undefined) next.mtu = intField(input.mtu, 'resource.mtu', 1460, 8896);
  if (input.networkFirewallPolicyEnforcementOrder !== undefined) {
    next.networkFirewallPolicyEnforcementOrder = enforcementOrder(
      input.networkFirewallPolicyEnforcementOrder,
    );
  }
  return startOperation(ctx, {
    name,
    operationType: 'patch',
    targetId: current.id,
    effects: [{ put: name, value: next }],
  });
}

function remove(req: EmuRequest, ctx: EmuContext): Resource {
  const current = find(req, ctx);
  const project = req.params.project;
  const name = networkName(project, current.name);
  const routes = ctx.store
    .entries(`projects/${project}/global/routes/`)
    .filter(([, route]) => route.network === current.selfLink);
  const system = routes.filter(([, route]) => isSystemRoute(route));

  const error = blocker(
    ctx,
    project,
    current,
    routes.filter((r) => !system.includes(r)),
  );
  const effects: Effect[] = [{ delete: name }, ...system.map(([k]) => ({ delete: k }))];
  return startOperation(ctx, {
    name,
    operationType: 'delete',
    targetId: current.id,
    effects,
    error,
  });
}

/** The first resource that keeps the network from being deleted, as compute reports it. */
function blocker(
  ctx: EmuContext,
  project: string,
  network: Resource,
  userRoutes: [string, Resource][],
): OperationError | undefined {
  const onNetwork = ([, r]: [string, Resource]): boolean => r.network === network.selfLink;
  const users = [
    ...regional(ctx, project, 'subnetworks').filter(onNetwork),
    ...ctx.store.entries(`projects/${project}/global/firewalls/`).filter(onNetwork),
    ...userRoutes,
    ...regional(ctx, project, 'routers').filter(onNetwork),
    ...regional(ctx, project, 'addresses').filter(onNetwork),
  ];
  if (!users.length) return undefined;
  return inUse('network', networkName(project, network.name), users[0][0]);
}

/** The route every new network gets, named and shaped as recorded. */
function systemRoute(project: string, networkLink: string): { key: string; value: Resource } {
  const routeName = `default-route-${hexSuffix()}`;
  const key = `projects/${project}/global/routes/${routeName}`;
  return {
    key,
    value: {
      ...serverFields('route', key),
      name: routeName,
      description: SYSTEM_ROUTE_DESCRIPTION,
      network: networkLink,
      destRange: '0.0.0.0/0',
      priority: 1000,
      nextHopGateway: computeLink(`projects/${project}/${INTERNET_GATEWAY}`),
    },
  };
}

export function isSystemRoute(route: Resource): boolean {
  return (
    /^default-route-[0-9a-f]{16}$/.test(route.name) &&
    route.description === SYSTEM_ROUTE_DESCRIPTION &&
    typeof route.nextHopGateway === 'string' &&
    route.nextHopGateway.endsWith(INTERNET_GATEWAY)
  );
}

/** The network as a GET returns it: with the URLs of its subnetworks, if any. */
function present(ctx: EmuContext, network: Resource): Resource {
  const project = network.selfLink.split('/projects/')[1].split('/')[0];
  const subnetworks = regional(ctx, project, 'subnetworks')
    .filter(([, s]) => s.network === network.selfLink)
    .map(([k]) => computeLink(k))
    .sort();
  return subnetworks.length ? { ...network, subnetworks } : network;
}

function routingConfig(input: Resource): Resource {
  const mode = input.routingMode ?? 'REGIONAL';
  if (!ROUTING_MODES.includes(mode)) {
    throw invalidField(
      'resource.routingConfig.routingMode',
      mode,
      `Must be one of ${ROUTING_MODES.join(', ')}.`,
    );
  }
  return {
    ...input,
    routingMode: mode,
    bgpBestPathSelectionMode: input.bgpBestPathSelectionMode ?? 'LEGACY',
  };
}

function enforcementOrder(value: unknown): string {
  if (value === undefined) return 'AFTER_CLASSIC_FIREWALL';
  if (typeof value !== 'string' || !ENFORCEMENT.includes(value)) {
    throw invalidField(
      'resource.networkFirewallPolicyEnforcementOrder',
      value,
      `Must be one of ${ENFORCEMENT.join(', ')}.`,
    );
  }
  return value;
}
