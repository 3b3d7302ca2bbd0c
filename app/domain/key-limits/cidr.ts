// Client address allow-lists: CIDR ranges (IPv4 and IPv6; an IPv4-mapped IPv6 address matches
// IPv4 ranges), parsed once per distinct list.
import ipaddr from "ipaddr.js";

export type ParsedRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseRange(entry: string): ParsedRange | null {
  try {
    if (entry.includes("/")) return ipaddr.parseCIDR(entry);
    const address = ipaddr.parse(entry);
    return [address, address.kind() === "ipv4" ? 32 : 128];
  } catch {
    return null;
  }
}

const cache = new Map<string, ParsedRange[]>();

/** The ranges of a list, invalid entries dropped (the form refuses them before they are stored). */
export function parseCidrList(entries: readonly string[]): ParsedRange[] {
  const cacheKey = entries.join(",");
  let ranges = cache.get(cacheKey);
  if (!ranges) {
    ranges = entries.map(parseRange).filter((range): range is ParsedRange => range !== null);
    if (cache.size > 10_000) cache.clear();
    cache.set(cacheKey, ranges);
  }
  return ranges;
}

export function isIpAddress(value: string): boolean {
  return ipaddr.isValid(value);
}

export function ipAllowed(clientIp: string, ranges: readonly ParsedRange[]): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(clientIp);
  } catch {
    return false;
  }
  for (const [network, bits] of ranges) {
    const candidate = network.kind() === "ipv6" && address.kind() === "ipv4" ? (address as ipaddr.IPv4).toIPv4MappedAddress() : address;
    if (candidate.kind() === network.kind() && candidate.match([network, bits] as never)) return true;
  }
  return false;
}
