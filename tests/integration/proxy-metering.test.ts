// The proxy's metering beyond the happy path: every authorize failure as an OpenAI error, metering over
// the gateway API, and the durable outbox (a failed debit is retried, never lost, never doubled).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayHandler } from "~/gateway/router.server";
import { getDb } from "~/lib/db.server";
import { httpMetering, inProcessMetering, type Metering, type ProxyUsage } from "~/proxy/metering.server";
import { fileOutboxStore } from "~/proxy/usage-outbox.server";
import { standInUsage, startUpstreamStandIn, type UpstreamStandIn } from "../fixtures/upstream-stand-in";
import { accountWithKey, provider, spendable, startProxy, usageDebits } from "./proxy-harness";

const GATEWAY_TOKEN = "proxy-gateway-token-0123456789abcdef";
const hello = [{ role: "user" as const, content: "Hello!" }];
const perRequest = standInUsage(1).total_tokens;
let upstream: UpstreamStandIn;

beforeAll(async () => {
  upstream = await startUpstreamStandIn();
});
afterAll(() => upstream.close());

/** In-process metering whose authorize answer or report outcome a test decides. */
function meteringWith(overrides: Partial<Metering>): Metering {
  return { ...inProcessMetering(getDb(), provider), ...overrides };
}

describe("authorize failures become OpenAI errors the SDK knows", () => {
  // Today's codes and those the limits and model-map work add.
  const cases: Array<[string, number, unknown, string]> = [
    ["unknown_key", 401, OpenAI.AuthenticationError, "invalid_api_key"],
    ["key_expired", 401, OpenAI.AuthenticationError, "invalid_api_key"],
    ["insufficient_credit", 402, OpenAI.APIError, "insufficient_quota"],
    ["budget_exhausted", 402, OpenAI.APIError, "insufficient_quota"],
    ["tokens_owed", 402, OpenAI.APIError, "insufficient_quota"],
    ["account_disabled", 403, OpenAI.PermissionDeniedError, "account_deactivated"],
    ["model_not_allowed", 403, OpenAI.PermissionDeniedError, "model_not_allowed"],
    ["ip_not_allowed", 403, OpenAI.PermissionDeniedError, "ip_not_allowed"],
    ["model_not_found", 404, OpenAI.NotFoundError, "model_not_found"],
    ["rate_limited", 429, OpenAI.RateLimitError, "rate_limit_exceeded"],
    ["metering_unavailable", 503, OpenAI.InternalServerError, "metering_unavailable"],
  ];
  let failure = "unknown_key";
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    proxy = await startProxy(upstream.baseUrl, { metering: meteringWith({ authorize: async () => ({ ok: false, code: failure, retryAfterMs: failure === "rate_limited" ? 1_500 : undefined }) }) });
  });
  afterAll(() => proxy.close());

  it.each(cases)("%s → %i", async (code, status, errorClass, openAiCode) => {
    failure = code;
    const before = upstream.requests.length;
    const openai = new OpenAI({ baseURL: proxy.baseURL, apiKey: "glmsk_anything", maxRetries: 0 });
    const error = (await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(errorClass as typeof OpenAI.APIError);
    expect(error.status).toBe(status);
    expect(error.code).toBe(openAiCode);
    expect((error.error as { ferry_code?: string }).ferry_code).toBe(code);
    if (code === "rate_limited") {
      expect(error.headers?.get("retry-after")).toBe("2");
      expect(error.headers?.get("retry-after-ms")).toBe("1500");
    }
    expect(upstream.requests.length).toBe(before);
  });
});

describe("metering through the gateway API (the proxy runs elsewhere)", () => {
  let gateway: Server;
  let gatewayUrl: string;
  beforeAll(async () => {
    gateway = createServer(createGatewayHandler({ db: getDb(), provider, tokens: [GATEWAY_TOKEN] }));
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", () => resolve()));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/api/gateway`;
  });
  afterAll(() => new Promise<void>((resolve) => gateway.close(() => resolve())));

  it("authorizes and debits over HTTP, with the same request id the upstream saw", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-proxy-outbox-"));
    const metering = httpMetering({ gatewayUrl, token: GATEWAY_TOKEN, timeoutMs: 10_000 });
    const proxy = await startProxy(upstream.baseUrl, { metering, store: fileOutboxStore(join(dir, "outbox.sqlite")) });
    try {
      const { accountId, key } = await accountWithKey(1_000);
      const openai = new OpenAI({ baseURL: proxy.baseURL, apiKey: key, maxRetries: 0 });
      const { response } = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello }).withResponse();
      expect(upstream.requests.at(-1)!.body.model).toBe("glm-4-air");
      await proxy.handler.settled();
      expect(await spendable(accountId)).toBe(1_000 - perRequest);
      expect((await usageDebits(accountId)).map((debit) => debit.reference_id)).toEqual([response.headers.get("x-request-id")]);
      await expect(new OpenAI({ baseURL: proxy.baseURL, apiKey: `${key.slice(0, -2)}zz`, maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      // The gateway says the key counts no requests: its answer is worth reusing, for a while.
      expect(await metering.authorize(key, "gpt-4o-mini", "")).toMatchObject({ ok: true, countsRequests: false });
    } finally {
      await proxy.close();
      await metering.close();
      await proxy.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers 503 when the gateway is unreachable or refuses the proxy's token, and forwards nothing", async () => {
    const { key } = await accountWithKey(1_000);
    for (const metering of [httpMetering({ gatewayUrl: "http://127.0.0.1:9/api/gateway", token: GATEWAY_TOKEN, timeoutMs: 5_000 }), httpMetering({ gatewayUrl, token: "a-wrong-token-but-long-enough-000", timeoutMs: 5_000 })]) {
      const proxy = await startProxy(upstream.baseUrl, { metering });
      try {
        const before = upstream.requests.length;
        const error = (await new OpenAI({ baseURL: proxy.baseURL, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "gpt-4o-mini", messages: hello }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
        expect(error.status).toBe(503);
        expect(upstream.requests.length).toBe(before);
      } finally {
        await proxy.close();
        await metering.close();
      }
    }
  });
});

describe("the usage outbox", () => {
  it("keeps a debit that failed, retries it under the same request id, and never debits twice", async () => {
    const real = inProcessMetering(getDb(), provider);
    let failing = true;
    const flaky = meteringWith({ report: async (usage) => (failing ? { ok: false, retryable: true, code: "exception", detail: "database away" } : real.report(usage)) });
    const proxy = await startProxy(upstream.baseUrl, { metering: flaky });
    try {
      const { accountId, key } = await accountWithKey(1_000);
      const completion = await new OpenAI({ baseURL: proxy.baseURL, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "gpt-4o-mini", messages: hello });
      expect(completion.usage?.total_tokens).toBe(perRequest);
      await proxy.handler.settled();
      expect(await spendable(accountId)).toBe(1_000);
      const waiting = await getDb().selectFrom("proxy_usage_outbox").selectAll().execute();
      const mine = waiting.filter((row) => (JSON.parse(row.report) as ProxyUsage).accountId === accountId);
      expect(mine).toHaveLength(1);
      expect(JSON.parse(mine[0]!.report)).toMatchObject({ requestedModel: "gpt-4o-mini", providerModel: "glm-4-air", inputTokens: 11, cachedInputTokens: 3, outputTokens: 7, estimated: false });

      // Still failing: rescheduled with a back-off, not lost.
      expect(await proxy.settler.drain()).toMatchObject({ delivered: 0, retrying: 1 });
      failing = false;
      expect(await proxy.settler.drain(new Date(Date.now() + 60_000))).toMatchObject({ delivered: 1 });
      expect(await spendable(accountId)).toBe(1_000 - perRequest);
      expect(await proxy.settler.drain(new Date(Date.now() + 3_600_000))).toMatchObject({ delivered: 0 });

      // A retry of a debit that had landed (a crash before it was crossed off) is a duplicate, not a second debit.
      const replay = await real.report(JSON.parse(mine[0]!.report));
      expect(replay).toMatchObject({ ok: true, duplicate: true });
      expect(await spendable(accountId)).toBe(1_000 - perRequest);
      expect(await usageDebits(accountId)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it("keeps a debit Ferry refused for good, marked for operators, and stops retrying it", async () => {
    const refusing = meteringWith({ report: async () => ({ ok: false, retryable: false, code: "unknown_key" }) });
    const proxy = await startProxy(upstream.baseUrl, { metering: refusing });
    try {
      const { key } = await accountWithKey(1_000);
      const { response } = await new OpenAI({ baseURL: proxy.baseURL, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "gpt-4o-mini", messages: hello }).withResponse();
      await proxy.handler.settled();
      const row = await getDb().selectFrom("proxy_usage_outbox").selectAll().where("request_id", "=", response.headers.get("x-request-id")!).executeTakeFirstOrThrow();
      expect(row.gave_up_at).not.toBeNull();
      expect(row.last_error).toBe("unknown_key");
      expect(await proxy.settler.drain(new Date(Date.now() + 3_600_000))).toMatchObject({ delivered: 0, retrying: 0, gaveUp: 0 });
    } finally {
      await proxy.close();
    }
  });

  it("a file outbox survives a restart of the proxy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-proxy-outbox-"));
    const file = join(dir, "outbox.sqlite");
    const usage: ProxyUsage = { requestId: "prx-file-1", accountId: "a", keyId: "k", requestedModel: "gpt-4o", providerModel: "glm-4-plus", inputTokens: 5, cachedInputTokens: 0, outputTokens: 2, estimated: true };
    try {
      const first = fileOutboxStore(file);
      await first.add(usage, "gateway_unreachable", new Date());
      await first.add(usage, "gateway_unreachable", new Date()); // the same request id twice is one entry
      await first.close();
      const reopened = fileOutboxStore(file);
      expect(await reopened.due(new Date(), 10)).toEqual([{ usage, attempts: 1 }]);
      expect(await reopened.counts()).toEqual({ waiting: 1, gaveUp: 0 });
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
