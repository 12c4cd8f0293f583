// IPv4 address arithmetic for the emulator's own checks (subnet ranges,
// overlap, gateway addresses, DNS A records). Written here rather than
// borrowed from the client side, so a mistake cannot hide on both sides.

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

/** `a.b.c.d` as a number, or undefined when it is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0'))))
    return undefined;
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `a.b.c.d/n` with no host bits set, or undefined. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const base = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  if ((base & ~mask(prefix)) >>> 0 !== 0) return undefined;
  return { base, prefix };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & mask(p)) >>> 0 === (b.base & mask(p)) >>> 0;
}

export function contains(range: Cidr, address: number): boolean {
  return (address & mask(range.prefix)) >>> 0 === range.base;
}

/** The n-th address of a range (0 = network address). */
export const nthAddress = (range: Cidr, n: number): string => formatIpv4((range.base + n) >>> 0);

const mask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
