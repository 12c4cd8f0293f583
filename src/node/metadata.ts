// The bypass list ("no proxy") in the forms dpgce and the node boot script
// use. dpgce renders the cluster's `no-proxy` metadata attribute from env.json
// (renderNoProxyAttribute); the boot script adds its fixed defaults and writes
// the environment form; Java services get the Java form through cluster
// properties. Pure functions: no I/O.

/** The boot script's fixed entries (DEFAULT_NO_PROXY in gce-proxy-setup.sh); always bypassed. */
export const BOOT_SCRIPT_DEFAULT_BYPASS: readonly string[] = [
  "localhost", "127.0.0.1", "::1", "169.254.169.254", "metadata.google.internal",
  ".internal", ".googleapis.com",
];

/** Why an entry was dropped or changed, naming what to write instead. */
export interface BypassDiagnostic {
  entry: string;
  summary: string;
}

export interface RenderedBypass {
  /** Comma-separated entries in the form curl, Python and Go share. */
  value: string;
  diagnostics: BypassDiagnostic[];
}

const ENTRY = /^[a-z0-9.:/_-]+$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/** Above this many wildcard entries, a range is widened to the enclosing octet. */
const MAX_JAVA_EXPANSION = 16;

/**
 * One entry in the environment form, as the boot script normalizes it:
 * lower case, `*.example.com` becomes `.example.com`, other wildcards are
 * dropped (curl, Python and Go do not understand them).
 */
export function normalizeBypassEntry(raw: string): { entry?: string; diagnostic?: BypassDiagnostic } {
  let entry = raw.trim().toLowerCase();
  if (entry.startsWith("*.") && !entry.slice(2).includes("*")) entry = entry.slice(1);
  const ipGlob = /^((?:\d{1,3}\.){1,3})\*$/.exec(entry);
  if (ipGlob) {
    const octets = ipGlob[1].split(".").filter((o) => o !== "");
    const cidr = [...octets, ...Array(4 - octets.length).fill("0")].join(".") + `/${octets.length * 8}`;
    return { diagnostic: { entry: raw, summary: `wildcards are not understood by curl, Python or Go; use ${cidr}` } };
  }
  if (entry.includes("*")) {
    return { diagnostic: { entry: raw, summary: "wildcards are not understood by curl, Python or Go; " +
      "cluster hosts are covered by '.internal' (their GCE DNS names), or list a domain suffix " +
      "('.example.com') or the subnet range (10.10.0.0/24)" } };
  }
  if (!ENTRY.test(entry)) return { diagnostic: { entry: raw, summary: "unexpected characters" } };
  return { entry };
}

/** The `no-proxy` attribute value for ranges and domains (order kept, duplicates and invalid entries dropped). */
export function renderNoProxyAttribute(entries: readonly string[]): RenderedBypass {
  const out: string[] = [];
  const diagnostics: BypassDiagnostic[] = [];
  for (const raw of entries.flatMap((e) => e.split(/[\s,]+/)).filter((e) => e !== "")) {
    const { entry, diagnostic } = normalizeBypassEntry(raw);
    if (diagnostic) diagnostics.push(diagnostic);
    if (entry && !out.includes(entry)) out.push(entry);
  }
  return { value: out.join(","), diagnostics };
}

/** The environment form the boot script writes: defaults, then names, then addresses. */
export function environmentNoProxy(attribute: string): string {
  const entries = renderNoProxyAttribute([attribute]).value.split(",").filter((e) => e !== "");
  const isAddress = (e: string): boolean => /^[\d.]+(\/\d+)?$/.test(e) || e.includes(":");
  const ordered = [...entries.filter((e) => !isAddress(e)), ...entries.filter(isAddress)];
  return [...new Set([...BOOT_SCRIPT_DEFAULT_BYPASS, ...ordered])].join(",");
}

/** The Java form (`-Dhttp.nonProxyHosts`) of the same list: `|` separators, `*.` suffixes, octet wildcards. */
export function javaNonProxyHosts(attribute: string): string {
  const entries = environmentNoProxy(attribute).split(",");
  const suffixes = entries.filter((e) => e.startsWith("."));
  const out: string[] = [];
  for (const entry of entries) {
    for (const java of javaEntries(entry, suffixes)) if (!out.includes(java)) out.push(java);
  }
  return out.join("|");
}

/** curl matches a bare name's subdomains too; Java needs `*.name` for that, unless a suffix covers it. */
function javaEntries(entry: string, suffixes: string[]): string[] {
  if (entry.startsWith(".")) return [`*${entry}`];
  if (entry.includes(":") && !entry.includes("/")) return [`[${entry}]`];
  const cidr = IPV4_CIDR.exec(entry);
  if (cidr) return ipv4Wildcards(cidr.slice(1, 5).map(Number), Number(cidr[5]));
  if (entry.includes("/")) return [];
  if (/^[\d.]+$/.test(entry) || entry === "localhost") return [entry];
  return suffixes.some((s) => entry.endsWith(s)) ? [entry] : [entry, `*.${entry}`];
}

/** 10.10.0.0/24 -> 10.10.0.*; a prefix between octets expands, or widens when that is too many. */
function ipv4Wildcards(octets: number[], prefix: number): string[] {
  let whole = Math.ceil(prefix / 8);
  if (2 ** (whole * 8 - prefix) > MAX_JAVA_EXPANSION) whole = Math.floor(prefix / 8);
  const count = Math.max(1, 2 ** (whole * 8 - prefix));
  const base = whole === 0 ? 0 : octets[whole - 1] & ~(count - 1) & 0xff;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const head = [...octets.slice(0, Math.max(0, whole - 1)), ...(whole > 0 ? [base + i] : [])];
    out.push(whole === 4 ? head.join(".") : [...head, "*"].join("."));
  }
  return out;
}
