// The metering proxy driven by the real OpenAI SDK (only baseURL and apiKey changed), in front of the
// upstream stand-in, on a real database: answers, streams, the model map, errors, metering.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "~/domain/api-keys.server";
import { verifyLedger } from "~/domain/ledger.server";
import { buildSnippets } from "~/domain/snippets";
import { loader as creditLoader } from "~/routes/account.credit";
import { loader as usageLoader } from "~/routes/account.usage";
import { NO_LIMITS, setKeyLimits } from "~/domain/key-limits/index.server";
import { getDb } from "~/lib/db.server";
import { estimateInputTokens, estimateOutputTokens } from "~/proxy/token-estimate.server";
import { STAND_IN_CONTENT, standInUsage, startUpstreamStandIn, type UpstreamStandIn } from "../fixtures/upstream-stand-in";
import { call, fullSessionCookie } from "./helpers";
import { accountWithKey, provider, runSnippetProgram, spendable, startProxy, usageDebits, type RunningProxy } from "./proxy-harness";

let upstream: UpstreamStandIn;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startUpstreamStandIn();
  proxy = await startProxy(upstream.baseUrl);
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

function client(apiKey: string) {
  return new OpenAI({ baseURL: proxy.baseURL, apiKey, maxRetries: 0 });
}

const hello = [{ role: "user" as const, content: "Hello!" }];
const helloUsage = standInUsage(1);

describe("an unchanged OpenAI program", () => {
  it("runs through the proxy with only the base URL and key changed (the snippets page's code), and the developer sees the usage", async () => {
    const { accountId, key, keyId } = await accountWithKey(1_000);
    const snippet = buildSnippets({ provider, apiKey: key, proxyBaseUrl: proxy.baseURL }).find((entry) => entry.id === "nodeThroughFerry")!;
    expect(await runSnippetProgram(snippet)).toBe(STAND_IN_CONTENT.join(""));
    await proxy.handler.settled();
    const page = await call(creditLoader, "/account/credit", { cookie: await fullSessionCookie(accountId) });
    expect(page.data.balance.total).toBe(1_000 - helloUsage.total_tokens);
    expect(page.data.page.entries.filter((entry: { kind: string }) => entry.kind === "usage")).toHaveLength(1);
    // The usage page: one request on the key, under the model the program named, with its token split.
    const usagePage = await call(usageLoader, "/account/usage", { cookie: await fullSessionCookie(accountId) });
    expect(usagePage.data.summary.rows).toEqual([
      expect.objectContaining({ keyId, model: "gpt-4o-mini", requests: 1, inputTokens: helloUsage.prompt_tokens, cachedInputTokens: 3, outputTokens: helloUsage.completion_tokens, debitedTokens: helloUsage.total_tokens, shortfallTokens: 0 }),
    ]);
    expect(usagePage.data.summary.totals).toMatchObject({ requests: 1, debitedTokens: helloUsage.total_tokens });
  });
});

describe("chat completions", () => {
  it("answers through the provider with the mapped model and the provider's key, and debits what the upstream reported", async () => {
    const { accountId, key } = await accountWithKey(1_000);
    const { data: completion, response } = await client(key).chat.completions.create({ model: "gpt-4o-mini", messages: hello }).withResponse();
    expect(completion.choices[0]!.message.content).toBe(STAND_IN_CONTENT.join(""));
    expect(completion.usage?.total_tokens).toBe(helloUsage.total_tokens);

    const forwarded = upstream.requests.at(-1)!;
    expect(forwarded.path).toBe("/v1/chat/completions");
    expect(forwarded.body.model).toBe("glm-4-air");
    expect(forwarded.authorization).toBe("Bearer sk-upstream-stand-in-0123456789");
    expect(forwarded.authorization).not.toContain(key);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(/^prx-/);
    expect(forwarded.requestId).toBe(requestId);

    await proxy.handler.settled();
    expect(await spendable(accountId)).toBe(1_000 - helloUsage.total_tokens);
    expect(await usageDebits(accountId)).toEqual([{ reference_id: requestId, requested: helloUsage.total_tokens, debited: helloUsage.total_tokens, shortfall: 0 }]);
  });

  it("streams chunk by chunk, asks the upstream for usage and strips that chunk when the client did not ask", async () => {
    const { accountId, key } = await accountWithKey(1_000);
    const stream = await client(key).chat.completions.create({ model: "gpt-4o-mini", messages: hello, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(STAND_IN_CONTENT.join(""));
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(upstream.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });

    await proxy.handler.settled();
    expect(await spendable(accountId)).toBe(1_000 - helloUsage.total_tokens);
  });

  it("passes the usage chunk on when the client asked for it", async () => {
    const { accountId, key } = await accountWithKey(1_000);
    const stream = await client(key).chat.completions.create({ model: "gpt-4o", messages: hello, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: helloUsage.prompt_tokens, completion_tokens: helloUsage.completion_tokens });
    expect(upstream.requests.at(-1)!.body.model).toBe("glm-4-plus");
    await proxy.handler.settled();
    expect(await spendable(accountId)).toBe(1_000 - helloUsage.total_tokens);
  });

  it("bills an estimate made with gpt-tokenizer when a stream carries no usage", async () => {
    const { accountId, key } = await accountWithKey(1_000);
    const stream = await client(key).chat.completions.create({ model: "no-usage", messages: hello, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(STAND_IN_CONTENT.join(""));
    await proxy.handler.settled();
    const estimate = (await estimateInputTokens("chat", { messages: hello })) + (await estimateOutputTokens(STAND_IN_CONTENT.map((content) => ({ choices: [{ delta: { content } }] }))));
    expect(estimate).toBeGreaterThan(0);
    expect(await spendable(accountId)).toBe(1_000 - estimate);
  });
});

describe("other endpoints", () => {
  it("completions, embeddings and the model list", async () => {
    const { accountId, key } = await accountWithKey(1_000);
    const openai = client(key);
    const completion = await openai.completions.create({ model: "gpt-3.5-turbo", prompt: "Say hello" });
    expect(completion.choices[0]!.text).toBe(STAND_IN_CONTENT.join(""));
    expect(upstream.requests.at(-1)!.body.model).toBe("glm-4-flash");

    const embeddings = await openai.embeddings.create({ model: "text-embedding-3-small", input: ["one", "two"] });
    expect(embeddings.data).toHaveLength(2);
    expect(upstream.requests.at(-1)).toMatchObject({ path: "/v1/embeddings", body: { model: "embedding-3" } });

    const models = [];
    for await (const model of openai.models.list()) models.push(model.id);
    expect(models).toEqual(expect.arrayContaining(["gpt-4o-mini", "glm-4-air", "text-embedding-3-small", "embedding-3"]));
    expect((await openai.models.retrieve("gpt-4o")).id).toBe("gpt-4o");

    await proxy.handler.settled();
    expect(await spendable(accountId)).toBe(1_000 - standInUsage(1).total_tokens - 10);
  });
});

describe("refusals, in OpenAI's error shape", () => {
  it("401 for a missing, wrong or revoked key; nothing reaches the upstream", async () => {
    const { accountId, key, keyId } = await accountWithKey(1_000);
    const before = upstream.requests.length;
    for (const bad of ["sk-not-a-ferry-key", `${key.slice(0, -2)}xx`]) {
      const error = await client(bad).chat.completions.create({ model: "gpt-4o-mini", messages: hello }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("invalid_api_key");
    }
    const bare = await fetch(`${proxy.baseURL}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o-mini", messages: hello }) });
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as any).error).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key", ferry_code: "missing_api_key" });

    await revokeApiKey(getDb(), { accountId, keyId });
    await expect(client(key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(upstream.requests.length).toBe(before);
  });

  it("402 insufficient_quota without credit; the model list still answers", async () => {
    const { key } = await accountWithKey(0);
    const error = await client(key).chat.completions.create({ model: "gpt-4o-mini", messages: hello }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("insufficient_quota");
    const models = await client(key).models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it("the upstream's 404 (unknown model), 429 and 5xx pass through and debit nothing", async () => {
    const { accountId, key } = await accountWithKey(1_000);
    const openai = client(key);
    await expect(openai.chat.completions.create({ model: "unknown-model", messages: hello })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(openai.chat.completions.create({ model: "fail-429", messages: hello })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const failure = await openai.chat.completions.create({ model: "fail-500", messages: hello, stream: true }).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    await proxy.handler.settled();
    expect(await spendable(accountId)).toBe(1_000);
    expect(await usageDebits(accountId)).toEqual([]);
  });

  it("refuses a body over the cap with 413, a body that is not JSON with 400", async () => {
    const small = await startProxy(upstream.baseUrl, { maxBodyBytes: 2048 });
    try {
      const { accountId, key } = await accountWithKey(1_000);
      const error = await new OpenAI({ baseURL: small.baseURL, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(4096) }] }).catch((caught: unknown) => caught);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
      const notJson = await fetch(`${small.baseURL}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: "{nope" });
      expect(notJson.status).toBe(400);
      expect(((await notJson.json()) as any).error.code).toBe("invalid_json");
      expect(await spendable(accountId)).toBe(1_000);
    } finally {
      await small.close();
    }
  });

  it("an upstream that refuses the proxy's own key is a 502 for the caller, not their 401", async () => {
    const misconfigured = await startProxy(upstream.baseUrl, { upstreamKey: "sk-wrong" });
    try {
      const { accountId, key } = await accountWithKey(1_000);
      const error = await new OpenAI({ baseURL: misconfigured.baseURL, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "gpt-4o-mini", messages: hello }).catch((caught: unknown) => caught);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      await misconfigured.handler.settled();
      expect(await spendable(accountId)).toBe(1_000);
    } finally {
      await misconfigured.close();
    }
  });
});

describe("a client that leaves mid-stream", () => {
  it("is billed an estimate of what passed when the upstream had not reported usage, and the upstream is released", async () => {
    const { accountId, key } = await accountWithKey(1_000);
    const abandonedBefore = upstream.abandoned;
    const controller = new AbortController();
    const stream = await client(key).chat.completions.create({ model: "hang-after-2", messages: hello, stream: true }, { signal: controller.signal });
    let text = "";
    // The SDK ends an aborted stream quietly or with an abort error, depending on timing.
    await (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        if (text === "Hello") controller.abort();
      }
    })().catch(() => {});
    expect(text).toBe("Hello");
    await expect.poll(() => upstream.abandoned, { timeout: 30_000 }).toBe(abandonedBefore + 1);
    await proxy.handler.settled();
    const estimate = (await estimateInputTokens("chat", { messages: hello })) + (await estimateOutputTokens([{ choices: [{ delta: { content: "Hel" } }] }, { choices: [{ delta: { content: "lo" } }] }]));
    expect(await spendable(accountId)).toBe(1_000 - estimate);
    expect(await usageDebits(accountId)).toHaveLength(1);
  });

  it("is billed exactly what the upstream reported when the usage came before the hang-up", async () => {
    const { accountId, key } = await accountWithKey(1_000);
    const controller = new AbortController();
    const stream = await client(key).chat.completions.create({ model: "hang-after-usage", messages: hello, stream: true, stream_options: { include_usage: true } }, { signal: controller.signal });
    let sawUsage = false;
    await (async () => {
      for await (const chunk of stream) {
        if (chunk.usage) {
          sawUsage = true;
          controller.abort();
        }
      }
    })().catch(() => {});
    expect(sawUsage).toBe(true);
    await expect.poll(() => upstream.abandoned, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await usageDebits(accountId)).length, { timeout: 30_000 }).toBe(1);
    await proxy.handler.settled();
    expect(await spendable(accountId)).toBe(1_000 - helloUsage.total_tokens);
  });
});

describe("credit running out mid-way", () => {
  it("the request that crosses zero takes what is left, the next is refused, the ledger never goes below zero", async () => {
    const perRequest = helloUsage.total_tokens; // 18
    const { accountId, key } = await accountWithKey(2 * perRequest + 5);
    const openai = client(key);
    await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello });
    const stream = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello, stream: true });
    for await (const _chunk of stream) void _chunk;
    await proxy.handler.settled();
    expect(await spendable(accountId)).toBe(5);
    await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello });
    await proxy.handler.settled();
    expect(await spendable(accountId)).toBe(0);
    const debits = await usageDebits(accountId);
    expect(debits.map((debit) => [debit.debited, debit.shortfall])).toEqual([
      [perRequest, 0],
      [perRequest, 0],
      [5, perRequest - 5],
    ]);
    const refused = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello, stream: true }).catch((caught: unknown) => caught);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });
});

describe("the proxy's authorize cache and grouped debits", () => {
  it("a key with a requests-per-minute limit is still counted on every request", async () => {
    const { accountId, key, keyId } = await accountWithKey(1_000);
    await setKeyLimits(getDb(), { accountId, keyId, limits: { ...NO_LIMITS, requestsPerMinute: 2 } });
    const openai = client(key);
    await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello });
    await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello });
    const refused = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    await proxy.handler.settled();
    expect(await usageDebits(accountId)).toHaveLength(2);
  });

  it("many requests at once: each debited once under its own request id, the balance exact", async () => {
    const { accountId, key } = await accountWithKey(10_000);
    const openai = client(key);
    const answers = await Promise.all(Array.from({ length: 24 }, () => openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello }).withResponse()));
    await proxy.handler.settled();
    const debits = await usageDebits(accountId);
    expect(debits).toHaveLength(24);
    expect(new Set(debits.map((debit) => debit.reference_id))).toEqual(new Set(answers.map((answer) => answer.response.headers.get("x-request-id"))));
    expect(await spendable(accountId)).toBe(10_000 - 24 * helloUsage.total_tokens);
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });
});
