// The README's quick start, as written: the demo's published key through the proxy with the real
// OpenAI SDK (only baseURL and apiKey changed), then the demo developer's /account/usage page.
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_ACCOUNTS, demoApiKey, seedDemoAccounts } from "~/domain/demo-seed.server";
import { getBalance } from "~/domain/ledger.server";
import { getDb } from "~/lib/db.server";
import { loader as usageLoader } from "~/routes/account.usage";
import { STAND_IN_CONTENT, standInUsage, startUpstreamStandIn, type UpstreamStandIn } from "../fixtures/upstream-stand-in";
import { call, fullSessionCookie } from "./helpers";
import { provider, startProxy, type RunningProxy } from "./proxy-harness";

let upstream: UpstreamStandIn;
let proxy: RunningProxy;

beforeAll(async () => {
  await seedDemoAccounts(getDb());
  upstream = await startUpstreamStandIn();
  proxy = await startProxy(upstream.baseUrl);
}, 120_000);
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

it("the demo key works through the proxy and the demo developer sees the request on /account/usage", async () => {
  const developer = await getDb().selectFrom("users").select("id").where("email", "=", DEMO_ACCOUNTS[0]!.email).executeTakeFirstOrThrow();
  const before = (await getBalance(getDb(), developer.id)).total;
  const usageBefore = await call(usageLoader, "/account/usage", { cookie: await fullSessionCookie(developer.id) });

  const client = new OpenAI({ baseURL: proxy.baseURL, apiKey: demoApiKey(provider.keyPrefix), maxRetries: 0 });
  const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello!" }] });
  expect(completion.choices[0]!.message.content).toBe(STAND_IN_CONTENT.join(""));
  await proxy.handler.settled();

  const used = standInUsage(1);
  expect((await getBalance(getDb(), developer.id)).total).toBe(before - used.total_tokens);
  const usageAfter = await call(usageLoader, "/account/usage", { cookie: await fullSessionCookie(developer.id) });
  const rowOf = (page: typeof usageAfter) => page.data.summary.rows.find((row: { model: string }) => row.model === "gpt-4o-mini") ?? { requests: 0, inputTokens: 0, outputTokens: 0 };
  expect(rowOf(usageAfter).requests - rowOf(usageBefore).requests).toBe(1);
  expect(rowOf(usageAfter).inputTokens - rowOf(usageBefore).inputTokens).toBe(used.prompt_tokens);
  expect(rowOf(usageAfter).outputTokens - rowOf(usageBefore).outputTokens).toBe(used.completion_tokens);
});
