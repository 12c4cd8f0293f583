import { randomBytes, randomInt } from 'node:crypto';
import type { EmuContext, Router } from '../router.js';
import type { Resource } from '../store.js';
import { contains, nthAddress, parseCidr, parseIpv4 } from './cidr.js';
import { body, computeLink } from './common.js';
import {
  checkFree,
  checkName,
  checkRegion,
  invalidField,
  listResponse,
  mustGet,
  referenced,
  refName,
  regional,
  serverFields,
  startOperation,
  withoutOutputOnly,
  withRequestId,
} from './compute-common.js';
import { aggregatedList } from './compute-aggregated.js';

// Regional static addresses. EXTERNAL (the default) gets an address from a
// documentation range; INTERNAL needs a subnetwork and an address inside
// it that nothing else holds (the first free one when none is asked for).
// Fields as recorded: `description` is always present, status RESERVED.

const BASE = '/compute/v1/projects/{project}/regions/{region}/addresses';
const SUBNETWORK_NAME = /^projects\/[^/]+\/regions\/[^/]+\/subnetworks\/[^/]+$/;

export function registerAddresses(r: Router): void {
  const keyOf = (p: Record<string, string>): string =>
    `projects/${p.project}/regions/${p.region}/addresses/${p.address}`;

  r.add({ api: 'compute', method: 'POST', path: BASE }, (req, ctx) =>
    withRequestId(req, ctx, () => {
      const { project, region } = req.params;
      checkRegion(region);
      const input = withoutOutputOnly(body(req), ['status', 'users', 'region', 'labelFingerprint']);
      const key = `projects/${project}/regions/${region}/addresses/${checkName(input.name)}`;
      checkFree(ctx, key);
      const address: Resource = {
        ...serverFields('address', key),
        name: input.name,
        description: input.description ?? '',
        region: computeLink(`projects/${project}/regions/${region}`),
        status: 'RESERVED',
        labelFingerprint: randomBytes(8).toString('base64'),
        ...placement(ctx, project, input),
      };
      return startOperation(ctx, {
        name: key,
        operationType: 'insert',
        targetId: address.id,
        effects: [{ put: key, value: address }],
      });
    }),
  );
  r.add({ api: 'compute', method: 'GET', path: BASE }, (req, ctx) => {
    const path = `projects/${req.params.project}/regions/${req.params.region}/addresses`;
    return listResponse(req, ctx.store.list(path), 'addressList', path);
  });
  r.add(
    { api: 'compute', method: 'GET', path: '/compute/v1/projects/{project}/aggregated/addresses' },
    (req, ctx) => aggregatedList(req, ctx, 'addresses', 'addressAggregatedList'),
  );
  r.add({ api: 'compute', method: 'GET', path: `${BASE}/{address}` }, (req, ctx) =>
    mustGet(ctx, keyOf(req.params)),
  );
  r.add({ api: 'compute', method: 'DELETE', path: `${BASE}/{address}` }, (req, ctx) =>
    withRequestId(req, ctx, () => {
      const current = mustGet(ctx, keyOf(req.params));
      return startOperation(ctx, {
        name: keyOf(req.params),
        operationType: 'delete',
        targetId: current.id,
        effects: [{ delete: keyOf(req.params) }],
      });
    }),
  );
}

function placement(ctx: EmuContext, project: string, input: Resource): Resource {
  const type = input.addressType ?? 'EXTERNAL';
  if (type === 'EXTERNAL') {
    if (input.subnetwork !== undefined) {
      throw invalidField(
        'resource.subnetwork',
        input.subnetwork,
        'An EXTERNAL address has no subnetwork.',
      );
    }
    return {
      addressType: type,
      address: input.address ?? `203.0.113.${randomInt(1, 255)}`,
      networkTier: input.networkTier ?? 'PREMIUM',
    };
  }
  if (type !== 'INTERNAL')
    throw invalidField('resource.addressType', type, 'Must be INTERNAL or EXTERNAL.');

  const subnet = referenced(
    ctx,
    refName(input.subnetwork, 'resource.subnetwork', project, SUBNETWORK_NAME),
  );
  const range = parseCidr(subnet.ipCidrRange)!;
  const taken = new Set(
    regional(ctx, project, 'addresses')
      .filter(([, a]) => a.subnetwork === subnet.selfLink)
      .map(([, a]) => a.address),
  );
  let address = input.address;
  if (address === undefined) {
    const size = 2 ** (32 - range.prefix);
    for (let n = 2; n < size - 2 && address === undefined; n += 1) {
      if (!taken.has(nthAddress(range, n))) address = nthAddress(range, n);
    }
  }
  const ip = typeof address === 'string' ? parseIpv4(address) : undefined;
  if (ip === undefined || !contains(range, ip)) {
    throw invalidField(
      'resource.address',
      address,
      `The address is not inside subnetwork '${subnet.name}' (${subnet.ipCidrRange}).`,
    );
  }
  if (taken.has(address))
    throw invalidField('resource.address', address, 'The address is already reserved.');
  return {
    addressType: type,
    address,
    subnetwork: subnet.selfLink,
    purpose: input.purpose ?? 'GCE_ENDPOINT',
    networkTier: 'PREMIUM',
  };
}
