// LangChain JS through the proxy: ChatOpenAI and OpenAIEmbeddings with only configuration.baseURL and
// the Ferry key changed, whole answers and streams, each debited once.
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { STAND_IN_CONTENT, standInUsage, startUpstreamStandIn, type UpstreamStandIn } from "../fixtures/upstream-stand-in";
import { buildSnippets } from "~/domain/snippets";
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

it("ChatOpenAI invoke and stream, OpenAIEmbeddings, all metered", async () => {
  const { accountId, key } = await accountWithKey(10_000);
  const llm = new ChatOpenAI({ model: "gpt-4o-mini", apiKey: key, maxRetries: 0, configuration: { baseURL: proxy.baseURL } });
  const message = await llm.invoke("Hello!");
  expect(message.content).toBe(STAND_IN_CONTENT.join(""));
  expect(upstream.requests.at(-1)!.body.model).toBe("glm-4-air");

  let streamed = "";
  for await (const chunk of await llm.stream("Hello again!")) streamed += String(chunk.content);
  expect(streamed).toBe(STAND_IN_CONTENT.join(""));

  const embeddings = new OpenAIEmbeddings({ model: "text-embedding-3-small", apiKey: key, maxRetries: 0, configuration: { baseURL: proxy.baseURL } });
  expect(await embeddings.embedQuery("one")).toEqual([0.25, -0.5, 0.125]);

  await proxy.handler.settled();
  const debits = await usageDebits(accountId);
  expect(debits).toHaveLength(3);
  expect(await spendable(accountId)).toBe(10_000 - 2 * standInUsage(1).total_tokens - 5);
});

it("the snippets page's LangChain JS program runs through the proxy as written, and is debited", async () => {
  const { accountId, key } = await accountWithKey(1_000);
  const snippet = buildSnippets({ provider, apiKey: key, proxyBaseUrl: proxy.baseURL }).find((entry) => entry.id === "langchainJsThroughFerry")!;
  expect(await runSnippetProgram(snippet)).toBe(STAND_IN_CONTENT.join(""));
  await proxy.handler.settled();
  expect(await usageDebits(accountId)).toHaveLength(1);
  expect(await spendable(accountId)).toBe(1_000 - standInUsage(1).total_tokens);
});
