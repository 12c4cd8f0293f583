import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, computeLink } from './common.js';
import {
  checkFree,
  checkName,
  checkRegion,
  invalidField,
  listResponse,
  mustGet,
  NETWORK_NAME,
  referenced,
  refName,
  sameRef,
  serverFields,
  startOperation,
  withoutOutputOnly,
  withRequestId,
} from './compute-common.js';
import { aggregatedList } from './compute-aggregated.js';

// Cloud Routers (regional operations) with their NATs inside `nats[]`
// (gcloud's `routers nats create` is a read-modify-PATCH). Server defaults
// of a NAT follow the recorded GET: autoNetworkTier PREMIUM, endpointTypes
// [ENDPOINT_TYPE_VM], type PUBLIC, effectiveTcpTimeWaitTimeoutSec 120.

const BASE = '/compute/v1/projects/{project}/regions/{region}/routers';
const ALLOCATE = ['AUTO_ONLY', 'MANUAL_ONLY'];
const SOURCES = [
  'ALL_SUBNETWORKS_ALL_IP_RANGES',
  'ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES',
  'LIST_OF_SUBNETWORKS',
];
const ENDPOINTS = ['ENDPOINT_TYPE_VM', 'ENDPOINT_TYPE_SWG', 'ENDPOINT_TYPE_MANAGED_PROXY_LB'];
const FIELDS = [
  'description',
  'bgp',
  'bgpPeers',
  'interfaces',
  'encryptedInterconnectRouter',
  'md5AuthenticationKeys',
];

export function registerRouters(r: Router): void {
  const nameOf = (req: EmuRequest): string =>
    `projects/${req.params.project}/regions/${req.params.region}/routers/${req.params.router}`;

  r.add({ api: 'compute', method: 'POST', path: BASE }, (req, ctx) =>
    withRequestId(req, ctx, () => {
      const { project, region } = req.params;
      checkRegion(region);
      const input = withoutOutputOnly(body(req), ['region']);
      const key = `projects/${project}/regions/${region}/routers/${checkName(input.name)}`;
      checkFree(ctx, key);
      const network = referenced(
        ctx,
        refName(input.network, 'resource.network', project, NETWORK_NAME),
      );
      const router = routerResource(key, network.selfLink, input);
      return startOperation(ctx, {
        name: key,
        operationType: 'insert',
        targetId: router.id,
        effects: [{ put: key, value: router }],
      });
    }),
  );
  r.add({ api: 'compute', method: 'GET', path: BASE }, (req, ctx) => {
    const path = `projects/${req.params.project}/regions/${req.params.region}/routers`;
    return listResponse(req, ctx.store.list(path), 'routerList', path);
  });
  r.add(
    { api: 'compute', method: 'GET', path: '/compute/v1/projects/{project}/aggregated/routers' },
    (req, ctx) => aggregatedList(req, ctx, 'routers', 'routerAggregatedList'),
  );
  r.add({ api: 'compute', method: 'GET', path: `${BASE}/{router}` }, (req, ctx) =>
    mustGet(ctx, nameOf(req)),
  );
  r.add({ api: 'compute', method: 'PATCH', path: `${BASE}/{router}` }, (req, ctx) =>
    withRequestId(req, ctx, () => update(req, ctx, nameOf(req), true)),
  );
  r.add({ api: 'compute', method: 'PUT', path: `${BASE}/{router}` }, (req, ctx) =>
    withRequestId(req, ctx, () => update(req, ctx, nameOf(req), false)),
  );
  r.add({ api: 'compute', method: 'DELETE', path: `${BASE}/{router}` }, (req, ctx) =>
    withRequestId(req, ctx, () => {
      const current = mustGet(ctx, nameOf(req));
      return startOperation(ctx, {
        name: nameOf(req),
        operationType: 'delete',
        targetId: current.id,
        effects: [{ delete: nameOf(req) }],
      });
    }),
  );
}

/**
 * A router as compute stores it, from a client's body. Exported so that the
 * Secure Web Proxy side effect (the autogen router) has the same shape.
 */
export function routerResource(
  key: string,
  networkLink: string,
  input: Resource,
  server?: Resource,
): Resource {
  const region = key.split('/')[3];
  const project = key.split('/')[1];
  const router: Resource = {
    ...(server ?? serverFields('router', key)),
    name: key.split('/').pop(),
    network: networkLink,
    region: computeLink(`projects/${project}/regions/${region}`),
    encryptedInterconnectRouter: false,
  };
  for (const f of FIELDS) if (input[f] !== undefined && input[f] !== null) router[f] = input[f];
  if (router.bgp) router.bgp = { advertiseMode: 'DEFAULT', keepaliveInterval: 20, ...router.bgp };
  const nats = checkNats(input.nats);
  if (nats.length) router.nats = nats;
  return router;
}

function update(req: EmuRequest, ctx: EmuContext, key: string, merge: boolean): Resource {
  const current = mustGet(ctx, key);
  const input = withoutOutputOnly(body(req), ['region']);
  if (input.name !== undefined && input.name !== current.name) {
    throw invalidField('resource.name', input.name, 'The name of a router cannot be changed.');
  }
  if (
    input.network !== undefined &&
    !sameRef(input.network, current.network.replace(/^.*\/compute\/v1\//, ''), req.params.project)
  ) {
    throw invalidField(
      'resource.network',
      input.network,
      'The network of a router cannot be changed.',
    );
  }
  const fields = merge ? { ...current, ...input } : input;
  const server = {
    kind: current.kind,
    id: current.id,
    creationTimestamp: current.creationTimestamp,
    selfLink: current.selfLink,
  };
  const next = routerResource(key, current.network, fields, server);
  return startOperation(ctx, {
    name: key,
    operationType: merge ? 'patch' : 'update',
    targetId: current.id,
    effects: [{ put: key, value: next }],
  });
}

function checkNats(value: unknown): Resource[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidField('resource.nats', value, 'Must be a list.');
  const names = new Set<string>();
  return value.map((nat: Resource, i: number) => {
    const field = `resource.nats[${i}]`;
    checkName(nat?.name, `${field}.name`);
    if (names.has(nat.name))
      throw invalidField(`${field}.name`, nat.name, 'Duplicate NAT name in this router.');
    names.add(nat.name);
    const type = nat.type ?? 'PUBLIC';
    if (type === 'PUBLIC' && !ALLOCATE.includes(nat.natIpAllocateOption)) {
      throw invalidField(
        `${field}.natIpAllocateOption`,
        nat.natIpAllocateOption ?? '',
        `Must be one of ${ALLOCATE.join(', ')}.`,
      );
    }
    if (!SOURCES.includes(nat.sourceSubnetworkIpRangesToNat)) {
      throw invalidField(
        `${field}.sourceSubnetworkIpRangesToNat`,
        nat.sourceSubnetworkIpRangesToNat ?? '',
        `Must be one of ${SOURCES.join(', ')}.`,
      );
    }
    if (nat.sourceSubnetworkIpRangesToNat === 'LIST_OF_SUBNETWORKS' && !nat.subnetworks?.length) {
      throw invalidField(
        `${field}.subnetworks`,
        '',
        'Subnetworks must be listed for LIST_OF_SUBNETWORKS.',
      );
    }
    const endpointTypes = nat.endpointTypes ?? ['ENDPOINT_TYPE_VM'];
    for (const e of endpointTypes) {
      if (!ENDPOINTS.includes(e))
        throw invalidField(`${field}.endpointTypes`, e, `Must be one of ${ENDPOINTS.join(', ')}.`);
    }
    const out: Resource = {
      ...nat,
      type,
      endpointTypes,
      effectiveTcpTimeWaitTimeoutSec: nat.tcpTimeWaitTimeoutSec ?? 120,
    };
    if (type === 'PUBLIC') out.autoNetworkTier = nat.autoNetworkTier ?? 'PREMIUM';
    return out;
  });
}
