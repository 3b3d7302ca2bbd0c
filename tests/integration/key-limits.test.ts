// Per-key limits through the gateway: allow-lists, budgets and per-minute rates decided by
// authorize, tokens counted by usage in the debit's transaction, and counters shared by two app
// instances (two database handles, two gateway servers) on one database.
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { authorizeApiKey, recordUsage } from "~/domain/gateway.server";
import { getKeyLimits, NO_LIMITS, setKeyLimits, type KeyLimitValues } from "~/domain/key-limits/index.server";
import { creditAccount, verifyLedger } from "~/domain/ledger.server";
import { createGatewayHandler } from "~/gateway/router.server";
import { createDatabase, getDb, type Db } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { providerProfiles } from "~/providers";
import type { ProviderProfile } from "~/providers/types";
import { createUser } from "./helpers";

const TOKEN = "limits-test-token-0123456789abcdef";
const glm = providerProfiles.glm;
const T0 = new Date("2026-03-10T10:20:05.000Z");
const at = (iso: string) => new Date(iso);

interface Instance {
  db: Db;
  server: Server;
  url: string;
}
const instances: Instance[] = [];

async function startInstance(db: Db, provider: ProviderProfile = glm): Promise<Instance> {
  const handler = createGatewayHandler({ db, provider, tokens: [TOKEN] });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const instance = { db, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  instances.push(instance);
  return instance;
}

let one: Instance;
let two: Instance;

beforeAll(async () => {
  one = await startInstance(getDb());
  // A second app instance: its own connection (pool) to the same database, its own server.
  two = await startInstance(createDatabase(getEnv().DATABASE_URL));
});
afterAll(async () => {
  for (const instance of instances) await new Promise<void>((resolve) => instance.server.close(() => resolve()));
  await two.db.destroy();
});

async function post(instance: Instance, path: string, body: unknown) {
  const response = await fetch(`${instance.url}/api/gateway/${path}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

async function keyWithLimits(limits: Partial<KeyLimitValues>, credit = 10_000_000) {
  const user = await createUser();
  const created = await createApiKey(getDb(), { accountId: user.id, name: "limited", prefix: glm.keyPrefix });
  if (!created.ok) throw new Error(created.reason);
  await creditAccount(getDb(), { accountId: user.id, kind: "purchase", bucket: "paid", tokens: credit, idempotencyKey: `limits:${user.id}`, referenceType: "test", referenceId: user.id });
  if (Object.keys(limits).length > 0) {
    const set = await setKeyLimits(getDb(), { accountId: user.id, keyId: created.apiKey.id, limits: { ...NO_LIMITS, ...limits } });
    expect(set.ok).toBe(true);
  }
  return { user, key: created.key, keyId: created.apiKey.id };
}

let requestNumber = 0;
function usage(keyId: string, tokens: number, now: Date, db = getDb()) {
  requestNumber += 1;
  return recordUsage(db, glm, { requestId: `lim-${requestNumber}-${Math.random()}`, keyId, model: "glm-4", inputTokens: tokens, outputTokens: 0 }, now);
}

describe("allow-lists", () => {
  it("lets only the listed models through, by the name asked for or the provider's name", async () => {
    const { key } = await keyWithLimits({ allowedModels: ["gpt-4o-mini", "glm-4-plus"] });
    const mapped = glm.modelMap.find((pair) => pair.provider === "glm-4-plus");
    expect((await post(one, "authorize", { api_key: key, model: "gpt-4o-mini" })).status).toBe(200);
    expect((await post(one, "authorize", { api_key: key, model: "glm-4-plus" })).status).toBe(200);
    if (mapped) expect((await post(one, "authorize", { api_key: key, model: mapped.openai })).status).toBe(200);
    const refused = await post(one, "authorize", { api_key: key, model: "gpt-3.5-turbo-0125" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("model_not_allowed");
    expect(refused.body.allowed_models).toEqual(["gpt-4o-mini", "glm-4-plus"]);
    // No model named: the allow-list cannot be checked, so the request is refused.
    expect((await post(one, "authorize", { api_key: key })).body.error.code).toBe("model_not_allowed");
  });

  it("lets only the listed client addresses through (IPv4, IPv6, mapped IPv4)", async () => {
    const { key } = await keyWithLimits({ allowedCidrs: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"] });
    for (const ip of ["203.0.113.9", "2001:db8:1::5", "198.51.100.7", "::ffff:203.0.113.200"]) {
      expect((await post(one, "authorize", { api_key: key, client_ip: ip })).status, ip).toBe(200);
    }
    for (const ip of ["203.0.114.1", "198.51.100.8", "2001:db9::1", "10.0.0.1"]) {
      const refused = await post(one, "authorize", { api_key: key, client_ip: ip });
      expect(refused.status, ip).toBe(403);
      expect(refused.body.error.code).toBe("ip_not_allowed");
      expect(refused.body.client_ip).toBe(ip);
    }
    expect((await post(one, "authorize", { api_key: key })).body.error.code).toBe("ip_not_allowed");
    const invalid = await post(one, "authorize", { api_key: key, client_ip: "300.1.1.1" });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe("invalid_request");
  });

  it("keeps old requests (no client_ip, no model) valid for keys without limits", async () => {
    const { key } = await keyWithLimits({});
    const outcome = await post(one, "authorize", { api_key: key });
    expect(outcome.status).toBe(200);
    expect(outcome.body.remaining_tokens).toBe(10_000_000);
  });
});

describe("requests and tokens per minute", () => {
  it("counts requests per UTC minute and says when to retry", async () => {
    const { key } = await keyWithLimits({ requestsPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, T0)).ok).toBe(true);
    const limited = await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-10T10:20:59.250Z"));
    expect(limited).toMatchObject({ ok: false, code: "rate_limited", context: { limit: "requests_per_minute", retry_after_ms: 750 } });
    // A refused request does not use a slot; the next minute starts afresh.
    for (let i = 0; i < 3; i++) expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-10T10:21:00.000Z"))).ok).toBe(true);
    expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-10T10:21:30.000Z"))).ok).toBe(false);
  });

  it("answers 429 with retry_after_ms and Retry-After over HTTP", async () => {
    const { key } = await keyWithLimits({ requestsPerMinute: 1 });
    expect((await post(one, "authorize", { api_key: key })).status).toBe(200);
    const limited = await post(one, "authorize", { api_key: key });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(limited.body.retry_after_ms).toBeGreaterThan(0);
    expect(limited.body.retry_after_ms).toBeLessThanOrEqual(60_000);
    expect(Number(limited.headers.get("retry-after"))).toBe(Math.max(1, Math.ceil(limited.body.retry_after_ms / 1000)));
  });

  it("refuses once the minute's reported tokens reach the limit", async () => {
    const { keyId, key } = await keyWithLimits({ tokensPerMinute: 1000 });
    expect((await usage(keyId, 600, T0)).ok).toBe(true);
    expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, T0)).ok).toBe(true);
    expect((await usage(keyId, 400, at("2026-03-10T10:20:30.000Z"))).ok).toBe(true);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-10T10:20:40.000Z"))).toMatchObject({ ok: false, code: "rate_limited", context: { limit: "tokens_per_minute", retry_after_ms: 20_000 } });
    expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-10T10:21:00.000Z"))).ok).toBe(true);
  });
});

describe("budgets", () => {
  it("refuses for the rest of the UTC day once the daily budget is used, then allows again", async () => {
    const { keyId, key } = await keyWithLimits({ dailyTokens: 5000 });
    await usage(keyId, 3000, T0);
    expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, T0)).ok).toBe(true);
    await usage(keyId, 2500, at("2026-03-10T18:00:00.000Z"));
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-10T23:59:00.000Z"))).toMatchObject({
      ok: false,
      code: "budget_exhausted",
      context: { budget: "daily", budget_tokens: 5000, used_tokens: 5500, resets_at: "2026-03-11T00:00:00.000Z" },
    });
    expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-11T00:00:01.000Z"))).ok).toBe(true);
  });

  it("keeps a monthly budget across days, and a replayed report counts once", async () => {
    const { keyId, key } = await keyWithLimits({ monthlyTokens: 10_000 });
    const first = await recordUsage(getDb(), glm, { requestId: `monthly-${keyId}`, keyId, model: "glm-4", inputTokens: 6000, outputTokens: 0 }, at("2026-03-02T08:00:00.000Z"));
    const replay = await recordUsage(getDb(), glm, { requestId: `monthly-${keyId}`, keyId, model: "glm-4", inputTokens: 6000, outputTokens: 0 }, at("2026-03-02T08:00:01.000Z"));
    expect(first.ok && replay.ok && replay.duplicate).toBe(true);
    // A conflicting report (same id, other numbers) is refused and counts nothing either.
    const conflict = await recordUsage(getDb(), glm, { requestId: `monthly-${keyId}`, keyId, model: "glm-4", inputTokens: 9000, outputTokens: 0 }, at("2026-03-02T08:00:02.000Z"));
    expect(conflict).toMatchObject({ ok: false, code: "request_conflict" });
    expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-20T00:00:00.000Z"))).ok).toBe(true);
    await usage(keyId, 4000, at("2026-03-20T00:00:00.000Z"));
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-03-31T23:00:00.000Z"))).toMatchObject({ ok: false, code: "budget_exhausted", context: { budget: "monthly", used_tokens: 10_000, resets_at: "2026-04-01T00:00:00.000Z" } });
    expect((await authorizeApiKey(getDb(), glm, { apiKey: key }, at("2026-04-01T00:00:00.000Z"))).ok).toBe(true);
    const view = await getKeyLimits(getDb(), (await getDb().selectFrom("api_keys").select("user_id").where("id", "=", keyId).executeTakeFirstOrThrow()).user_id, keyId, at("2026-03-31T23:00:00.000Z"));
    expect(view?.used.monthTokens).toBe(10_000);
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });
});

describe("defaults from the provider profile", () => {
  it("apply to keys without their own setting; a key's own setting wins", async () => {
    const profile: ProviderProfile = { ...glm, keyLimitDefaults: { ...NO_LIMITS, requestsPerMinute: 2, allowedModels: ["glm-4"] } };
    const plain = await keyWithLimits({});
    const own = await keyWithLimits({ requestsPerMinute: 4 });
    const count = async (key: string) => {
      let ok = 0;
      for (let i = 0; i < 6; i++) if ((await authorizeApiKey(getDb(), profile, { apiKey: key, model: "glm-4" }, T0)).ok) ok++;
      return ok;
    };
    expect(await count(plain.key)).toBe(2);
    expect(await count(own.key)).toBe(4);
    expect(await authorizeApiKey(getDb(), profile, { apiKey: own.key, model: "glm-3-turbo" }, at("2026-03-10T11:00:00.000Z"))).toMatchObject({ ok: false, code: "model_not_allowed" });
  });
});

describe("two app instances on one database", () => {
  it("share the requests-per-minute counter: concurrent calls through both take exactly the limit", async () => {
    const { key } = await keyWithLimits({ requestsPerMinute: 25 });
    const calls = Array.from({ length: 80 }, (_, i) => post(i % 2 === 0 ? one : two, "authorize", { api_key: key }));
    const outcomes = await Promise.all(calls);
    const statuses = outcomes.map((outcome) => outcome.status);
    // The calls may straddle a minute boundary: then each minute grants at most 25.
    const granted = statuses.filter((status) => status === 200).length;
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    expect(granted === 25 || (granted > 25 && granted <= 50)).toBe(true);
    const sameMinute = await Promise.all(Array.from({ length: 40 }, (_, i) => authorizeApiKey(i % 2 === 0 ? one.db : two.db, glm, { apiKey: key }, at("2031-01-01T00:00:10.000Z"))));
    expect(sameMinute.filter((outcome) => outcome.ok).length).toBe(25);
  });

  it("add usage reported through both into one budget", async () => {
    const { keyId, key } = await keyWithLimits({ dailyTokens: 40 * 100 });
    const reports = Array.from({ length: 40 }, (_, i) => usage(keyId, 100, at("2031-02-01T09:00:00.000Z"), i % 2 === 0 ? one.db : two.db));
    expect((await Promise.all(reports)).every((outcome) => outcome.ok)).toBe(true);
    expect(await authorizeApiKey(two.db, glm, { apiKey: key }, at("2031-02-01T09:30:00.000Z"))).toMatchObject({ ok: false, code: "budget_exhausted", context: { used_tokens: 4000 } });
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });
});
