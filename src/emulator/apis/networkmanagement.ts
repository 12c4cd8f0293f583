import { ApiError, alreadyExists, notFound } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { parseIpv4 } from './cidr.js';
import { body, nowIso, page } from './common.js';
import { reachability } from './networkmanagement-trace.js';
import { applyMask, createId, existsOrPending, invalidArgument, maskFields, startOp, type LroApi } from './resource-kit.js';

// Network Management v1 connectivity tests (gcp-api-facts §18.7; recorded in
// KCC mocknetworkmanagement connectivitytest/crud). Create, patch, rerun and
// delete are LROs under `projects/P/locations/global/operations`; the done
// response already carries `reachabilityDetails`, computed from the
// emulator's own networks, routes, firewalls, NATs and endpoints
// (networkmanagement-trace.ts). There is no requestId.

const NM: LroApi = {
  api: 'networkmanagement',
  metadataType: 'type.googleapis.com/google.cloud.networkmanagement.v1.OperationMetadata',
  typePrefix: 'type.googleapis.com/google.cloud.networkmanagement.v1.',
};
const BASE = '/v1/projects/{project}/locations/global/connectivityTests';
/** NPM `testId`: lowercase letters, digits, hyphens; a letter first; a letter or digit last; 1-40. */
const TEST_ID = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ESP', 'AH', 'SCTP', 'IPIP'];
const NETWORK_TYPES = ['NETWORK_TYPE_UNSPECIFIED', 'GCP_NETWORK', 'NON_GCP_NETWORK'];
const INPUT = ['description', 'source', 'destination', 'protocol', 'relatedProjects', 'labels', 'bypassFirewallChecks',
  'roundTrip'];
/** Endpoint kinds the analysis places; the others are services the emulator does not run. */
const MODELLED_ENDPOINT = ['ipAddress', 'port', 'instance', 'network', 'projectId', 'networkType'];

const nameOf = (p: Record<string, string>): string =>
  `projects/${p.project}/locations/global/connectivityTests/${p.test}`;

function testOr404(ctx: EmuContext, name: string): Resource {
  const t = ctx.store.get(name);
  if (!t) throw notFound(name);
  return t;
}

/** The client's fields in stored form: proto3 defaults (false, enum 0) are not kept. */
function input(b: Resource): Resource {
  const t: Resource = {};
  for (const f of INPUT) if (b[f] !== undefined && b[f] !== null) t[f] = structuredClone(b[f]);
  if (t.bypassFirewallChecks === false) delete t.bypassFirewallChecks;
  if (t.roundTrip === false) delete t.roundTrip;
  for (const e of [t.source, t.destination]) {
    if (e?.networkType === 'NETWORK_TYPE_UNSPECIFIED') delete e.networkType;
  }
  return t;
}

function validate(t: Resource): void {
  for (const side of ['source', 'destination'] as const) {
    const e = t[side];
    if (!e || typeof e !== 'object') throw invalidArgument(`Field '${side}' is required.`);
    if (e.ipAddress !== undefined && parseIpv4(String(e.ipAddress)) === undefined) {
      throw invalidArgument(`Invalid IP address '${e.ipAddress}' in ${side}.`);
    }
    if (e.port !== undefined && (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535)) {
      throw invalidArgument(`Invalid port ${e.port} in ${side}: it must be between 1 and 65535.`);
    }
    if (e.networkType !== undefined && !NETWORK_TYPES.includes(e.networkType)) {
      throw invalidArgument(`Invalid value at '${side}.network_type', "${e.networkType}"`);
    }
    const other = Object.keys(e).filter((k) => !MODELLED_ENDPOINT.includes(k));
    if (other.length) {
      throw new ApiError(501, `The emulator does not model ${side} endpoints of kind ${other.join(', ')}.`, 'UNIMPLEMENTED');
    }
    if (e.ipAddress === undefined && e.instance === undefined) {
      throw invalidArgument(`The ${side} endpoint needs an IP address or an instance.`);
    }
  }
  if (t.protocol !== undefined && !PROTOCOLS.includes(t.protocol)) {
    throw invalidArgument(`Invalid protocol '${t.protocol}': it must be one of ${PROTOCOLS.join(', ')}.`);
  }
  if (t.description !== undefined && String(t.description).length > 512) {
    throw invalidArgument('Description is longer than 512 characters.');
  }
  if (t.roundTrip === true) {
    throw new ApiError(501, 'The emulator does not analyse return paths (roundTrip).', 'UNIMPLEMENTED');
  }
}

/** The test with fresh results, as every create, update and rerun leaves it. */
function analysed(ctx: EmuContext, project: string, t: Resource): Resource {
  return { ...t, reachabilityDetails: reachability(ctx, project, t) };
}

function create(req: EmuRequest, ctx: EmuContext): Resource {
  const { project } = req.params;
  const id = createId(req, 'testId', TEST_ID,
    'it must be 1-40 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit');
  const name = `projects/${project}/locations/global/connectivityTests/${id}`;
  if (existsOrPending(ctx, name)) throw alreadyExists('connectivityTest', name);
  const t = input(body(req));
  validate(t);
  t.protocol ??= 'TCP';
  const now = nowIso();
  const test = analysed(ctx, project, { name, ...t, createTime: now, updateTime: now });
  return startOp(ctx, NM, { target: name, verb: 'create', collection: 'connectivityTests',
    effects: [{ put: name, value: test }], responseKind: 'ConnectivityTest' });
}

function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const { project } = req.params;
  const name = nameOf(req.params);
  const next = applyMask(testOr404(ctx, name), input(body(req)), maskFields(req, 'networkmanagement'), {
    updatable: INPUT,
    outputOnly: ['createTime', 'updateTime', 'reachabilityDetails', 'returnReachabilityDetails', 'probingDetails',
      'displayName'],
  });
  validate(next);
  next.updateTime = nowIso();
  return startOp(ctx, NM, { target: name, verb: 'update', collection: 'connectivityTests',
    effects: [{ put: name, value: analysed(ctx, project, next) }], responseKind: 'ConnectivityTest' });
}

export function registerNetworkManagement(r: Router): void {
  const one = `${BASE}/{test}`;
  r.add({ api: 'networkmanagement', method: 'POST', path: BASE }, create);
  r.add({ api: 'networkmanagement', method: 'GET', path: one }, (req, ctx) => testOr404(ctx, nameOf(req.params)));
  r.add({ api: 'networkmanagement', method: 'GET', path: BASE }, (req, ctx) =>
    page(ctx.store.list(`projects/${req.params.project}/locations/global/connectivityTests`), 'resources', req));
  r.add({ api: 'networkmanagement', method: 'PATCH', path: one }, patch);
  r.add({ api: 'networkmanagement', method: 'POST', path: `${one}:rerun` }, (req, ctx) => {
    const name = nameOf(req.params);
    const current = testOr404(ctx, name);
    return startOp(ctx, NM, { target: name, verb: 'rerun', collection: 'connectivityTests',
      effects: [{ put: name, value: analysed(ctx, req.params.project, current) }], responseKind: 'ConnectivityTest' });
  });
  r.add({ api: 'networkmanagement', method: 'DELETE', path: one }, (req, ctx) => {
    const name = nameOf(req.params);
    testOr404(ctx, name);
    return startOp(ctx, NM, { target: name, verb: 'delete', collection: 'connectivityTests', effects: [{ delete: name }] });
  });
}
