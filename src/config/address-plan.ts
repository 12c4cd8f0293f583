// Cross-field checks of the address plan: the three subnetwork ranges must
// not overlap anywhere in the VPC network, and the Secure Web Proxy address
// must be a usable address of the cluster or private subnetwork. These run
// only on values that passed their own field rules, so every value printed
// here is already canonical and shown bare (`SWP_IP 10.0.4.245 ...`).

import {
  contains, fromUint, overlaps, parseAddress, parseCidr, type Cidr,
} from './address-rules.js';
import type { Diagnostic } from './types.js';

/** Ranges in the order overlaps are reported: on the later key of a pair. */
const RANGE_KEYS = ['RANGE', 'PRIVATE_RANGE', 'SWP_RANGE'] as const;
type RangeKey = (typeof RANGE_KEYS)[number];

/** The field values that passed their own rules, by env.json key. */
export type ValidValues = Partial<Record<string, string>>;

function error(key: string, summary: string, detail: string): Diagnostic {
  return { severity: 'error', key, summary, detail };
}

function validRanges(values: ValidValues): Partial<Record<RangeKey, Cidr>> {
  const ranges: Partial<Record<RangeKey, Cidr>> = {};
  for (const key of RANGE_KEYS) {
    const cidr = values[key] === undefined ? undefined : parseCidr(values[key] as string);
    if (cidr) ranges[key] = cidr;
  }
  return ranges;
}

/** Every overlapping pair once, on the later key. */
function overlapDiagnostics(ranges: Partial<Record<RangeKey, Cidr>>): Diagnostic[] {
  const found: Diagnostic[] = [];
  RANGE_KEYS.forEach((later, j) => {
    for (const earlier of RANGE_KEYS.slice(0, j)) {
      const a = ranges[earlier];
      const b = ranges[later];
      if (!a || !b || !overlaps(a, b)) continue;
      const detail = 'Subnetwork ranges must not overlap anywhere in the VPC network; ' +
        `choose a ${later} outside ${a.text}.`;
      found.push(error(later, `${later} ${b.text} overlaps ${earlier} ${a.text}`, detail));
    }
  });
  return found;
}

/** Which of the four reserved addresses of `cidr` this is, if any. */
function reservedRole(cidr: Cidr, address: number): string | undefined {
  if (address === cidr.first) return 'the network address';
  if (address === cidr.first + 1) return 'the default gateway address';
  if (address === cidr.last - 1) return 'the second-to-last address';
  if (address === cidr.last) return 'the broadcast address';
  return undefined;
}

function swpIpDiagnostics(ip: string, ranges: Partial<Record<RangeKey, Cidr>>): Diagnostic[] {
  const address = parseAddress(ip);
  if (address === undefined) return [];

  // 1. The proxy-only subnetwork is for Google's proxies, never an address.
  const proxyOnly = ranges.SWP_RANGE;
  if (proxyOnly && contains(proxyOnly, address)) {
    return [error('SWP_IP',
      `SWP_IP ${ip} is inside SWP_RANGE ${proxyOnly.text}, the proxy-only subnetwork, ` +
        "which cannot hold the proxy's address",
      'Pick SWP_IP from RANGE or PRIVATE_RANGE; the gateway takes its address from whichever ' +
        'contains it.')];
  }

  // 2. It must lie in one of the two subnetworks that can hold it.
  const home = (['RANGE', 'PRIVATE_RANGE'] as const)
    .find((key) => ranges[key] && contains(ranges[key] as Cidr, address));
  if (!home) {
    if (!ranges.RANGE || !ranges.PRIVATE_RANGE) return []; // the bad range has its own error
    const { RANGE: range, PRIVATE_RANGE: privateRange } = ranges;
    return [error('SWP_IP',
      `SWP_IP ${ip} is not inside RANGE ${range.text} or PRIVATE_RANGE ${privateRange.text}`,
      'Pick an address inside RANGE or PRIVATE_RANGE (the seed uses PRIVATE_RANGE), not one of ' +
        'its reserved addresses.')];
  }

  // 3. And not be one of the four addresses Google Cloud reserves there.
  const cidr = ranges[home] as Cidr;
  const role = reservedRole(cidr, address);
  if (!role) return [];
  return [error('SWP_IP',
    `SWP_IP ${ip} is ${role} of ${home} ${cidr.text}, which Google Cloud reserves`,
    `Pick an address from ${fromUint(cidr.first + 2)} to ${fromUint(cidr.last - 2)}.`)];
}

/** Overlaps between the ranges, then the placement of SWP_IP. */
export function checkAddressPlan(values: ValidValues): Diagnostic[] {
  const ranges = validRanges(values);
  const ip = values.SWP_IP;
  return [...overlapDiagnostics(ranges), ...(ip === undefined ? [] : swpIpDiagnostics(ip, ranges))];
}
