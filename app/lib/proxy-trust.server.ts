// TRUST_PROXY: which hops in front of Ferry may add to X-Forwarded-For, read the way Express's
// `trust proxy` reads a number of hops or a list of addresses, and the client address that follows.
import { BlockList, isIP } from "node:net";

export type ProxyTrust = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "addresses"; list: BlockList };

const NAMED_RANGES: Record<string, string[]> = {
  loopback: ["127.0.0.1/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** Parses the variable; a message (for the start-up error) when it is not understood. */
export function parseProxyTrust(value: string | undefined): ProxyTrust | string {
  const text = (value ?? "").trim().toLowerCase();
  if (text === "" || text === "false" || text === "0") return { kind: "none" };
  if (text === "true" || text === "yes")
    return "`true` would trust any X-Forwarded-For a client sends: give the number of proxies in front of Ferry (e.g. 1) or their addresses/CIDRs";
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops <= 10 ? { kind: "hops", hops } : "at most 10 proxy hops";
  }
  const list = new BlockList();
  for (const entry of text.split(",").map((part) => part.trim()).filter(Boolean)) {
    for (const range of NAMED_RANGES[entry] ?? [entry]) {
      const [address = "", prefix] = range.split("/");
      const family = isIP(address);
      if (family === 0) return `"${entry}" is neither a number of hops nor an IP address, CIDR, loopback, linklocal or uniquelocal`;
      const type = family === 4 ? "ipv4" : "ipv6";
      if (prefix === undefined) list.addAddress(address, type);
      else if (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)) list.addSubnet(address, Number(prefix), type);
      else return `"${entry}" has a bad prefix length`;
    }
  }
  return { kind: "addresses", list };
}

/** `::ffff:10.0.0.1` (how Node shows IPv4 on a dual-stack socket) is 10.0.0.1. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** Express's `trust proxy` function form: is the hop `index` away from us (0 = the socket) trusted? */
export function trustsHop(trust: ProxyTrust): (address: string, index: number) => boolean {
  if (trust.kind === "none") return () => false;
  if (trust.kind === "hops") return (_address, index) => index < trust.hops;
  return (address) => {
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && trust.list.check(plain, family === 4 ? "ipv4" : "ipv6");
  };
}

/**
 * The client's address: walk X-Forwarded-For from the right, past the socket and every trusted hop;
 * the first untrusted address is the client. Entries left of it are whatever the client wrote.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor ?? "";
  const forwarded = header.split(",").map((part) => part.trim()).filter(Boolean).reverse();
  const addresses = [socketAddress ?? "unknown", ...forwarded];
  const trusted = trustsHop(trust);
  let index = 0;
  while (index < addresses.length - 1 && trusted(addresses[index]!, index)) index += 1;
  return plainAddress(addresses[index]!);
}
