import type { Router } from '../router.js';
import type { Resource } from '../store.js';
import { parseCidr, parseIpv4 } from './cidr.js';
import { body, computeLink, computeRef } from './common.js';
import {
  checkFree,
  checkName,
  intField,
  invalidField,
  listResponse,
  mustGet,
  NETWORK_NAME,
  referenced,
  refName,
  serverFields,
  startOperation,
  withoutOutputOnly,
  withRequestId,
} from './compute-common.js';
import { INTERNET_GATEWAY } from './compute-network.js';

// Static routes (global; no PATCH: delete and recreate). Exactly one next
// hop; the only gateway is the default internet gateway. Lists honour the
// `filter` expressions gcloud and Terraform send (compute-filter.ts).

const BASE = '/compute/v1/projects/{project}/global/routes';
const NEXT_HOPS = [
  'nextHopGateway',
  'nextHopIp',
  'nextHopInstance',
  'nextHopIlb',
  'nextHopVpnTunnel',
];
const OUTPUT_ONLY = [
  'routeType',
  'routeStatus',
  'nextHopNetwork',
  'nextHopPeering',
  'nextHopHub',
  'warnings',
  'asPaths',
];

export function registerRoutes(r: Router): void {
  r.add({ api: 'compute', method: 'POST', path: BASE }, (req, ctx) =>
    withRequestId(req, ctx, () => {
      const project = req.params.project;
      const input = withoutOutputOnly(body(req), OUTPUT_ONLY);
      const key = `projects/${project}/global/routes/${checkName(input.name)}`;
      checkFree(ctx, key);
      const network = referenced(
        ctx,
        refName(input.network, 'resource.network', project, NETWORK_NAME),
      );
      if (typeof input.destRange !== 'string' || !parseCidr(input.destRange)) {
        throw invalidField(
          'resource.destRange',
          input.destRange,
          'Must be a valid IPv4 CIDR range.',
        );
      }

      const route: Resource = {
        ...serverFields('route', key),
        name: input.name,
        network: network.selfLink,
        destRange: input.destRange,
        priority: intField(input.priority, 'resource.priority', 1000),
        ...nextHop(input, project),
      };
      if (input.description !== undefined) route.description = input.description;
      if (Array.isArray(input.tags) && input.tags.length) route.tags = input.tags;
      return startOperation(ctx, {
        name: key,
        operationType: 'insert',
        targetId: route.id,
        effects: [{ put: key, value: route }],
      });
    }),
  );
  r.add({ api: 'compute', method: 'GET', path: BASE }, (req, ctx) => {
    const path = `projects/${req.params.project}/global/routes`;
    return listResponse(req, ctx.store.list(path), 'routeList', path);
  });
  r.add({ api: 'compute', method: 'GET', path: `${BASE}/{route}` }, (req, ctx) =>
    mustGet(ctx, `projects/${req.params.project}/global/routes/${req.params.route}`),
  );
  r.add({ api: 'compute', method: 'DELETE', path: `${BASE}/{route}` }, (req, ctx) =>
    withRequestId(req, ctx, () => {
      const key = `projects/${req.params.project}/global/routes/${req.params.route}`;
      const current = mustGet(ctx, key);
      return startOperation(ctx, {
        name: key,
        operationType: 'delete',
        targetId: current.id,
        effects: [{ delete: key }],
      });
    }),
  );
}

/** The one next hop, canonical (links on www.googleapis.com). */
function nextHop(input: Resource, project: string): Resource {
  const given = NEXT_HOPS.filter(
    (f) => input[f] !== undefined && input[f] !== null && input[f] !== '',
  );
  if (given.length !== 1) {
    throw invalidField(
      'resource',
      input.name,
      `A route needs exactly one next hop (one of ${NEXT_HOPS.join(', ')}); got ${given.length}.`,
    );
  }
  const field = given[0];
  const value = input[field];
  if (field === 'nextHopIp') {
    if (typeof value !== 'string' || parseIpv4(value) === undefined) {
      throw invalidField('resource.nextHopIp', value, 'Must be an IPv4 address.');
    }
    return { nextHopIp: value };
  }
  if (typeof value !== 'string')
    throw invalidField(`resource.${field}`, value, 'Must be a resource URL.');
  const name = computeRef(value, project);
  if (field === 'nextHopGateway' && name !== `projects/${project}/${INTERNET_GATEWAY}`) {
    throw invalidField(
      'resource.nextHopGateway',
      value,
      'The only gateway a route can use is the default internet gateway.',
    );
  }
  return { [field]: computeLink(name) };
}
