import type { PrivateZone } from './network-model.js';

// How a node's resolver answers a name from the private zones bound to its
// network: the zone with the longest DNS name that is a suffix of the name
// is authoritative for it (Cloud DNS zone matching); inside it an exact
// record set wins over a wildcard, and the nearest wildcard (`*.` and the
// closest enclosing name) over a farther one; CNAMEs are followed. A name
// no bound zone covers goes to public DNS, which this model does not see.
// Pure.

export interface Resolution {
  /** The A addresses, empty when the name does not resolve from the private zones. */
  addresses: string[];
  /** Each step, e.g. `storage.googleapis.com. CNAME private.googleapis.com. (zone x)`. */
  chain: string[];
  /** The zone that gave the final answer (or found no record), absent when no zone covers the name. */
  zone?: string;
  /** Why there are no addresses, when there are none. */
  problem?: string;
}

const MAX_CNAME_HOPS = 8;

export function resolve(zones: PrivateZone[], name: string): Resolution {
  const chain: string[] = [];
  let current = name;
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop += 1) {
    const zone = authoritative(zones, current);
    if (!zone) return { addresses: [], chain, problem: `no private zone bound to the network covers ${current}` };
    const found = lookup(zone, current);
    if (!found) return { addresses: [], chain, zone: zone.name, problem: `zone ${zone.name} (${zone.dnsName}) has no record for ${current}` };
    if (found.type === 'CNAME') {
      chain.push(`${current} CNAME ${found.rrdatas[0]} (zone ${zone.name})`);
      current = found.rrdatas[0];
      continue;
    }
    chain.push(`${current} A ${found.rrdatas.join(', ')} (zone ${zone.name})`);
    return { addresses: found.rrdatas, chain, zone: zone.name };
  }
  return { addresses: [], chain, problem: `more than ${MAX_CNAME_HOPS} CNAMEs from ${name}` };
}

function authoritative(zones: PrivateZone[], name: string): PrivateZone | undefined {
  return zones
    .filter((z) => name === z.dnsName || name.endsWith(`.${z.dnsName}`))
    .sort((a, b) => b.dnsName.length - a.dnsName.length)[0];
}

/** The A or CNAME record set answering `name` in `zone`: exact first, then the nearest wildcard. */
function lookup(zone: PrivateZone, name: string): { type: string; rrdatas: string[] } | undefined {
  const answer = (n: string) => zone.records.find((r) => r.name === n && (r.type === 'A' || r.type === 'CNAME'));
  const exact = answer(name);
  if (exact) return exact;
  const labels = name.split('.');
  for (let i = 1; i < labels.length - 1; i += 1) {
    const parent = labels.slice(i).join('.');
    if (parent.length < zone.dnsName.length) break;
    const wildcard = answer(`*.${parent}`);
    if (wildcard) return wildcard;
  }
  return undefined;
}
