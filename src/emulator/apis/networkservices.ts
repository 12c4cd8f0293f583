import { alreadyExists, notFound } from '../errors.js';
import type { Effect, OperationError } from '../operations.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, nowIso, page } from './common.js';
import { MAX_SWG_PORTS, autogenRouter, checkPlacement, checkReferences, normaliseRefs } from './networkservices-swg.js';
import {
  NAME_PATTERN, applyMask, createId, existsOrPending, invalidArgument, listIn, maskFields, omitDefaults, startOp,
  type LroApi,
} from './resource-kit.js';

// Network Services v1 gateways (recorded: networkservices-gateway, an
// OPEN_MESH one; Secure Web Proxy rules from gcp-api-facts §3, §18.3).
// Create/patch/delete are LROs; GET adds the recorded v1alpha1 selfLink,
// which the operation response lacks. routingMode EXPLICIT_ROUTING_MODE is
// the proto default, so it is stored and shown as absent.

const NS: LroApi = {
  api: 'networkservices',
  metadataType: 'type.googleapis.com/google.cloud.networkservices.v1.OperationMetadata',
  typePrefix: 'type.googleapis.com/google.cloud.networkservices.v1.',
};
const V1 = '/v1/projects/{project}/locations/{location}';
const TYPES = ['OPEN_MESH', 'SECURE_WEB_GATEWAY'];
const ROUTING = ['EXPLICIT_ROUTING_MODE', 'NEXT_HOP_ROUTING_MODE'];
const SCOPE = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const SWG_ONLY = ['addresses', 'allPorts', 'allowGlobalAccess', 'certificateUrls', 'gatewaySecurityPolicy', 'network',
  'subnetwork', 'routingMode'];
const FIELDS = ['type', 'ports', 'allPorts', 'addresses', 'scope', 'certificateUrls', 'gatewaySecurityPolicy', 'network',
  'subnetwork', 'routingMode', 'ipVersion', 'envoyHeaders', 'allowGlobalAccess', 'serverTlsPolicy', 'labels', 'description'];
const OUTPUT_ONLY = ['createTime', 'updateTime', 'selfLink'];

const nameOf = (p: Record<string, string>): string =>
  `projects/${p.project}/locations/${p.location}/gateways/${p.gateway}`;

function gatewayOr404(ctx: EmuContext, name: string): Resource {
  const g = ctx.store.get(name);
  if (!g) throw notFound(name);
  return g;
}

/** The client's fields in stored form (defaults dropped, references canonical). */
function input(ctx: EmuContext, project: string, b: Resource): Resource {
  const g: Resource = {};
  for (const f of FIELDS) if (b[f] !== undefined && b[f] !== null) g[f] = structuredClone(b[f]);
  if (g.routingMode === 'EXPLICIT_ROUTING_MODE') delete g.routingMode;
  omitDefaults(g, ['allPorts', 'allowGlobalAccess', 'description']);
  normaliseRefs(ctx, project, g);
  return g;
}

/** Field rules shared by create and patch; returns what the operation checks. */
function validate(ctx: EmuContext, project: string, location: string, name: string, g: Resource): OperationError | undefined {
  if (!TYPES.includes(g.type)) {
    throw invalidArgument(g.type === undefined ? "Field 'type' is required." : `Invalid gateway type '${g.type}'.`);
  }
  const ports: unknown[] = g.ports ?? [];
  if (!Array.isArray(ports) || ports.some((p) => !Number.isInteger(p) || (p as number) < 1 || (p as number) > 65535)) {
    throw invalidArgument('Gateway ports must be integers between 1 and 65535.');
  }
  if (g.scope !== undefined && !SCOPE.test(g.scope)) {
    throw invalidArgument('Scope must be at most 64 characters, start with a letter and contain only letters, numbers and hyphens.');
  }
  if (g.description && String(g.description).length > 1024) throw invalidArgument('Description is longer than 1024 characters.');
  if (g.type === 'OPEN_MESH') {
    if (!ports.length) throw invalidArgument("Field 'ports' is required.");
    const stray = SWG_ONLY.filter((f) => g[f] !== undefined);
    if (stray.length) throw invalidArgument(`Fields ${stray.join(', ')} apply only to gateways of type SECURE_WEB_GATEWAY.`);
    return undefined;
  }
  if (g.allPorts && ports.length) throw invalidArgument('allPorts and ports are mutually exclusive.');
  if (!g.allPorts && !ports.length) throw invalidArgument("Field 'ports' is required.");
  if (ports.length > MAX_SWG_PORTS) {
    throw invalidArgument(`Gateways of type SECURE_WEB_GATEWAY are limited to ${MAX_SWG_PORTS} ports.`);
  }
  if (g.routingMode !== undefined && !ROUTING.includes(g.routingMode)) throw invalidArgument(`Invalid routingMode '${g.routingMode}'.`);
  if (g.ipVersion === 'IPV6') throw invalidArgument('Secure Web Proxy supports IPv4 addresses only.');
  const deferred = checkPlacement(ctx, project, location, name, g);
  checkReferences(ctx, location, g);
  return deferred;
}

function create(req: EmuRequest, ctx: EmuContext): Resource {
  const { project, location } = req.params;
  const id = createId(req, 'gatewayId', NAME_PATTERN, 'it must be 1-63 lowercase letters, digits or hyphens, starting with a letter');
  const name = `projects/${project}/locations/${location}/gateways/${id}`;
  if (existsOrPending(ctx, name)) throw alreadyExists('gateway', name);
  const g = input(ctx, project, body(req));
  const error = validate(ctx, project, location, name, g);
  const now = nowIso();
  const gateway: Resource = { name, ...g, createTime: now, updateTime: now };
  const effects: Effect[] = [{ put: name, value: gateway }];
  if (g.type === 'SECURE_WEB_GATEWAY' && !error) effects.push(...autogenRouter(ctx, project, location, g.network));
  return startOp(ctx, NS, { target: name, verb: 'create', collection: 'gateways', effects, error,
    responseKind: 'Gateway' });
}

function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const { project, location } = req.params;
  const name = nameOf(req.params);
  const current = gatewayOr404(ctx, name);
  const swg = current.type === 'SECURE_WEB_GATEWAY';
  const next = applyMask(current, input(ctx, project, body(req)), maskFields(req, 'networkservices'), {
    updatable: ['description', 'labels', 'certificateUrls', 'gatewaySecurityPolicy', 'serverTlsPolicy', 'envoyHeaders',
      'ipVersion', ...(swg ? [] : ['ports'])],
    immutable: ['type', 'scope', 'addresses', 'network', 'subnetwork', 'allPorts', 'allowGlobalAccess', 'routingMode',
      ...(swg ? ['ports'] : [])],
    outputOnly: OUTPUT_ONLY,
  });
  validate(ctx, project, location, name, next);
  next.updateTime = nowIso();
  return startOp(ctx, NS, { target: name, verb: 'update', collection: 'gateways',
    effects: [{ put: name, value: next }], responseKind: 'Gateway' });
}

export function registerNetworkServices(r: Router): void {
  const one = `${V1}/gateways/{gateway}`;
  r.add({ api: 'networkservices', method: 'POST', path: `${V1}/gateways` }, create);
  r.add({ api: 'networkservices', method: 'GET', path: one }, (req, ctx) => ({
    ...gatewayOr404(ctx, nameOf(req.params)),
    selfLink: `https://networkservices.googleapis.com/v1alpha1/${nameOf(req.params)}`,
  }));
  r.add({ api: 'networkservices', method: 'GET', path: `${V1}/gateways` }, (req, ctx) =>
    page(listIn(ctx, req.params.project, req.params.location, 'gateways'), 'gateways', req));
  r.add({ api: 'networkservices', method: 'PATCH', path: one }, patch);
  r.add({ api: 'networkservices', method: 'DELETE', path: one }, (req, ctx) => {
    const name = nameOf(req.params);
    gatewayOr404(ctx, name);
    // The autogen router stays (Terraform's delete_swg_autogen_router_on_destroy defaults to false).
    return startOp(ctx, NS, { target: name, verb: 'delete', collection: 'gateways', effects: [{ delete: name }] });
  });
}
