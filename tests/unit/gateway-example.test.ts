// The gateway docs' middleware example, run for real against a stand-in Ferry: usage reports are
// retried with the same request_id until a 2xx, streamed responses report their usage chunk, and
// a Ferry that does not answer is given up on (the example's timeout).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayExamples } from "~/domain/gateway-examples";

const dir = mkdtempSync(join(tmpdir(), "ferry-gateway-example-"));
const file = join(dir, "gateway.mjs");
let server: Server;
let usageReports: any[] = [];
let usageAnswers: number[] = [];
let hangAuthorize = false;

beforeAll(async () => {
  const code = gatewayExamples({ ferryUrl: "https://ferry.example", keyPrefix: "glmsk", exampleModel: "gpt-4o-mini", providerModel: "glm-4-air" }).find((example) => example.id === "middleware")!.code;
  writeFileSync(file, code);
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.url === "/api/gateway/authorize") {
        if (hangAuthorize) return; // never answers
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ account_id: "usr_1", key_id: "key_1", remaining_tokens: 100, key_expires_at: null, provider_model: "glm-4-air" }));
        return;
      }
      usageReports.push(JSON.parse(body));
      const status = usageAnswers.shift() ?? 200;
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(status === 200 ? { duplicate: false } : { error: { code: "database_busy" } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  process.env.FERRY_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.FERRY_GATEWAY_TOKEN = "test-token";
  process.env.FERRY_TIMEOUT_MS = "4000";
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = (body: Record<string, unknown>) => ({ headers: { authorization: "Bearer glmsk_x" }, body: { model: "gpt-4o-mini", messages: [], ...body } });
const usage = { prompt_tokens: 30, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 10 } };

describe("the gateway docs' middleware example", () => {
  it("retries a failed usage report with the same request_id until Ferry answers 2xx", async () => {
    usageReports = [];
    usageAnswers = [503, 500];
    const example = await import(pathToFileURL(file).href);
    const seen: any[] = [];
    const answer = await example.handleChatCompletion(request({}), async (body: any) => {
      seen.push(body);
      return { id: "chatcmpl-1", model: "glm-4-air-0111", usage, choices: [] };
    });
    expect(answer.status).toBe(200);
    expect(seen[0].model).toBe("glm-4-air");
    expect(usageReports).toHaveLength(3);
    for (const report of usageReports) {
      expect(report).toEqual({ request_id: "chatcmpl-1", key_id: "key_1", model: "gpt-4o-mini", provider_model: "glm-4-air-0111", input_tokens: 30, cached_input_tokens: 10, output_tokens: 12 });
    }
  });

  it("asks a streamed response for its usage and reports it, without showing the extra chunk to a developer who did not ask", async () => {
    usageReports = [];
    usageAnswers = [];
    const example = await import(pathToFileURL(file).href);
    let sent: any;
    const answer = await example.handleChatCompletion(request({ stream: true }), async (body: any) => {
      sent = body;
      return (async function* () {
        yield { id: "chatcmpl-2", model: "glm-4-air", choices: [{ delta: { content: "Hi" } }] };
        yield { id: "chatcmpl-2", model: "glm-4-air", choices: [], usage };
      })();
    });
    expect(sent.stream_options).toEqual({ include_usage: true });
    const relayed = [];
    for await (const chunk of answer.stream) relayed.push(chunk);
    expect(relayed).toHaveLength(1);
    expect(usageReports).toEqual([expect.objectContaining({ request_id: "chatcmpl-2", input_tokens: 30, output_tokens: 12 })]);
  });

  it("gives up on a Ferry that does not answer instead of hanging", async () => {
    hangAuthorize = true;
    try {
      const example = await import(pathToFileURL(file).href);
      await expect(example.handleChatCompletion(request({}), async () => ({}))).rejects.toThrow(/abort|timeout/i);
    } finally {
      hangAuthorize = false;
    }
  });
});
