// IPv4 address and CIDR rules for RANGE, PRIVATE_RANGE, SWP_RANGE and SWP_IP.
// Parsing is strict dotted decimal: ipaddr.js alone also accepts octal and
// hex forms ("010.0.0.1" is 8.0.0.1 there), which would silently change a
// plan, so the four-part-decimal checks gate every parse.

import ipaddr from 'ipaddr.js';
import { problem, show, type StringRule } from './problem.js';

type IPv4 = ipaddr.IPv4;

/** A parsed CIDR block. Invariant: `text` is canonical (`10.10.0.0/24`). */
export interface Cidr {
  text: string;
  prefix: number;
  /** First and last address as unsigned 32-bit integers. */
  first: number;
  last: number;
}

/**
 * Ranges Google Cloud accepts for subnetwork primary ranges besides
 * privately used public space: RFC 1918 and the other special-purpose
 * blocks listed in the VPC documentation ("Valid IPv4 ranges").
 */
const SUBNET_BLOCKS: Array<[string, string]> = [
  ['10.0.0.0/8', 'RFC 1918'],
  ['172.16.0.0/12', 'RFC 1918'],
  ['192.168.0.0/16', 'RFC 1918'],
  ['100.64.0.0/10', 'shared address space, RFC 6598'],
  ['192.0.0.0/24', 'IETF protocol assignments, RFC 6890'],
  ['192.0.2.0/24', 'documentation, RFC 5737'],
  ['198.51.100.0/24', 'documentation, RFC 5737'],
  ['203.0.113.0/24', 'documentation, RFC 5737'],
  ['192.88.99.0/24', '6to4 relay anycast, RFC 7526'],
  ['198.18.0.0/15', 'benchmarking, RFC 2544'],
  ['240.0.0.0/4', 'reserved for future use, RFC 5735'],
];

const STRICT_CIDR = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}\/(0|[1-9][0-9]?)$/;

export function toUint(address: IPv4): number {
  return address.octets.reduce((n, octet) => n * 256 + octet, 0);
}

export function fromUint(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/n`; undefined when it is not strict IPv4 CIDR syntax. */
export function parseCidr(value: string): Cidr | undefined {
  if (!STRICT_CIDR.test(value) || !ipaddr.IPv4.isValidCIDRFourPartDecimal(value)) return undefined;
  const [, prefix] = ipaddr.IPv4.parseCIDR(value);
  const first = toUint(ipaddr.IPv4.networkAddressFromCIDR(value));
  const last = first + 2 ** (32 - prefix) - 1;
  return { text: `${fromUint(first)}/${prefix}`, prefix, first, last };
}

/** Parses a strict dotted-decimal IPv4 address into its integer form. */
export function parseAddress(value: string): number | undefined {
  return ipaddr.IPv4.isValidFourPartDecimal(value) ? toUint(ipaddr.IPv4.parse(value)) : undefined;
}

export function contains(cidr: Cidr, address: number): boolean {
  return address >= cidr.first && address <= cidr.last;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

function isSubnetSpace(cidr: Cidr): boolean {
  return SUBNET_BLOCKS.some(([block]) => {
    const outer = parseCidr(block) as Cidr;
    return cidr.first >= outer.first && cidr.last <= outer.last;
  });
}

const PRIVATE_DETAIL =
  'Use a private range: RFC 1918 (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), 100.64.0.0/10, ' +
  'or another special-purpose block Google Cloud allows for subnetworks.';

/** A rule for one subnetwork range with its allowed prefix lengths. */
export function cidrRule(shortest: number, longest: number, why: string): StringRule {
  return (value) => {
    const v = show(value);
    if (ipaddr.IPv6.isValidCIDR(value)) {
      return problem(`${v} is an IPv6 range; dpgce subnetworks are IPv4`,
        'Give an IPv4 range such as 10.10.0.0/24.');
    }
    const cidr = parseCidr(value);
    if (!cidr) {
      return problem(`${v} is not an IPv4 CIDR range`, 'Write it as a.b.c.d/n, e.g. 10.10.0.0/24.');
    }
    if (cidr.text !== value) {
      return problem(`${v} has host bits set; did you mean ${cidr.text}?`,
        `A subnetwork range is written with its network address: use ${cidr.text}.`);
    }
    if (!isSubnetSpace(cidr)) return problem(`${v} is not a private range`, PRIVATE_DETAIL);
    if (cidr.prefix < shortest || cidr.prefix > longest) {
      const allowed = `/${shortest} to /${longest}`;
      return problem(`${v} has prefix length /${cidr.prefix}; it must be ${allowed}`, why);
    }
    return undefined;
  };
}

/** SWP_IP: one strict IPv4 address (its placement is a cross-field check). */
export const addressRule: StringRule = (value) => {
  if (parseAddress(value) !== undefined) return undefined;
  const v = show(value);
  if (ipaddr.IPv6.isValid(value)) {
    return problem(`${v} is an IPv6 address; the Secure Web Proxy address is IPv4`,
      'Give an IPv4 address such as 10.11.0.250.');
  }
  if (value.includes('/')) {
    return problem(`${v} is a range, not an address`,
      'Give one address without a prefix length, e.g. 10.11.0.250.');
  }
  return problem(`${v} is not an IPv4 address`,
    'Write it as four decimal numbers 0-255, e.g. 10.11.0.250.');
};
