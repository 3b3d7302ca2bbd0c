// Usage records (issue #15): what the gateway reports is stored per request and rolled up per
// (account, key, model, day) in the debit's transaction, on the SQLite fast path and the portable
// path alike; old reports stay valid; raw records are purged after the retention, the roll-up stays.
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount, verifyLedger } from "~/domain/ledger.server";
import { ledgerFastPath } from "~/domain/ledger/sqlite-fast-path.server";
import { findUsageRequest, getUsageSummary, purgeUsageRecords, usageCsvStream, usageFilterSchema } from "~/domain/usage/query.server";
import { backgroundJobs } from "~/jobs.server";
import { createGatewayHandler } from "~/gateway/router.server";
import { getDb } from "~/lib/db.server";
import { parseEnv } from "~/lib/env.server";
import { providerProfiles } from "~/providers";
import { createUser } from "./helpers";

const TOKEN = "usage-test-token-0123456789abcdef";
const provider = providerProfiles.glm;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const handler = createGatewayHandler({ db: getDb(), provider, tokens: [TOKEN] });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(path: string, body: unknown) {
  const response = await fetch(`${baseUrl}/api/gateway/${path}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

async function accountWithKey(credit: number, name = "main") {
  const user = await createUser();
  const created = await createApiKey(getDb(), { accountId: user.id, name, prefix: provider.keyPrefix });
  if (!created.ok) throw new Error(created.reason);
  if (credit > 0) {
    await creditAccount(getDb(), { accountId: user.id, kind: "purchase", bucket: "paid", tokens: credit, idempotencyKey: `usage-test:${user.id}`, referenceType: "test", referenceId: user.id });
  }
  return { accountId: user.id, key: created.key, keyId: created.apiKey.id };
}

const uid = () => `req-${Math.random().toString(36).slice(2)}`;
const records = (accountId: string) => getDb().selectFrom("usage_records").selectAll().where("account_id", "=", accountId).orderBy("created_at").execute();
const daily = (accountId: string) => getDb().selectFrom("usage_daily").selectAll().where("account_id", "=", accountId).orderBy("model").execute();

for (const path of ["fast", "portable"] as const) {
  describe(`usage records (${path} debit path)`, () => {
    beforeAll(() => {
      ledgerFastPath.enabled = path === "fast";
    });
    afterAll(() => {
      ledgerFastPath.enabled = true;
    });

    it("stores each request's key, models, token kinds, debit and shortfall, and rolls them up per day", async () => {
      const { accountId, keyId } = await accountWithKey(1_000);
      const first = uid();
      const answer = await post("usage", { request_id: first, key_id: keyId, model: "gpt-4o-2024-08-06", provider_model: "glm-4-plus-0111", input_tokens: 300, cached_input_tokens: 120, output_tokens: 100 });
      expect(answer.status).toBe(200);
      // Over the credit left: 600 used, 600 debited... then 400 more than the 200 left.
      await post("usage", { request_id: uid(), key_id: keyId, model: "gpt-4o-2024-08-06", input_tokens: 400, output_tokens: 200 });
      const short = await post("usage", { request_id: uid(), key_id: keyId, model: "gpt-4o-2024-08-06", input_tokens: 100, output_tokens: 100 });
      expect(short.body).toMatchObject({ debited_tokens: 0, shortfall_tokens: 200 });
      // An old-style report (no cached tokens, no provider model) stays valid; its provider model comes from the map.
      const old = await post("usage", { request_id: uid(), key_id: keyId, model: "gpt-3.5-turbo-0125", input_tokens: 5, output_tokens: 5 });
      expect(old.status).toBe(200);

      const rows = await records(accountId);
      expect(rows).toHaveLength(4);
      expect(rows.find((row) => row.request_id === first)).toMatchObject({
        key_id: keyId,
        model: "gpt-4o-2024-08-06",
        provider_model: "glm-4-plus-0111",
        input_tokens: 300,
        cached_input_tokens: 120,
        output_tokens: 100,
        debited_tokens: 400,
        shortfall_tokens: 0,
      });
      expect(rows.find((row) => row.model === "gpt-3.5-turbo-0125")).toMatchObject({ provider_model: "glm-4-flash", cached_input_tokens: 0, debited_tokens: 0, shortfall_tokens: 10 });

      const rollUp = await daily(accountId);
      expect(rollUp).toHaveLength(2);
      expect(rollUp[1]).toMatchObject({ key_id: keyId, model: "gpt-4o-2024-08-06", requests: 3, input_tokens: 800, cached_input_tokens: 120, output_tokens: 400, debited_tokens: 1_000, shortfall_tokens: 200 });
      expect(rollUp[1]!.day).toBe(new Date().toISOString().slice(0, 10));
      expect((await verifyLedger(getDb())).ok).toBe(true);
    });

    it("a replay of the same request id adds nothing; another account's request id is named as such", async () => {
      const { accountId, keyId } = await accountWithKey(10_000);
      const other = await accountWithKey(10_000);
      const requestId = uid();
      const report = { request_id: requestId, key_id: keyId, model: "gpt-4o", input_tokens: 10, output_tokens: 20 };
      expect((await post("usage", report)).body.duplicate).toBe(false);
      const [again, twice] = await Promise.all([post("usage", report), post("usage", report)]);
      expect([again.body.duplicate, twice.body.duplicate]).toEqual([true, true]);
      expect(await records(accountId)).toHaveLength(1);
      expect((await daily(accountId))[0]).toMatchObject({ requests: 1, input_tokens: 10, output_tokens: 20 });

      const sameAccount = await post("usage", { ...report, output_tokens: 21 });
      expect(sameAccount.status).toBe(409);
      expect(sameAccount.body.error.code).toBe("request_conflict");
      const otherAccount = await post("usage", { ...report, key_id: other.keyId });
      expect(otherAccount.status).toBe(409);
      expect(otherAccount.body.error).toMatchObject({ code: "request_id_taken", message: expect.stringContaining("another account") });
      expect(await records(other.accountId)).toHaveLength(0);
    });

    it("refuses cached tokens larger than the input and writes nothing", async () => {
      const { accountId, keyId } = await accountWithKey(1_000);
      const refused = await post("usage", { request_id: uid(), key_id: keyId, model: "gpt-4o", input_tokens: 10, cached_input_tokens: 11, output_tokens: 1 });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe("cached_exceeds_input");
      expect(await records(accountId)).toHaveLength(0);
      expect(await daily(accountId)).toHaveLength(0);
    });
  });
}

describe("what the pages read", () => {
  it("sums the roll-up per day and key × model, filters, finds a request id (also after the purge) and exports a safe CSV", async () => {
    const { accountId, keyId } = await accountWithKey(100_000);
    const second = await createApiKey(getDb(), { accountId, name: "=cmd|' /C calc'!A0", prefix: provider.keyPrefix });
    if (!second.ok) throw new Error(second.reason);
    const requestId = uid();
    await post("usage", { request_id: requestId, key_id: keyId, model: "gpt-4o", input_tokens: 100, output_tokens: 50 });
    await post("usage", { request_id: uid(), key_id: keyId, model: "gpt-4o-mini", input_tokens: 10, output_tokens: 5 });
    await post("usage", { request_id: uid(), key_id: second.apiKey.id, model: "gpt-4o", input_tokens: 1, output_tokens: 1 });
    const stranger = await accountWithKey(100);

    const all = await getUsageSummary(getDb(), accountId, usageFilterSchema.parse({}));
    expect(all.days).toHaveLength(30);
    expect(all.totals).toMatchObject({ requests: 3, inputTokens: 111, outputTokens: 56, debitedTokens: 167, shortfallTokens: 0 });
    expect(all.rows).toHaveLength(3);
    expect(all.series.map((series) => [series.id, series.values.at(-1)])).toEqual([
      ["gpt-4o", 152],
      ["gpt-4o-mini", 15],
    ]);
    expect(all.models).toEqual(["gpt-4o", "gpt-4o-mini"]);
    const byKey = await getUsageSummary(getDb(), accountId, usageFilterSchema.parse({ by: "key", model: "gpt-4o" }));
    expect(byKey.series.map((series) => series.values.at(-1))).toEqual([150, 2]);
    expect(byKey.totals.requests).toBe(2);
    // Another account's filter values find nothing of theirs here.
    expect((await getUsageSummary(getDb(), stranger.accountId, usageFilterSchema.parse({ key: keyId }))).totals.requests).toBe(0);
    expect(usageFilterSchema.safeParse({ period: "custom", from: "2026-02-01", to: "2026-01-01" }).success).toBe(false);
    expect(usageFilterSchema.safeParse({ period: "custom", from: "2024-01-01", to: "2025-06-01" }).success).toBe(false);

    expect(await findUsageRequest(getDb(), accountId, requestId)).toMatchObject({ found: "record", model: "gpt-4o", inputTokens: 100, debitedTokens: 150 });
    expect(await findUsageRequest(getDb(), stranger.accountId, requestId)).toEqual({ found: "none", requestId });

    const csv = await new Response(usageCsvStream(getDb(), accountId, usageFilterSchema.parse({}))).text();
    const lines = csv.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("day,key_id,key_name,key,model,requests,input_tokens,cached_input_tokens,output_tokens,debited_tokens,shortfall_tokens");
    expect(lines).toHaveLength(4);
    expect(csv).toContain(",'=cmd|' /C calc'!A0,");

    // Past the retention the raw record goes, the roll-up and the ledger's debit stay.
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await purgeUsageRecords(getDb(), 30, later)).toBeGreaterThanOrEqual(3);
    expect(await records(accountId)).toHaveLength(0);
    expect(await findUsageRequest(getDb(), accountId, requestId)).toMatchObject({ found: "debit", tokens: 150, debitedTokens: 150 });
    expect((await getUsageSummary(getDb(), accountId, usageFilterSchema.parse({}))).totals.requests).toBe(3);
  });

  it("purges in batches, keeps recent records, and runs as a leased background job", async () => {
    const { accountId, keyId } = await accountWithKey(1_000);
    for (let index = 0; index < 5; index += 1) await post("usage", { request_id: uid(), key_id: keyId, model: "gpt-4o", input_tokens: 1, output_tokens: 1 });
    expect(await purgeUsageRecords(getDb(), 30, new Date(), 2)).toBe(0);
    expect(await records(accountId)).toHaveLength(5);
    expect(await purgeUsageRecords(getDb(), 1, new Date(Date.now() + 2 * 86_400_000), 2)).toBeGreaterThanOrEqual(5);
    expect(await records(accountId)).toHaveLength(0);
    expect(backgroundJobs.map((job) => job.name)).toContain("purge-usage-records");
  });

  it("USAGE_RECORD_RETENTION_DAYS is checked at start-up", () => {
    expect(parseEnv({}).USAGE_RECORD_RETENTION_DAYS).toBe(90);
    expect(parseEnv({ USAGE_RECORD_RETENTION_DAYS: "7" }).USAGE_RECORD_RETENTION_DAYS).toBe(7);
    for (const bad of ["0", "-3", "1.5", "ninety", "4000"]) expect(() => parseEnv({ USAGE_RECORD_RETENTION_DAYS: bad }), bad).toThrow(/USAGE_RECORD_RETENTION_DAYS/);
  });
});

describe("authorize: model names", () => {
  it("returns the provider model for dated and case variants, a clear 404 model_not_found otherwise", async () => {
    const { accountId, key, keyId } = await accountWithKey(1_000);
    for (const [model, providerModel] of [
      ["gpt-4o-2024-08-06", "glm-4-plus"],
      ["GPT-3.5-Turbo-0125", "glm-4-flash"],
      ["gpt-4-0613", "glm-4-plus"],
      ["glm-4-air", "glm-4-air"],
    ]) {
      const outcome = await post("authorize", { api_key: key, model });
      expect(outcome.status, model).toBe(200);
      expect(outcome.body.provider_model, model).toBe(providerModel);
    }
    const missing = await post("authorize", { api_key: key, model: "gpt-4o-realtime-preview" });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "model_not_found" }, account_id: accountId, key_id: keyId, model: "gpt-4o-realtime-preview" });
  });
});
