import type { OperationError } from '../operations.js';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { parseCidr, overlaps, type Cidr } from './cidr.js';
import { inUse, invalidField, regional, sameRef } from './compute-common.js';

// The server-side rules of subnetworks: purposes and roles, the proxy-only
// subnet's restrictions, and ranges that must not overlap anywhere in the
// VPC network (all regions, primary and secondary ranges alike); and what
// keeps a subnetwork from being deleted.

export const PURPOSES = [
  'PRIVATE',
  'PRIVATE_RFC_1918',
  'REGIONAL_MANAGED_PROXY',
  'GLOBAL_MANAGED_PROXY',
  'INTERNAL_HTTPS_LOAD_BALANCER',
  'PRIVATE_SERVICE_CONNECT',
  'PRIVATE_NAT',
  'PEER_MIGRATION',
];
export const PROXY_PURPOSES = [
  'REGIONAL_MANAGED_PROXY',
  'GLOBAL_MANAGED_PROXY',
  'INTERNAL_HTTPS_LOAD_BALANCER',
];
const ROLES = ['ACTIVE', 'BACKUP'];

/** Purposes that share the "one ACTIVE per network and region" slot. */
const SAME_SLOT: Record<string, string[]> = {
  REGIONAL_MANAGED_PROXY: ['REGIONAL_MANAGED_PROXY', 'INTERNAL_HTTPS_LOAD_BALANCER'],
  INTERNAL_HTTPS_LOAD_BALANCER: ['REGIONAL_MANAGED_PROXY', 'INTERNAL_HTTPS_LOAD_BALANCER'],
  GLOBAL_MANAGED_PROXY: ['GLOBAL_MANAGED_PROXY'],
};

export function checkPurpose(value: unknown): string {
  const purpose = value ?? 'PRIVATE';
  if (typeof purpose !== 'string' || !PURPOSES.includes(purpose)) {
    throw invalidField('resource.purpose', purpose, `Must be one of ${PURPOSES.join(', ')}.`);
  }
  return purpose;
}

/** Role, logging and size rules that depend on the purpose. */
export function checkPurposeRules(subnet: Resource): void {
  const { purpose, role } = subnet;
  if (!PROXY_PURPOSES.includes(purpose)) {
    if (role !== undefined) {
      throw invalidField(
        'resource.role',
        role,
        'Subnetwork role can only be set when purpose is REGIONAL_MANAGED_PROXY or GLOBAL_MANAGED_PROXY.',
      );
    }
    return;
  }
  if (role === undefined) {
    throw invalidField(
      'resource.role',
      'UNSPECIFIED_ROLE',
      `Subnetwork role must be specified when purpose set to ${purpose}.`,
    );
  }
  if (!ROLES.includes(role))
    throw invalidField('resource.role', role, `Must be one of ${ROLES.join(', ')}.`);
  for (const field of ['logConfig', 'enableFlowLogs']) {
    if (subnet[field] !== undefined) {
      throw invalidField(
        `resource.${field}`,
        renderLike(subnet[field]),
        `Invalid field set in subnetwork with purpose ${purpose}.`,
      );
    }
  }
  const range = parseCidr(subnet.ipCidrRange);
  if (range && range.prefix > 26) {
    throw invalidField(
      'resource.ipCidrRange',
      subnet.ipCidrRange,
      `A subnetwork with purpose ${purpose} needs at least 64 addresses (a /26 or larger range).`,
    );
  }
}

/** Only one ACTIVE proxy-only subnetwork per network and region. */
export function checkOneActive(
  ctx: EmuContext,
  project: string,
  region: string,
  subnet: Resource,
  self?: string,
): void {
  if (subnet.role !== 'ACTIVE' || !SAME_SLOT[subnet.purpose]) return;
  const clash = regional(ctx, project, 'subnetworks').find(
    ([k, s]) =>
      k !== self &&
      k.startsWith(`projects/${project}/regions/${region}/`) &&
      s.network === subnet.network &&
      s.role === 'ACTIVE' &&
      SAME_SLOT[subnet.purpose].includes(s.purpose),
  );
  if (!clash) return;
  throw invalidField(
    'resource.role',
    'ACTIVE',
    `An ACTIVE subnetwork with purpose ${clash[1].purpose} ('${clash[1].name}') already exists ` +
      `in this network and region; only one is allowed.`,
  );
}

/** A range field as a CIDR, or compute's 400. */
export function checkRange(value: unknown, field: string): Cidr {
  const range = typeof value === 'string' ? parseCidr(value) : undefined;
  if (!range) throw invalidField(field, value, `Invalid IPCidrRange: ${String(value ?? '')}.`);
  if (range.prefix > 29) {
    throw invalidField(
      field,
      value,
      'The subnetwork range must have a prefix length of /29 or shorter.',
    );
  }
  return range;
}

/** Rejects a range of `subnet` that overlaps any other range in the VPC network. */
export function checkNoOverlap(
  ctx: EmuContext,
  project: string,
  subnet: Resource,
  self?: string,
): void {
  const mine = ranges(subnet);
  mine.forEach((a, i) =>
    mine.slice(i + 1).forEach((b) => {
      if (overlaps(a.cidr, b.cidr)) {
        throw invalidField(
          b.field,
          b.text,
          `Invalid IPCidrRange: ${b.text} conflicts with ${a.text}.`,
        );
      }
    }),
  );
  for (const [key, other] of regional(ctx, project, 'subnetworks')) {
    if (key === self || other.network !== subnet.network) continue;
    const region = key.split('/')[3];
    for (const a of mine) {
      if (ranges(other).some((b) => overlaps(a.cidr, b.cidr))) {
        throw invalidField(
          a.field,
          a.text,
          `Invalid IPCidrRange: ${a.text} conflicts with existing subnetwork '${other.name}' in region '${region}'.`,
        );
      }
    }
  }
}

function ranges(subnet: Resource): { field: string; text: string; cidr: Cidr }[] {
  const out = [
    {
      field: 'resource.ipCidrRange',
      text: subnet.ipCidrRange as string,
      cidr: parseCidr(subnet.ipCidrRange)!,
    },
  ];
  (subnet.secondaryIpRanges ?? []).forEach((s: Resource, i: number) =>
    out.push({
      field: `resource.secondaryIpRanges[${i}].ipCidrRange`,
      text: s.ipCidrRange,
      cidr: parseCidr(s.ipCidrRange)!,
    }),
  );
  return out;
}

/** Secondary ranges: each named (RFC1035) and a valid range. */
export function checkSecondaryRanges(value: unknown): Resource[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value))
    throw invalidField('resource.secondaryIpRanges', value, 'Must be a list.');
  const names = new Set<string>();
  value.forEach((s: Resource, i: number) => {
    const field = `resource.secondaryIpRanges[${i}]`;
    if (
      typeof s?.rangeName !== 'string' ||
      !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(s.rangeName)
    ) {
      throw invalidField(`${field}.rangeName`, s?.rangeName, 'Must be a valid RFC1035 name.');
    }
    if (names.has(s.rangeName))
      throw invalidField(`${field}.rangeName`, s.rangeName, 'Duplicate range name.');
    names.add(s.rangeName);
    checkRange(s.ipCidrRange, `${field}.ipCidrRange`);
  });
  return value.map((s: Resource) => ({ rangeName: s.rangeName, ipCidrRange: s.ipCidrRange }));
}

/** An object the way compute quotes it in errors: `{  "enable": false}`. */
function renderLike(value: unknown): string {
  if (!value || typeof value !== 'object') return JSON.stringify(value);
  const body = Object.entries(value)
    .map(([k, v]) => `"${k}": ${JSON.stringify(v)}`)
    .join(', ');
  return `{  ${body}}`;
}

/**
 * Why a subnetwork cannot be deleted yet: the first Secure Web Proxy gateway
 * (stored by networkservices at `projects/P/locations/R/gateways/G`) or
 * internal address that uses it.
 */
export function subnetworkUser(
  ctx: EmuContext,
  project: string,
  region: string,
  name: string,
  subnet: Resource,
): OperationError | undefined {
  const number = ctx.projectNumber(project);
  const gateway = ctx.store.entries('projects/').find(([k, g]) => {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)\/gateways\/[^/]+$/.exec(k);
    if (!m || (m[1] !== project && m[1] !== number)) return false;
    if (refersTo(g.subnetwork, name, project, number)) return true;
    const proxyOnly = subnet.purpose === 'REGIONAL_MANAGED_PROXY' && subnet.role === 'ACTIVE';
    return (
      proxyOnly &&
      g.type === 'SECURE_WEB_GATEWAY' &&
      m[2] === region &&
      refersTo(g.network, subnet.network.replace(/^.*\/compute\/v1\//, ''), project, number)
    );
  });
  const address = regional(ctx, project, 'addresses').find(
    ([, a]) => a.subnetwork === subnet.selfLink,
  );
  const user = gateway?.[0] ?? address?.[0];
  return user ? inUse('subnetwork', name, user) : undefined;
}

/** A reference that may carry the project id or its number. */
function refersTo(ref: unknown, name: string, project: string, number: string): boolean {
  return (
    sameRef(ref, name, project) ||
    sameRef(ref, name.replace(`projects/${project}/`, `projects/${number}/`), project)
  );
}
