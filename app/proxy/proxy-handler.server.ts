// The OpenAI surface in front of the provider: authenticate the Ferry key, apply its limits and the
// model map (both in authorize), forward with the provider's key, relay the answer as it comes, and
// report what the request used under one request id. Plain node:http: nothing else on the hot path.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { clientAddress, type ProxyTrust } from "~/lib/proxy-trust.server";
import type { ProviderProfile } from "~/providers/types";
import type { Metering, ProxyUsage } from "./metering.server";
import { modelList } from "./models";
import { sendOpenAiError } from "./openai-errors";
import { SseUsageReader, usageFrom, usageFromJsonBytes, type ReportedUsage } from "./sse-usage";
import { estimateInputTokens, estimateOutputTokens, parsedPayloads } from "./token-estimate.server";
import { isTimeout, type Upstream } from "./upstream.server";
import type { UsageSettler } from "./usage-outbox.server";

type Endpoint = "chat" | "completions" | "embeddings";

const ENDPOINTS: Record<string, { endpoint: Endpoint; upstreamPath: string }> = {
  "/v1/chat/completions": { endpoint: "chat", upstreamPath: "/chat/completions" },
  "/v1/completions": { endpoint: "completions", upstreamPath: "/completions" },
  "/v1/embeddings": { endpoint: "embeddings", upstreamPath: "/embeddings" },
};

// Refusing a key never costs a metering call: an authorize failure that only concerns spending.
const LISTING_ALLOWED_DESPITE = new Set(["insufficient_credit", "tokens_owed", "budget_exhausted", "rate_limited", "model_not_allowed"]);

export interface ProxyLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ProxyOptions {
  provider: ProviderProfile;
  metering: Metering;
  settler: UsageSettler;
  upstream: Upstream;
  maxBodyBytes: number;
  trust: ProxyTrust;
  log: ProxyLog;
}

export interface ProxyHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Resolves when every usage report started so far has been settled (debited or in the outbox). */
  settled(): Promise<void>;
}

interface Authorized {
  requestId: string;
  accountId: string;
  keyId: string;
  requestedModel: string;
  providerModel: string;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => size <= limit && resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function bearer(header: string | undefined): string | null {
  if (!header || !header.startsWith("Bearer ")) return null;
  const key = header.slice(7).trim();
  return key.length > 0 && key.length <= 200 ? key : null;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Waits until the client has taken what was written, or has gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

export function createProxyHandler(options: ProxyOptions): ProxyHandler {
  const { metering, settler, upstream, provider, log } = options;
  const models = modelList(provider);
  const modelsJson = JSON.stringify({ object: "list", data: models });
  const pending = new Set<Promise<void>>();

  function report(authorized: Authorized, usage: ReportedUsage, estimated: boolean) {
    const record: ProxyUsage = { ...authorized, ...usage, estimated };
    const settling = settler.settle(record).finally(() => pending.delete(settling));
    pending.add(settling);
  }

  async function reportEstimate(authorized: Authorized, endpoint: Endpoint, body: Record<string, unknown>, answers: unknown[]) {
    const inputTokens = await estimateInputTokens(endpoint, body);
    const outputTokens = await estimateOutputTokens(answers);
    report(authorized, { inputTokens, cachedInputTokens: 0, outputTokens }, true);
  }

  async function listModels(req: IncomingMessage, res: ServerResponse, path: string) {
    req.resume();
    const apiKey = bearer(req.headers.authorization);
    if (!apiKey) return sendOpenAiError(res, "missing_api_key");
    const outcome = await metering.authorize(apiKey, null, clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], options.trust));
    if (!outcome.ok && !LISTING_ALLOWED_DESPITE.has(outcome.code)) return sendOpenAiError(res, outcome.code, { retryAfterMs: outcome.retryAfterMs });
    if (path === "/v1/models") {
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(modelsJson) });
      res.end(modelsJson);
      return;
    }
    const id = decodeURIComponent(path.slice("/v1/models/".length));
    const model = models.find((entry) => entry.id === id);
    return model ? sendJson(res, 200, model) : sendOpenAiError(res, "model_not_found");
  }

  async function forward(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, upstreamPath: string) {
    const apiKey = bearer(req.headers.authorization);
    if (!apiKey) {
      req.resume();
      return sendOpenAiError(res, "missing_api_key");
    }
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
      req.resume();
      return sendOpenAiError(res, "unsupported_media_type");
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, options.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      res.setHeader("Connection", "close");
      return sendOpenAiError(res, "body_too_large");
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return sendOpenAiError(res, "invalid_json");
    }
    if (!body || typeof body !== "object" || Array.isArray(body) || typeof body.model !== "string" || body.model.length === 0 || body.model.length > 200) {
      return sendOpenAiError(res, "invalid_body");
    }
    const requestedModel = body.model;
    const clientIp = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], options.trust);
    const outcome = await metering.authorize(apiKey, requestedModel, clientIp);
    if (!outcome.ok) return sendOpenAiError(res, outcome.code, { retryAfterMs: outcome.retryAfterMs });

    const authorized: Authorized = {
      requestId: `prx-${randomUUID()}`,
      accountId: outcome.accountId,
      keyId: outcome.keyId,
      requestedModel,
      providerModel: outcome.providerModel ?? requestedModel,
    };
    body.model = authorized.providerModel;
    const streaming = endpoint !== "embeddings" && body.stream === true;
    let clientWantsUsage = false;
    if (streaming) {
      const streamOptions = body.stream_options && typeof body.stream_options === "object" ? (body.stream_options as Record<string, unknown>) : {};
      clientWantsUsage = streamOptions.include_usage === true;
      body.stream_options = { ...streamOptions, include_usage: true };
    }

    const abort = new AbortController();
    let clientGone = false;
    res.once("close", () => {
      if (!res.writableFinished) {
        clientGone = true;
        abort.abort();
      }
    });

    let answer: Awaited<ReturnType<typeof upstream.pool.request>>;
    try {
      answer = await upstream.pool.request({
        path: upstream.basePath + upstreamPath,
        method: "POST",
        headers: { "content-type": "application/json", accept: streaming ? "text/event-stream" : "application/json", authorization: upstream.authorization, "x-request-id": authorized.requestId },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
    } catch (error) {
      // Nothing came back: nothing to debit.
      if (clientGone) return;
      log.warn({ requestId: authorized.requestId, error: error instanceof Error ? error.message : String(error) }, "upstream request failed");
      return sendOpenAiError(res, isTimeout(error) ? "upstream_timeout" : "upstream_unreachable", { requestId: authorized.requestId });
    }

    const status = answer.statusCode;
    const contentType = String(answer.headers["content-type"] ?? "application/json");
    if (status === 401 || status === 403) {
      // The provider refused our own key: the caller cannot fix that, the operator must.
      await answer.body.dump().catch(() => {});
      log.error({ requestId: authorized.requestId, status }, "upstream refused the proxy's UPSTREAM_API_KEY");
      return sendOpenAiError(res, "upstream_refused_proxy", { requestId: authorized.requestId });
    }
    if (status < 200 || status >= 300) {
      // An upstream error (its 4xx, its 5xx) goes back as it is, and debits nothing.
      res.writeHead(status, { "Content-Type": contentType, "x-request-id": authorized.requestId });
      await relay(answer.body, res, () => clientGone, null);
      if (!clientGone) res.end();
      return;
    }

    if (streaming && contentType.includes("text/event-stream")) {
      res.writeHead(status, { "Content-Type": contentType, "Cache-Control": "no-cache", "x-request-id": authorized.requestId });
      res.flushHeaders();
      const reader = new SseUsageReader(clientWantsUsage);
      const complete = await relay(answer.body, res, () => clientGone, reader);
      if (!clientGone) res.end(reader.end());
      if (reader.usage) return report(authorized, reader.usage, false);
      if (!complete || !clientGone) log.warn({ requestId: authorized.requestId, clientGone }, "stream ended without usage; billing an estimate");
      return reportEstimate(authorized, endpoint, body, parsedPayloads(reader.payloads));
    }

    const headers: Record<string, string> = { "Content-Type": contentType, "x-request-id": authorized.requestId };
    const length = answer.headers["content-length"];
    if (typeof length === "string") headers["Content-Length"] = length;
    res.writeHead(status, headers);
    const chunks: Buffer[] = [];
    const complete = await relay(answer.body, res, () => clientGone, chunks);
    if (!clientGone) res.end();
    // The bytes went to the client as they came; only the usage object is parsed out of them.
    const answerBytes = complete ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) : null;
    const reported = answerBytes ? usageFromJsonBytes(answerBytes) : null;
    if (reported) return report(authorized, reported, false);
    let parsed: { usage?: unknown } | null = null;
    if (answerBytes) {
      try {
        parsed = JSON.parse(answerBytes.toString("utf8"));
      } catch {
        parsed = null;
      }
    }
    const usage = usageFrom(parsed?.usage);
    if (usage) return report(authorized, usage, false);
    return reportEstimate(authorized, endpoint, body, parsed ? [parsed] : []);
  }

  /**
   * Copies the upstream body to the client chunk by chunk (waiting when the client is slow), through
   * the SSE reader or into `keep`. True when the upstream body ended normally.
   */
  async function relay(source: AsyncIterable<Buffer>, res: ServerResponse, gone: () => boolean, sink: SseUsageReader | Buffer[] | null): Promise<boolean> {
    try {
      for await (const chunk of source) {
        let out: Buffer | string = chunk;
        if (sink instanceof SseUsageReader) out = sink.push(chunk);
        else if (sink) sink.push(chunk);
        if (gone()) return false;
        if (out.length > 0 && !res.write(out)) await drained(res);
      }
      return true;
    } catch {
      // The client left (we aborted) or the upstream broke off: what came through is what is billed.
      return false;
    }
  }

  const handler = ((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const route = ENDPOINTS[path];
    let work: Promise<void>;
    if (route) {
      if (req.method !== "POST") {
        req.resume();
        res.setHeader("Allow", "POST");
        return sendOpenAiError(res, "method_not_allowed");
      }
      work = forward(req, res, route.endpoint, route.upstreamPath);
    } else if (path === "/v1/models" || path.startsWith("/v1/models/")) {
      if (req.method !== "GET") {
        req.resume();
        res.setHeader("Allow", "GET");
        return sendOpenAiError(res, "method_not_allowed");
      }
      work = listModels(req, res, path);
    } else if (path === "/healthz") {
      req.resume();
      return sendJson(res, 200, { status: "ok" });
    } else {
      req.resume();
      return sendOpenAiError(res, "not_found");
    }
    const handled: Promise<void> = work.catch((error: unknown) => {
      // Never the body or headers: they hold keys.
      log.error({ path, error: error instanceof Error ? error.message : String(error) }, "proxy error");
      if (!res.headersSent) sendOpenAiError(res, "metering_unavailable");
      else res.destroy();
    });
    // Requests in flight count as pending usage: settled() (shutdown, tests) waits for them too.
    const tracked = handled.finally(() => pending.delete(tracked));
    pending.add(tracked);
  }) as ProxyHandler;
  handler.settled = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return handler;
}
