import ipaddr from 'ipaddr.js';

export const MAX_ALLOWED_IPS = 100;

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * One entry in normal form ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"), or null when it
 * is neither an address nor a CIDR range. An IPv4-mapped IPv6 address counts as IPv4.
 */
export function normalizeIpEntry(entry: string): string | null {
  const text = entry.trim();
  if (text.includes('/')) {
    if (!ipaddr.isValidCIDR(text)) return null;
    const [addr, bits] = ipaddr.parseCIDR(text);
    const base =
      addr.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
    const full = addr.kind() === 'ipv4' ? 32 : 128;
    return bits === full ? base.toString() : `${base.toString()}/${bits}`;
  }
  if (!ipaddr.isValid(text)) return null;
  return ipaddr.process(text).toString();
}

/** Entries in normal form, deduplicated, in the order given. */
export function normalizeAllowedIps(entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    const n = normalizeIpEntry(e);
    if (n === null) throw new TypeError(e);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

function rangeOf(entry: string): Range {
  if (entry.includes('/')) return ipaddr.parseCIDR(entry);
  const addr = ipaddr.parse(entry);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

/** Answers whether an address is in a key's list; parsed once per list. */
export class IpAllowlist {
  private readonly ranges: Range[];

  constructor(entries: readonly string[]) {
    this.ranges = entries.map(rangeOf);
  }

  allows(ip: string | undefined): boolean {
    if (ip === undefined || !ipaddr.isValid(ip)) return false;
    const addr = ipaddr.process(ip);
    for (const [base, bits] of this.ranges) {
      if (base.kind() === addr.kind() && addr.match(base, bits)) return true;
    }
    return false;
  }
}
