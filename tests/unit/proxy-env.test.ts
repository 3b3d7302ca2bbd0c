// The proxy's environment: its own variables' defaults and bounds, and the fields it shares with the
// portal's schema (one definition: the same values accepted, the same refused).
import { describe, expect, it } from "vitest";
import { parseEnv } from "~/lib/env.server";
import { parseProxyEnv } from "~/proxy/proxy-env.server";

const base = { UPSTREAM_BASE_URL: "http://127.0.0.1:9100/v1", UPSTREAM_API_KEY: "sk-test" };

describe("parseProxyEnv", () => {
  it("defaults: authorize answers reused 250 ms, debits grouped 10 ms, checkpoints every 200 ms", () => {
    const env = parseProxyEnv(base);
    expect([env.PROXY_AUTH_CACHE_MS, env.PROXY_DEBIT_GROUP_MS, env.PROXY_SQLITE_CHECKPOINT_MS]).toEqual([250, 10, 200]);
    expect(parseProxyEnv({ ...base, PROXY_AUTH_CACHE_MS: "0", PROXY_DEBIT_GROUP_MS: "0", PROXY_SQLITE_CHECKPOINT_MS: "0" })).toMatchObject({ PROXY_AUTH_CACHE_MS: 0, PROXY_DEBIT_GROUP_MS: 0, PROXY_SQLITE_CHECKPOINT_MS: 0 });
  });

  it("refuses values out of bounds, naming the variable", () => {
    expect(() => parseProxyEnv({ ...base, PROXY_AUTH_CACHE_MS: "-1" })).toThrow(/PROXY_AUTH_CACHE_MS/);
    expect(() => parseProxyEnv({ ...base, PROXY_AUTH_CACHE_MS: "60000" })).toThrow(/PROXY_AUTH_CACHE_MS/);
    expect(() => parseProxyEnv({ ...base, PROXY_DEBIT_GROUP_MS: "soon" })).toThrow(/PROXY_DEBIT_GROUP_MS/);
  });

  it("reads TRUST_PROXY, NODE_ENV and LOG_LEVEL exactly as the portal does", () => {
    expect(parseProxyEnv({ ...base, TRUST_PROXY: "2" }).TRUST_PROXY).toEqual(parseEnv({ TRUST_PROXY: "2" }).TRUST_PROXY);
    expect(() => parseProxyEnv({ ...base, TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY/);
    expect(() => parseEnv({ TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY/);
    expect(() => parseProxyEnv({ ...base, LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(() => parseEnv({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });
});
