import { BOOT_SCRIPT_DEFAULT_BYPASS } from '../node/metadata.js';

// Hosts a node reaches without the proxy: the fixed entries of the boot
// script's bypass list (DEFAULT_NO_PROXY in src/node/gce-proxy-setup.sh,
// docs/boot-script.md). The policy never sees these requests, so the
// simulator reports them as BYPASS rather than as allowed or denied.

/** Why a request to this host never reaches the proxy. */
export interface Bypass {
  /** The bypass-list entry that matched (`.googleapis.com`). */
  entry: string;
  reason: string;
}

const REASONS: Record<string, string> = {
  '.googleapis.com': 'Google APIs are reached over Private Google Access, never through the proxy',
  '.internal': 'Compute Engine internal DNS names stay inside the VPC',
  'metadata.google.internal': 'the metadata server is reached directly',
  '169.254.169.254': 'the metadata server is reached directly',
};

const LOOPBACK = 'loopback: the request never leaves the node';

/** Matches as curl, Python and Go do: `.suffix` covers the domain and its subdomains. */
function entryMatches(entry: string, host: string): boolean {
  if (!entry.startsWith('.')) return host === entry;
  return host === entry.slice(1) || host.endsWith(entry);
}

/** The bypass that applies to a host, if any (host as `URL.hostname` gives it). */
export function bypassOf(hostname: string): Bypass | undefined {
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  const entry = BOOT_SCRIPT_DEFAULT_BYPASS.find((e) => entryMatches(e, host));
  if (!entry) return undefined;
  return { entry, reason: REASONS[entry] ?? LOOPBACK };
}
