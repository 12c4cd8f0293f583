import { ApiError } from '../errors.js';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { parseIpv4 } from './cidr.js';

// Cloud DNS resource record sets: where they are stored, how they are
// checked, and the zone's serial. Errors use Cloud DNS's `entity.*` wording
// (see docs/emulator.md for which texts are recorded and which are not).

export const TYPES = [
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DNSKEY',
  'DS',
  'HTTPS',
  'IPSECKEY',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
];
export const APEX_TTL = 21600;
export const HOSTMASTER = 'cloud-dns-hostmaster.google.com.';
/** TTL when a record set names none [UNCONFIRMED: the console's default]. */
const DEFAULT_TTL = 300;

export const dnsError = (code: number, reason: string, message: string): ApiError =>
  new ApiError(code, message, undefined, reason);
export const invalidValue = (field: string, value: unknown): ApiError =>
  dnsError(
    400,
    'invalid',
    `Invalid value for '${field}': '${typeof value === 'string' ? value : JSON.stringify(value ?? '')}'`,
  );

export const zoneKey = (project: string, zone: string): string =>
  `projects/${project}/managedZones/${zone}`;
export const rrsetKey = (zoneName: string, name: string, type: string): string =>
  `${zoneName}/rrsets/${name}/${type}`;
export const label = (r: Resource): string => `${r.name} (${r.type})`;

/** Every record set of a zone, in name/type order. */
export function recordsOf(ctx: EmuContext, zoneName: string): Resource[] {
  return ctx.store
    .entries(`${zoneName}/rrsets/`)
    .map(([, v]) => v)
    .sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
}

const LABEL = /^(\*|[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?)$/i;

export function validDnsName(name: unknown): name is string {
  if (typeof name !== 'string' || !name.endsWith('.') || name.length > 254) return false;
  const labels = name.slice(0, -1).split('.');
  return labels.every((l, i) => LABEL.test(l) && (l !== '*' || i === 0));
}

/** A record set from a client body, checked against its zone; `field` names it in errors. */
export function checkRecordSet(input: Resource, zone: Resource, field: string): Resource {
  const name = typeof input?.name === 'string' ? input.name.toLowerCase() : input?.name;
  if (!validDnsName(name)) throw invalidValue(`${field}.name`, input?.name);
  if (name !== zone.dnsName && !name.endsWith(`.${zone.dnsName}`)) {
    throw dnsError(
      400,
      'invalid',
      `Invalid value for '${field}.name': '${input.name}'. ` +
        `It is not within the zone's DNS name '${zone.dnsName}'.`,
    );
  }
  if (typeof input.type !== 'string' || !TYPES.includes(input.type))
    throw invalidValue(`${field}.type`, input.type);
  const ttl = input.ttl ?? DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 2147483647)
    throw invalidValue(`${field}.ttl`, input.ttl);
  const rrdatas = input.rrdatas;
  if (
    !Array.isArray(rrdatas) ||
    rrdatas.length === 0 ||
    rrdatas.some((d) => typeof d !== 'string' || d === '')
  ) {
    throw dnsError(
      400,
      'invalid',
      `Invalid value for '${field}.rrdatas': a record set needs at least one rrdata.`,
    );
  }
  rrdatas.forEach((d: string, i: number) => checkRrdata(input.type, d, `${field}.rrdata[${i}]`));
  if (input.type === 'CNAME' && rrdatas.length !== 1) {
    throw dnsError(
      400,
      'invalid',
      `Invalid value for '${field}.rrdata': a CNAME record set holds exactly one name.`,
    );
  }
  if (input.type === 'CNAME' && name === zone.dnsName) {
    throw dnsError(
      400,
      'invalid',
      `Invalid value for '${field}.name': '${name}'. A CNAME cannot be at the zone apex.`,
    );
  }
  return { kind: 'dns#resourceRecordSet', name, type: input.type, ttl, rrdatas: [...rrdatas] };
}

function checkRrdata(type: string, data: string, field: string): void {
  const ok =
    type === 'A'
      ? parseIpv4(data) !== undefined
      : type === 'AAAA'
        ? /^[0-9a-f:.]+$/i.test(data) && data.includes(':')
        : ['CNAME', 'NS', 'PTR'].includes(type)
          ? validDnsName(data.toLowerCase())
          : type === 'MX'
            ? /^\d{1,5} \S+\.$/.test(data)
            : true;
  if (!ok) throw invalidValue(field, data);
}

/** A CNAME shares its name with nothing; nothing joins a CNAME. */
export function checkCnameAlone(records: Resource[], added: Resource, field: string): void {
  const clash = records.find(
    (r) =>
      r.name === added.name &&
      r.type !== added.type &&
      (r.type === 'CNAME' || added.type === 'CNAME'),
  );
  if (clash) {
    throw dnsError(
      400,
      'invalid',
      `Invalid value for '${field}': '${label(added)}'. ` +
        `A CNAME record set cannot share its name with another record set (${label(clash)}).`,
    );
  }
}

/** The apex records of a new zone: NS (its name servers) and SOA. */
export function apexRecords(zone: Resource): Resource[] {
  return [
    {
      kind: 'dns#resourceRecordSet',
      name: zone.dnsName,
      type: 'NS',
      ttl: APEX_TTL,
      rrdatas: [...zone.nameServers],
    },
    {
      kind: 'dns#resourceRecordSet',
      name: zone.dnsName,
      type: 'SOA',
      ttl: APEX_TTL,
      rrdatas: [`${zone.nameServers[0]} ${HOSTMASTER} 1 21600 3600 259200 300`],
    },
  ];
}

export const isApex = (r: Resource, zone: Resource): boolean =>
  r.name === zone.dnsName && (r.type === 'SOA' || r.type === 'NS');

/** Bumps the SOA serial after a change, as Cloud DNS does. */
export function bumpSerial(ctx: EmuContext, zone: Resource, zoneName: string): void {
  const key = rrsetKey(zoneName, zone.dnsName, 'SOA');
  const soa = ctx.store.get(key);
  if (!soa) return;
  const parts = soa.rrdatas[0].split(' ');
  parts[2] = String(Number(parts[2]) + 1);
  ctx.store.put(key, { ...soa, rrdatas: [parts.join(' ')] });
}

/** Same record set data: ttl and the same rrdatas (in any order). */
export function sameData(a: Resource, b: Resource): boolean {
  const sorted = (r: Resource): string => JSON.stringify([...r.rrdatas].sort());
  return a.ttl === b.ttl && sorted(a) === sorted(b);
}
