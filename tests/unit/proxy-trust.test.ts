import { describe, expect, it } from "vitest";
import { parseEnv } from "~/lib/env.server";
import { clientAddress, parseProxyTrust, type ProxyTrust } from "~/lib/proxy-trust.server";

function trust(value: string): ProxyTrust {
  const parsed = parseProxyTrust(value);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

describe("TRUST_PROXY", () => {
  it("ignores X-Forwarded-For when unset: the socket is the client", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", trust(""))).toBe("203.0.113.9");
    expect(clientAddress("203.0.113.9", "198.51.100.1", trust("false"))).toBe("203.0.113.9");
  });

  it("with one hop, takes the address the proxy appended, not what the client wrote", () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    expect(clientAddress("10.0.0.2", "1.2.3.4, 198.51.100.7", trust("1"))).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", ["1.2.3.4", "198.51.100.7"], trust("1"))).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", undefined, trust("1"))).toBe("10.0.0.2");
  });

  it("with two hops (CDN then load balancer), skips exactly two", () => {
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.7, 192.0.2.50", trust("2"))).toBe("198.51.100.7");
  });

  it("with a list of proxies, walks from the right past every trusted address", () => {
    const proxies = trust("10.0.0.0/8, 192.0.2.50");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.7, 192.0.2.50", proxies)).toBe("198.51.100.7");
    expect(clientAddress("::ffff:10.0.0.2", "198.51.100.7", proxies)).toBe("198.51.100.7");
    // A direct connection from outside the list: its X-Forwarded-For is not believed.
    expect(clientAddress("203.0.113.9", "1.2.3.4", proxies)).toBe("203.0.113.9");
    expect(clientAddress("::1", "198.51.100.7", trust("loopback"))).toBe("198.51.100.7");
    expect(clientAddress("fd00::1", "2001:db8::7", trust("uniquelocal"))).toBe("2001:db8::7");
  });

  it("refuses `true` (it would believe any client) and anything it cannot read, naming the variable", () => {
    for (const value of ["true", "yes", "proxy.internal", "10.0.0.0/33", "11"]) {
      expect(() => parseEnv({ TRUST_PROXY: value })).toThrow(/^Invalid environment variables:\n {2}TRUST_PROXY:/);
    }
  });
});
