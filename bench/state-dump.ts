import type { Store } from '../src/emulator/store.js';

// A normalised dump of the emulator's state, to compare the end states of
// two runs: what differs between any two correct runs (ids, times, etags,
// generations, key material and what is derived from it, server-chosen name
// suffixes, the history of DNS changes) is folded away; everything else,
// including how many of each resource there are, is kept.

export type Dump = [name: string, value: unknown][];

const VOLATILE = new Set([
  'id',
  'uniqueId',
  'targetId',
  'creationTimestamp',
  'creationTime',
  'createTime',
  'updateTime',
  'startTime',
  'endTime',
  'insertTime',
  'etag',
  'fingerprint',
  'generation',
  'metageneration',
  'timeCreated',
  'updated',
  'timeStorageClassUpdated',
  'lockedTime',
  'mediaLink',
  'md5Hash',
  'crc32c',
  'size',
  'data',
  'revision',
  'pemCertificate',
  'pemCertificateChain',
  'pemCaCertificates',
  'pemCsr',
  'privateKeyPem',
  'publicKey',
  'caCertificateDescriptions',
  'certificateDescription',
  'subjectKeyId',
  'expireTime',
  'serialNumber',
  'oauth2ClientId',
  'selfLinkWithId',
  'notBeforeTime',
  'notAfterTime',
  'effectiveTime',
  'timeFinalized',
  'grantedAt',
  'serial',
]);

/** Lists whose order says nothing (IAM bindings arrive in whatever order parallel grants land). */
const UNORDERED = new Set(['bindings', 'members']);

/** Server-chosen parts of names: the default route's hex, the router's network id, a certificate's suffix. */
export function foldName(text: string): string {
  return (
    text
      .replace(/default-route-[0-9a-f]+/g, 'default-route-X')
      .replace(/swg-autogen-router-[0-9]+/g, 'swg-autogen-router-N')
      .replace(/(\/certificates\/cm-[a-z0-9-]*?)-[0-9a-f]{8,}\b/g, '$1-X')
      // A DNS zone's SOA serial counts its changes.
      .replace(/(cloud-dns-hostmaster\.google\.com\. )\d+/g, '$1N')
  );
}

function fold(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fold);
  if (typeof value === 'string') return foldName(value);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    if (VOLATILE.has(k)) continue;
    const v = fold((value as Record<string, unknown>)[k]);
    out[k] =
      UNORDERED.has(k) && Array.isArray(v)
        ? [...v].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1))
        : v;
  }
  return out;
}

/** Every resource, folded and sorted; DNS change records (history, not state) left out. */
export function dumpState(store: Store): Dump {
  return store
    .entries('')
    .filter(([name]) => !/\/changes\/\d+$/.test(name))
    .map(([name, value]): [string, unknown] => [foldName(name), fold(value)])
    .sort((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : JSON.stringify(a[1]) < JSON.stringify(b[1]) ? -1 : 1,
    );
}

export interface DumpComparison {
  equal: boolean;
  /** Names present more often than in the expected dump. */
  duplicates: string[];
  /** Names the expected dump does not have at all. */
  unexpected: string[];
  missing: string[];
  /** Names present in both whose content differs. */
  differing: string[];
}

export function compareDumps(expected: Dump, actual: Dump): DumpComparison {
  const count = (d: Dump): Map<string, number> => {
    const m = new Map<string, number>();
    for (const [n] of d) m.set(n, (m.get(n) ?? 0) + 1);
    return m;
  };
  const want = count(expected);
  const have = count(actual);
  const duplicates: string[] = [];
  const unexpected: string[] = [];
  const missing: string[] = [];
  for (const [n, c] of have) {
    if (!want.has(n)) unexpected.push(n);
    else for (let i = want.get(n)!; i < c; i++) duplicates.push(n);
  }
  for (const n of want.keys()) if (!have.has(n)) missing.push(n);
  const byName = new Map(expected.map(([n, v]) => [n, JSON.stringify(v)]));
  const differing = actual
    .filter(
      ([n, v]) =>
        byName.has(n) &&
        want.get(n) === 1 &&
        have.get(n) === 1 &&
        byName.get(n) !== JSON.stringify(v),
    )
    .map(([n]) => n);
  const equal = JSON.stringify(expected) === JSON.stringify(actual);
  return { equal, duplicates, unexpected, missing, differing };
}

/** Resources carrying the ownership mark of `env` (label, description or object metadata). */
export function ownedBy(store: Store, env: string): string[] {
  return store
    .entries('')
    .filter(([, v]) => {
      const r = v as Record<string, any>;
      return (
        r?.labels?.['dpgce-env'] === env ||
        r?.metadata?.['dpgce-env'] === env ||
        (typeof r?.description === 'string' && r.description.includes(`[dpgce-env=${env}]`))
      );
    })
    .map(([n]) => n);
}

/** One line that says how two dumps differ, for a failure message. */
export function describeComparison(c: DumpComparison): string {
  const part = (label: string, names: string[]): string =>
    names.length
      ? `${label} ${names.length} (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''})`
      : '';
  return (
    [
      part('duplicates', c.duplicates),
      part('unexpected', c.unexpected),
      part('missing', c.missing),
      part('differing', c.differing),
    ]
      .filter(Boolean)
      .join('; ') || 'equal'
  );
}
