// The gateway API over real HTTP: the Express router on an ephemeral port, a real database.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey, rollApiKey } from "~/domain/api-keys.server";
import { authorizeApiKey, recordUsage } from "~/domain/gateway.server";
import { creditAccount, getBalance, verifyLedger } from "~/domain/ledger.server";
import { createServer } from "node:http";
import { createGatewayHandler, createGatewayRouter, GATEWAY_PATH } from "~/gateway/router.server";
import { getDb } from "~/lib/db.server";
import type { DbExecutor } from "~/lib/db.server";
import { providerProfiles } from "~/providers";
import { createUser } from "./helpers";

const TOKEN = "gateway-test-token-0123456789abcdef";
const OLD_TOKEN = "gateway-old-token-0123456789abcdef00";
const provider = providerProfiles.glm;
let server: Server;
let baseUrl: string;

function listen(router: express.Router): Promise<{ server: Server; url: string }> {
  const app = express();
  app.use("/api/gateway", router);
  return new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve({ server: listening, url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}` }));
  });
}

beforeAll(async () => {
  ({ server, url: baseUrl } = await listen(createGatewayRouter({ db: getDb(), provider, tokens: [TOKEN, OLD_TOKEN] })));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(path: string, body: unknown, token: string | null = TOKEN, url = baseUrl) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${url}/api/gateway/${path}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

async function accountWithKey(credit = 0, options: { expiresAt?: Date; now?: Date } = {}) {
  const user = await createUser();
  const created = await createApiKey(getDb(), { accountId: user.id, name: "gw", prefix: provider.keyPrefix, expiresAt: options.expiresAt, now: options.now });
  if (!created.ok) throw new Error(created.reason);
  if (credit > 0) await grant(user.id, credit);
  return { user, key: created.key, keyId: created.apiKey.id };
}

async function grant(accountId: string, tokens: number) {
  await creditAccount(getDb(), { accountId, kind: "purchase", bucket: "paid", tokens, idempotencyKey: `test-credit:${accountId}:${tokens}:${Math.random()}`, referenceType: "test", referenceId: accountId });
}

describe("service token", () => {
  it("refuses calls without the right token, accepts every configured one", async () => {
    const { key } = await accountWithKey(100);
    for (const token of [null, "wrong-token", `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const outcome = await post("authorize", { api_key: key }, token);
      expect(outcome.status).toBe(401);
      expect(outcome.body.error.code).toBe("unauthorized");
      expect(outcome.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect((await post("authorize", { api_key: key }, TOKEN)).status).toBe(200);
    expect((await post("authorize", { api_key: key }, OLD_TOKEN)).status).toBe(200);
  });

  it("refuses everything when no token is configured", async () => {
    const bare = await listen(createGatewayRouter({ db: getDb(), provider, tokens: [] }));
    try {
      expect((await post("authorize", { api_key: "x" }, "", bare.url)).status).toBe(401);
      expect((await post("authorize", { api_key: "x" }, TOKEN, bare.url)).status).toBe(401);
    } finally {
      bare.server.close();
    }
  });
});

describe("authorize", () => {
  it("says who the key belongs to and how much credit is left", async () => {
    const { user, key, keyId } = await accountWithKey(5000);
    const outcome = await post("authorize", { api_key: key, model: "gpt-4o-mini" });
    expect(outcome.status).toBe(200);
    expect(outcome.headers.get("cache-control")).toBe("no-store");
    expect(outcome.body).toEqual({ account_id: user.id, key_id: keyId, remaining_tokens: 5000, key_expires_at: null, provider_model: "glm-4-air", counts_requests: false });
  });

  it("refuses bad checksums and foreign prefixes before touching the database", async () => {
    const untouchable = new Proxy({}, { get: () => { throw new Error("the database was used"); } }) as unknown as DbExecutor;
    const isolated = await listen(createGatewayRouter({ db: untouchable, provider, tokens: [TOKEN] }));
    try {
      const { key } = await accountWithKey(10);
      const typo = key.slice(0, -1) + (key.endsWith("A") ? "B" : "A");
      const cases: Array<[string, string]> = [
        [typo, "bad_checksum"],
        [key.replace("glmsk_", "qwensk_"), "foreign_key"],
        ["sk-proj-abcdefghijklmnopqrstuvwxyz", "malformed_key"],
      ];
      for (const [candidate, code] of cases) {
        const outcome = await post("authorize", { api_key: candidate }, TOKEN, isolated.url);
        expect(outcome.status).toBe(401);
        expect(outcome.body.error.code).toBe(code);
        expect(JSON.stringify(outcome.body)).not.toContain(candidate);
      }
    } finally {
      isolated.server.close();
    }
  });

  it("answers 401 unknown, revoked, expired; 402 without credit; 403 for a disabled account", async () => {
    const { key: unknown } = { key: (await createApiKey(getDb(), { accountId: (await createUser()).id, name: "x", prefix: "glmsk" })) as any };
    await getDb().deleteFrom("api_keys").where("id", "=", unknown.apiKey.id).execute();
    expect((await post("authorize", { api_key: unknown.key })).body.error.code).toBe("unknown_key");

    const broke = await accountWithKey(0);
    const noCredit = await post("authorize", { api_key: broke.key });
    expect(noCredit.status).toBe(402);
    expect(noCredit.body).toMatchObject({ error: { code: "insufficient_credit" }, account_id: broke.user.id, key_id: broke.keyId });

    const revoked = await accountWithKey(100);
    await revokeApiKey(getDb(), { accountId: revoked.user.id, keyId: revoked.keyId });
    const refused = await post("authorize", { api_key: revoked.key });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("key_revoked");

    const dayAgo = new Date(Date.now() - 86_400_000);
    const expired = await accountWithKey(100, { now: new Date(dayAgo.getTime() - 3_600_000), expiresAt: dayAgo });
    const late = await post("authorize", { api_key: expired.key });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe("key_expired");

    const disabled = await accountWithKey(100);
    await getDb().updateTable("users").set({ disabled_at: new Date().toISOString() }).where("id", "=", disabled.user.id).execute();
    const forbidden = await post("authorize", { api_key: disabled.key });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe("account_disabled");
  });

  it("answers 402 tokens_owed while a refund left tokens owed (billing), even with credit", async () => {
    const { user, key } = await accountWithKey(500);
    const at = new Date().toISOString();
    const purchaseId = `pur_test_${user.id}`;
    await getDb()
      .insertInto("purchases")
      .values({ id: purchaseId, account_id: user.id, pack_id: "p", tokens: 1000, amount: 100, currency: "usd", state: "refunded", idempotency_key: purchaseId, checkout_session_id: null, payment_intent_id: null, ledger_entry_id: null, refunded_amount: 100, refunded_tokens: 1000, paid_at: at, refunded_at: at, created_at: at, updated_at: at })
      .execute();
    await getDb().insertInto("billing_debts").values({ id: `debt_${user.id}`, account_id: user.id, purchase_id: purchaseId, tokens: 300, settled_tokens: 100, created_at: at, updated_at: at }).execute();
    const owed = await post("authorize", { api_key: key });
    expect(owed.status).toBe(402);
    expect(owed.body).toMatchObject({ error: { code: "tokens_owed" }, owed_tokens: 200 });
    await getDb().updateTable("billing_debts").set({ settled_tokens: 300 }).where("account_id", "=", user.id).execute();
    expect((await post("authorize", { api_key: key })).status).toBe(200);
  });

  it("takes a revocation into account on the very next call", async () => {
    const { user, key, keyId } = await accountWithKey(100);
    expect((await post("authorize", { api_key: key })).status).toBe(200);
    await revokeApiKey(getDb(), { accountId: user.id, keyId });
    expect((await post("authorize", { api_key: key })).status).toBe(401);
  });

  it("keeps a rolled key working during its grace time, and not after", async () => {
    const { user, key, keyId } = await accountWithKey(100);
    const rolled = await rollApiKey(getDb(), { accountId: user.id, keyId, graceHours: 1, prefix: provider.keyPrefix });
    if (!rolled.ok) throw new Error(rolled.reason);
    expect((await post("authorize", { api_key: key })).status).toBe(200);
    expect((await post("authorize", { api_key: rolled.key })).status).toBe(200);
    const later = new Date(Date.now() + 61 * 60_000);
    expect(await authorizeApiKey(getDb(), provider, { apiKey: key }, later)).toMatchObject({ ok: false, code: "key_expired" });
    expect(await authorizeApiKey(getDb(), provider, { apiKey: rolled.key }, later)).toMatchObject({ ok: true, remaining_tokens: 100 });

    const instant = await rollApiKey(getDb(), { accountId: user.id, keyId: rolled.apiKey.id, graceHours: 0, prefix: provider.keyPrefix });
    if (!instant.ok) throw new Error(instant.reason);
    expect((await post("authorize", { api_key: rolled.key })).body.error.code).toBe("key_revoked");
    // Credit lives on the account: the newest key sees the same balance.
    expect((await post("authorize", { api_key: instant.key })).body.remaining_tokens).toBe(100);
  });

  it("refuses invalid bodies with 400 and oversized ones with 413", async () => {
    for (const body of [{}, { api_key: 42 }, { api_key: "x", extra: true }, "not json", "[]"]) {
      const outcome = await post("authorize", body);
      expect(outcome.status).toBe(400);
      expect(outcome.body.error.code).toBe("invalid_request");
    }
    const huge = await post("authorize", { api_key: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
  });
});

describe("usage", () => {
  it("debits once per request_id, replays the first answer, 409 for different numbers", async () => {
    const { user, key, keyId } = await accountWithKey(1000);
    const report = { request_id: "req-1", key_id: keyId, model: "glm-4-air", input_tokens: 120, output_tokens: 80 };
    const first = await post("usage", report);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ request_id: "req-1", account_id: user.id, key_id: keyId, tokens: 200, debited_tokens: 200, shortfall_tokens: 0, remaining_tokens: 800, duplicate: false });
    const replay = await post("usage", report);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ debited_tokens: 200, remaining_tokens: 800, duplicate: true });
    const conflict = await post("usage", { ...report, output_tokens: 81 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("request_conflict");
    expect((await getBalance(getDb(), user.id)).total).toBe(800);

    const byKey = await post("usage", { request_id: "req-2", api_key: key, model: "glm-4-air", input_tokens: 1, output_tokens: 0 });
    expect(byKey.body).toMatchObject({ key_id: keyId, debited_tokens: 1, remaining_tokens: 799 });
    const row = await getDb().selectFrom("api_keys").select("last_used_at").where("id", "=", keyId).executeTakeFirstOrThrow();
    expect(row.last_used_at).toBeTruthy();
  });

  it("keeps last_used_at to the minute across reports by id and by key, and charges a key revoked since", async () => {
    // On PostgreSQL the key of a usage report is remembered by the process: this is what must not change.
    const { user, key, keyId } = await accountWithKey(1000);
    const lastUsed = async () => (await getDb().selectFrom("api_keys").select("last_used_at").where("id", "=", keyId).executeTakeFirstOrThrow()).last_used_at;
    const report = (requestId: string, by: "id" | "key", now: Date) =>
      recordUsage(getDb(), provider, { requestId, ...(by === "id" ? { keyId } : { apiKey: key }), model: "m", inputTokens: 10, outputTokens: 0 }, now);
    const t0 = new Date(Date.now() + 3_600_000);
    expect(await report("minute-1", "id", t0)).toMatchObject({ ok: true, debited_tokens: 10 });
    expect(await lastUsed()).toBe(t0.toISOString());
    await report("minute-2", "key", new Date(t0.getTime() + 30_000));
    expect(await lastUsed()).toBe(t0.toISOString());
    const t1 = new Date(t0.getTime() + 61_000);
    await report("minute-3", "key", t1);
    expect(await lastUsed()).toBe(t1.toISOString());
    await report("minute-4", "id", new Date(t1.getTime() + 30_000));
    expect(await lastUsed()).toBe(t1.toISOString());
    await revokeApiKey(getDb(), { accountId: user.id, keyId });
    expect(await report("after-revoke", "id", new Date(t1.getTime() + 120_000))).toMatchObject({ ok: true, debited_tokens: 10, remaining_tokens: 950 });
    expect(await recordUsage(getDb(), provider, { requestId: "nobody", keyId: "key_does_not_exist", model: "m", inputTokens: 1, outputTokens: 0 })).toMatchObject({ ok: false, code: "unknown_key" });
  });

  it("takes what is left and reports the shortfall, never going below zero", async () => {
    const { user, keyId } = await accountWithKey(150);
    const outcome = await post("usage", { request_id: "big", key_id: keyId, model: "m", input_tokens: 100, output_tokens: 100 });
    expect(outcome.body).toMatchObject({ tokens: 200, debited_tokens: 150, shortfall_tokens: 50, remaining_tokens: 0 });
    const after = await post("usage", { request_id: "after", key_id: keyId, model: "m", input_tokens: 5, output_tokens: 0 });
    expect(after.body).toMatchObject({ debited_tokens: 0, shortfall_tokens: 5, remaining_tokens: 0 });
    expect((await getBalance(getDb(), user.id)).total).toBe(0);
  });

  it("charges a key revoked after its request was authorized, refuses unknown keys and bad bodies", async () => {
    const { user, keyId } = await accountWithKey(100);
    await revokeApiKey(getDb(), { accountId: user.id, keyId });
    expect((await post("usage", { request_id: "late", key_id: keyId, model: "m", input_tokens: 10, output_tokens: 0 })).body.debited_tokens).toBe(10);
    expect((await post("usage", { request_id: "r", key_id: "key_nope", model: "m", input_tokens: 1, output_tokens: 1 })).body.error.code).toBe("unknown_key");
    for (const body of [
      { request_id: "r", model: "m", input_tokens: 1, output_tokens: 1 },
      { request_id: "r", key_id: keyId, model: "m", input_tokens: -1, output_tokens: 1 },
      { request_id: "r", key_id: keyId, model: "m", input_tokens: 1.5, output_tokens: 1 },
      { request_id: "", key_id: keyId, model: "m", input_tokens: 1, output_tokens: 1 },
    ]) {
      const outcome = await post("usage", body);
      expect(outcome.status).toBe(400);
      expect(outcome.body.error.code).toBe("invalid_request");
    }
    expect((await getBalance(getDb(), user.id)).total).toBe(90);
  });

  it("never goes negative under concurrent reports on one account", async () => {
    const { user, key, keyId } = await accountWithKey(1000);
    const reports = Array.from({ length: 60 }, (_, i) => ({ request_id: `c-${i}`, ...(i % 2 ? { key_id: keyId } : { api_key: key }), model: "m", input_tokens: 20, output_tokens: 10 }));
    // Each report is sent twice at once: replays race with first deliveries.
    const outcomes = await Promise.all([...reports, ...reports].map((report) => post("usage", report)));
    expect(outcomes.every((outcome) => outcome.status === 200)).toBe(true);
    const firsts = new Map<string, any>();
    for (const outcome of outcomes) if (!outcome.body.duplicate) firsts.set(outcome.body.request_id, outcome.body);
    expect(firsts.size).toBe(60);
    const debited = [...firsts.values()].reduce((sum, body) => sum + body.debited_tokens, 0);
    const shortfall = [...firsts.values()].reduce((sum, body) => sum + body.shortfall_tokens, 0);
    expect(debited).toBe(1000);
    expect(shortfall).toBe(60 * 30 - 1000);
    for (const outcome of outcomes) expect(outcome.body.remaining_tokens).toBeGreaterThanOrEqual(0);
    const balance = await getBalance(getDb(), user.id);
    expect(balance.total).toBe(0);
    expect((await verifyLedger(getDb())).ok).toBe(true);
    expect((await post("authorize", { api_key: key })).status).toBe(402);
  });
});

describe("openapi.json", () => {
  it("describes both endpoints and the key pattern, without a token", async () => {
    const response = await fetch(`${baseUrl}/api/gateway/openapi.json`);
    expect(response.status).toBe(200);
    const spec = (await response.json()) as any;
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toEqual(["/api/gateway/authorize", "/api/gateway/usage"]);
    const pattern = new RegExp(spec.paths["/api/gateway/authorize"].post.requestBody.content["application/json"].schema.properties.api_key.pattern);
    const { key } = await accountWithKey(0);
    expect(pattern.test(key)).toBe(true);
  });
});

describe("the plain handler, dispatched before Express as app/server.ts does", () => {
  it("answers the gateway paths and leaves nothing else to chance", async () => {
    const handler = createGatewayHandler({ db: getDb(), provider, tokens: [TOKEN] });
    const raw = createServer((req, res) => {
      if (req.url?.startsWith(`${GATEWAY_PATH}/`)) handler(req, res);
      else res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    try {
      const { user, key } = await accountWithKey(42);
      const ok = await post("authorize", { api_key: key }, TOKEN, url);
      expect(ok.body).toMatchObject({ account_id: user.id, remaining_tokens: 42 });
      expect((await fetch(`${url}/api/gateway/authorize`)).status).toBe(405);
      expect((await fetch(`${url}/api/gateway/nope`, { method: "POST" })).status).toBe(404);
      const wrongType = await fetch(`${url}/api/gateway/authorize`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "text/plain" }, body: "{}" });
      expect(wrongType.status).toBe(415);
      expect((await fetch(`${url}/elsewhere`)).status).toBe(418);
    } finally {
      raw.close();
    }
  });
});
