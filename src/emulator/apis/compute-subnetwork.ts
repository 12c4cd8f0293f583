import { randomBytes } from 'node:crypto';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { nthAddress } from './cidr.js';
import { body, computeLink, refuseUnmodelled } from './common.js';
import {
  checkFree,
  checkName,
  checkRegion,
  conditionNotMet,
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
import {
  subnetworkUser,
  checkNoOverlap,
  checkOneActive,
  checkPurpose,
  checkPurposeRules,
  checkRange,
  checkSecondaryRanges,
} from './compute-subnetwork-rules.js';

// Subnetworks (regional operations). Server-filled fields follow the
// recorded GET: gatewayAddress (the range's first host), fingerprint,
// purpose, stackType, state, privateIpv6GoogleAccess. Updates need the
// current fingerprint. A subnetwork that a Secure Web Proxy gateway uses
// (as its `subnetwork`, or as the proxy-only subnetwork of its network and
// region) cannot be deleted.

const BASE = '/compute/v1/projects/{project}/regions/{region}/subnetworks';
const OUTPUT_ONLY = [
  'gatewayAddress',
  'fingerprint',
  'state',
  'region',
  'ipv6CidrRange',
  'externalIpv6Prefix',
  'internalIpv6Prefix',
];
const PATCHABLE = [
  'privateIpGoogleAccess',
  'privateIpv6GoogleAccess',
  'role',
  'logConfig',
  'enableFlowLogs',
  'secondaryIpRanges',
  'stackType',
  'description',
];
const IMMUTABLE = ['name', 'network', 'purpose'];

export function registerSubnetworks(r: Router): void {
  r.add({ api: 'compute', method: 'POST', path: BASE }, (req, ctx) =>
    withRequestId(req, ctx, () => insert(req, ctx)),
  );
  r.add({ api: 'compute', method: 'GET', path: BASE }, (req, ctx) => {
    const path = `projects/${req.params.project}/regions/${req.params.region}/subnetworks`;
    return listResponse(req, ctx.store.list(path), 'subnetworkList', path);
  });
  r.add({ api: 'compute', method: 'GET', path: `${BASE}/{subnetwork}` }, (req, ctx) =>
    mustGet(ctx, nameOf(req)),
  );
  r.add({ api: 'compute', method: 'PATCH', path: `${BASE}/{subnetwork}` }, (req, ctx) =>
    withRequestId(req, ctx, () => patch(req, ctx)),
  );
  r.add(
    { api: 'compute', method: 'POST', path: `${BASE}/{subnetwork}/setPrivateIpGoogleAccess` },
    (req, ctx) => withRequestId(req, ctx, () => setPrivateIpGoogleAccess(req, ctx)),
  );
  r.add({ api: 'compute', method: 'DELETE', path: `${BASE}/{subnetwork}` }, (req, ctx) =>
    withRequestId(req, ctx, () => remove(req, ctx)),
  );
  r.add(
    {
      api: 'compute',
      method: 'GET',
      path: '/compute/v1/projects/{project}/aggregated/subnetworks',
    },
    (req, ctx) => aggregatedList(req, ctx, 'subnetworks', 'subnetworkAggregatedList'),
  );
}

const nameOf = (req: EmuRequest): string =>
  `projects/${req.params.project}/regions/${req.params.region}/subnetworks/${req.params.subnetwork}`;

function insert(req: EmuRequest, ctx: EmuContext): Resource {
  const { project, region } = req.params;
  checkRegion(region);
  const input = withoutOutputOnly(body(req), OUTPUT_ONLY);
  const name = `projects/${project}/regions/${region}/subnetworks/${checkName(input.name)}`;
  checkFree(ctx, name);
  const network = referenced(
    ctx,
    refName(input.network, 'resource.network', project, NETWORK_NAME),
  );
  const range = checkRange(input.ipCidrRange, 'resource.ipCidrRange');

  const subnet: Resource = {
    ...serverFields('subnetwork', name),
    name: input.name,
    network: network.selfLink,
    region: computeLink(`projects/${project}/regions/${region}`),
    ipCidrRange: input.ipCidrRange,
    gatewayAddress: nthAddress(range, 1),
    purpose: checkPurpose(input.purpose),
    privateIpGoogleAccess: input.privateIpGoogleAccess === true,
    privateIpv6GoogleAccess: input.privateIpv6GoogleAccess ?? 'DISABLE_GOOGLE_ACCESS',
    stackType: input.stackType ?? 'IPV4_ONLY',
    state: 'READY',
    fingerprint: fingerprint(),
  };
  for (const f of ['description', 'role', 'logConfig', 'enableFlowLogs']) {
    if (input[f] !== undefined) subnet[f] = input[f];
  }
  const secondary = checkSecondaryRanges(input.secondaryIpRanges);
  if (secondary) subnet.secondaryIpRanges = secondary;
  checkPurposeRules(subnet);
  checkOneActive(ctx, project, region, subnet);
  checkNoOverlap(ctx, project, subnet);

  return startOperation(ctx, {
    name,
    operationType: 'insert',
    targetId: subnet.id,
    effects: [{ put: name, value: subnet }],
  });
}

function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const name = nameOf(req);
  const current = mustGet(ctx, name);
  const input = withoutOutputOnly(
    body(req),
    OUTPUT_ONLY.filter((f) => f !== 'fingerprint' && f !== 'region'),
  );
  checkFingerprint(input.fingerprint, current);
  refuseUnmodelled(input, current, [...PATCHABLE, ...IMMUTABLE, 'ipCidrRange', 'fingerprint', 'region'],
    'subnetworks.patch');
  for (const f of IMMUTABLE) {
    if (input[f] !== undefined && !sameValue(f, input[f], current[f], req.params.project)) {
      throw invalidField(`resource.${f}`, input[f], 'This field cannot be changed.');
    }
  }
  if (input.ipCidrRange !== undefined && input.ipCidrRange !== current.ipCidrRange) {
    throw invalidField(
      'resource.ipCidrRange',
      input.ipCidrRange,
      'The range can only be changed with expandIpCidrRange.',
    );
  }

  const next: Resource = { ...current, fingerprint: fingerprint() };
  for (const f of PATCHABLE) {
    if (input[f] === null) delete next[f];
    else if (input[f] !== undefined) next[f] = input[f];
  }
  if (input.secondaryIpRanges !== undefined)
    next.secondaryIpRanges = checkSecondaryRanges(input.secondaryIpRanges);
  checkPurposeRules(next);
  checkOneActive(ctx, req.params.project, req.params.region, next, name);
  checkNoOverlap(ctx, req.params.project, next, name);
  return startOperation(ctx, {
    name,
    operationType: 'patch',
    targetId: current.id,
    effects: [{ put: name, value: next }],
  });
}

function setPrivateIpGoogleAccess(req: EmuRequest, ctx: EmuContext): Resource {
  const name = nameOf(req);
  const current = mustGet(ctx, name);
  const flag = body(req).privateIpGoogleAccess;
  if (typeof flag !== 'boolean') {
    throw invalidField('privateIpGoogleAccess', flag, 'Must be true or false.');
  }
  const next = { ...current, privateIpGoogleAccess: flag, fingerprint: fingerprint() };
  return startOperation(ctx, {
    name,
    operationType: 'setPrivateIpGoogleAccess',
    targetId: current.id,
    effects: [{ put: name, value: next }],
  });
}

function remove(req: EmuRequest, ctx: EmuContext): Resource {
  const name = nameOf(req);
  const current = mustGet(ctx, name);
  return startOperation(ctx, {
    name,
    operationType: 'delete',
    targetId: current.id,
    effects: [{ delete: name }],
    error: subnetworkUser(ctx, req.params.project, req.params.region, name, current),
  });
}

function checkFingerprint(given: unknown, current: Resource): void {
  if (given !== current.fingerprint) {
    throw conditionNotMet(
      given === undefined
        ? "Required field 'fingerprint' not specified; get the subnetwork and send its current fingerprint."
        : 'Invalid fingerprint.',
    );
  }
}

function sameValue(field: string, given: unknown, current: unknown, project: string): boolean {
  if (field !== 'network') return given === current;
  return (
    typeof current === 'string' &&
    sameRef(given, current.replace(/^.*\/compute\/v1\//, ''), project)
  );
}

const fingerprint = (): string => randomBytes(8).toString('base64');
