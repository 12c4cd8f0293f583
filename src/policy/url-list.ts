// URL list matching as the Secure Web Proxy documents it
// (https://cloud.google.com/secure-web-proxy/docs/url-list-syntax-reference):
//
// - an entry is a domain, optionally followed by `/path`;
// - `*` is only a prefix: `*.example.com` matches subdomains, never the bare
//   domain; `*example.com` matches the domain and its subdomains at a label
//   boundary, never `myexample.com`;
// - an entry without a path matches every path (`example.com` is
//   `example.com/*`);
// - matched against a value without `/` (what `host()` gives), only the
//   domain part of the entry counts.
//
// Two points the page leaves open, decided here and in docs/policy.md: an
// entry's path matches the request path exactly, or as a prefix when it ends
// in `*`; the request's query string is ignored (entries carry none).

/** The parts of a value `inUrlList` is given: `host()` or `request.url()`. */
interface Target {
  host: string;
  /** Absent for a bare host. Starts with `/`, without the query string. */
  path?: string;
}

function target(value: string): Target {
  const withoutScheme = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const authority = slash === -1 ? withoutScheme : withoutScheme.slice(0, slash);
  const host = authority
    .replace(/^[^@]*@/, '')
    .replace(/:\d+$/, '')
    .toLowerCase();
  if (slash === -1) return { host };
  const rest = withoutScheme.slice(slash);
  return { host, path: rest.replace(/[?#].*$/, '') };
}

/** Whether an entry's domain part matches a host. */
export function domainMatches(domain: string, host: string): boolean {
  const d = domain.toLowerCase();
  if (d.startsWith('*.')) return host.endsWith(d.slice(1));
  if (d.startsWith('*')) return host === d.slice(1) || host.endsWith(`.${d.slice(1)}`);
  return host === d;
}

function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/** Whether one URL list entry matches a `host()` or `request.url()` value. */
export function urlListMatches(entry: string, value: string): boolean {
  const slash = entry.indexOf('/');
  const domain = slash === -1 ? entry : entry.slice(0, slash);
  const t = target(value);
  if (!domainMatches(domain, t.host)) return false;
  if (slash === -1 || t.path === undefined) return true;
  return pathMatches(entry.slice(slash), t.path);
}

/** URL list name -> its entries. */
export type UrlLists = ReadonlyMap<string, readonly string[]>;

/** The URL list names a matcher refers to: `inUrlList(x, '<name>')`. */
export function referencedUrlLists(expression: string | undefined): string[] {
  const found = (expression ?? '').matchAll(
    /inUrlList\s*\([^,()]*(?:\(\))?\s*,\s*['"]([^'"]+)['"]\s*\)/g,
  );
  return [...new Set([...found].map((m) => m[1]))];
}
