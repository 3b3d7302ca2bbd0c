// The gateway API: a plain Node request handler (no framework work on the hot path), also offered
// as an Express router. app/server.ts mounts it before every HTML middleware and before Remix:
// JSON in, JSON out, a service token instead of a session.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import express from "express";
import { z } from "zod";
import { isIpAddress } from "~/domain/key-limits/cidr";
import { authorizeApiKey, GATEWAY_ERROR_MESSAGES, GATEWAY_ERROR_STATUS, recordUsage, type GatewayErrorCode } from "~/domain/gateway.server";
import { databaseTroubleOf } from "~/lib/database-errors.server";
import type { DbExecutor } from "~/lib/db.server";
import { errorFields, log } from "~/lib/logger.server";
import { countDatabaseTrouble, countLedgerDebit, observeGatewayCall, type GatewayEndpoint } from "~/lib/metrics.server";
import type { ProviderProfile } from "~/providers/types";
import { GATEWAY_LIMITS } from "./limits";
import { gatewayOpenApi } from "./openapi";

export const GATEWAY_PATH = "/api/gateway";
/** Bodies are a key and a few numbers; anything larger is refused before it is parsed. */
export const GATEWAY_BODY_LIMIT = 8 * 1024;

export interface GatewayOptions {
  db: DbExecutor;
  provider: ProviderProfile;
  /** Accepted service tokens (GATEWAY_TOKENS); none = every call is refused. */
  tokens: string[];
  /** Public base URL, for the OpenAPI `servers` entry. */
  appUrl?: string;
}

const apiKeyField = z.string().min(1).max(GATEWAY_LIMITS.apiKeyLength);
const modelField = z.string().min(1).max(GATEWAY_LIMITS.modelLength);
const authorizeSchema = z
  .object({
    api_key: apiKeyField,
    model: modelField.optional(),
    // The address of the developer's client as the gateway saw it: for the key's IP allow-list.
    client_ip: z.string().max(64).refine(isIpAddress, "must be an IPv4 or IPv6 address").optional(),
  })
  .strict();
const tokenCount = z.number().int().min(0).max(GATEWAY_LIMITS.maxTokens);
const usageSchema = z
  .object({
    request_id: z.string().min(1).max(GATEWAY_LIMITS.requestIdLength),
    key_id: z.string().min(1).max(GATEWAY_LIMITS.keyIdLength).optional(),
    api_key: apiKeyField.optional(),
    model: modelField,
    provider_model: modelField.optional(),
    input_tokens: tokenCount,
    cached_input_tokens: tokenCount.optional(),
    output_tokens: tokenCount,
  })
  .strict()
  .refine((value) => value.key_id !== undefined || value.api_key !== undefined, { message: "key_id or api_key is required", path: ["key_id"] });

class BodyError extends Error {
  constructor(readonly status: 400 | 413 | 415) {
    super(`body refused (${status})`);
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** True when the Bearer token matches one of `accepted` (SHA-256 digests), compared in constant time. */
export function serviceTokenMatches(authorization: string | undefined, accepted: Buffer[]): boolean {
  if (!authorization || !authorization.startsWith("Bearer ")) return false;
  const presented = digest(authorization.slice(7).trim());
  let match = false;
  for (const token of accepted) match = timingSafeEqual(presented, token) || match;
  return match;
}

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, ...extraHeaders, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, code: GatewayErrorCode, context?: Record<string, unknown>, extraHeaders?: Record<string, string>) {
  const retryAfterMs = context?.retry_after_ms;
  if (typeof retryAfterMs === "number") extraHeaders = { ...extraHeaders, "Retry-After": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
  send(res, GATEWAY_ERROR_STATUS[code], { error: { code, message: GATEWAY_ERROR_MESSAGES[code] }, ...context }, extraHeaders);
}

function sendInvalid(res: ServerResponse, error: z.ZodError) {
  const issues = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  send(res, 400, { error: { code: "invalid_request", message: GATEWAY_ERROR_MESSAGES.invalid_request, issues } });
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // Media types are case-insensitive (RFC 9110): Application/JSON is JSON too.
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    if (!/^application\/json\s*(;|$)/.test(type)) {
      req.resume();
      reject(new BodyError(415));
      return;
    }
    if (Number(req.headers["content-length"] ?? 0) > GATEWAY_BODY_LIMIT) {
      req.resume();
      reject(new BodyError(413));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_BODY_LIMIT) {
        chunks.length = 0;
        reject(new BodyError(413));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > GATEWAY_BODY_LIMIT) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new BodyError(400));
      }
    });
    req.on("error", reject);
  });
}

export type GatewayHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Handles every request under /api/gateway/ (the `url` may carry the prefix or not). */
export function createGatewayHandler(options: GatewayOptions): GatewayHandler {
  const { db, provider } = options;
  const accepted = options.tokens.map(digest);
  const openApiJson = JSON.stringify(gatewayOpenApi({ keyPrefix: provider.keyPrefix, serverUrl: options.appUrl }));

  // Each endpoint answers and returns its outcome for the metrics: "ok" or the error code.
  async function authorize(body: unknown, res: ServerResponse): Promise<string> {
    const parsed = authorizeSchema.safeParse(body);
    if (!parsed.success) {
      sendInvalid(res, parsed.error);
      return "invalid_request";
    }
    const outcome = await authorizeApiKey(db, provider, { apiKey: parsed.data.api_key, model: parsed.data.model, clientIp: parsed.data.client_ip });
    if (!outcome.ok) {
      sendError(res, outcome.code, outcome.context);
      return outcome.code;
    }
    send(res, 200, { account_id: outcome.account_id, key_id: outcome.key_id, remaining_tokens: outcome.remaining_tokens, key_expires_at: outcome.key_expires_at, provider_model: outcome.provider_model, counts_requests: outcome.counts_requests });
    return "ok";
  }

  async function usage(body: unknown, res: ServerResponse): Promise<string> {
    const parsed = usageSchema.safeParse(body);
    if (!parsed.success) {
      sendInvalid(res, parsed.error);
      return "invalid_request";
    }
    const report = parsed.data;
    const outcome = await recordUsage(db, provider, {
      requestId: report.request_id,
      keyId: report.key_id,
      apiKey: report.api_key,
      model: report.model,
      inputTokens: report.input_tokens,
      outputTokens: report.output_tokens,
      cachedInputTokens: report.cached_input_tokens,
      providerModel: report.provider_model,
    });
    if (!outcome.ok) {
      sendError(res, outcome.code, outcome.context);
      return outcome.code;
    }
    const { ok: _ok, ...result } = outcome;
    send(res, 200, result);
    countLedgerDebit(result.duplicate ? "duplicate" : result.shortfall_tokens > 0 ? "short" : "debited", result.duplicate ? 0 : result.debited_tokens);
    return "ok";
  }

  const endpoints: Record<string, { name: GatewayEndpoint; answer: (body: unknown, res: ServerResponse) => Promise<string> }> = {
    "/authorize": { name: "authorize", answer: authorize },
    "/usage": { name: "usage", answer: usage },
  };

  return (req, res) => {
    const rawPath = (req.url ?? "/").split("?")[0]!;
    const path = rawPath.startsWith(GATEWAY_PATH) ? rawPath.slice(GATEWAY_PATH.length) : rawPath;
    if (path === "/openapi.json" && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300", "Content-Length": Buffer.byteLength(openApiJson) });
      res.end(req.method === "HEAD" ? undefined : openApiJson);
      return;
    }
    const endpoint = endpoints[path];
    if (!endpoint || req.method !== "POST") {
      req.resume();
      send(res, endpoint ? 405 : 404, { error: { code: endpoint ? "method_not_allowed" : "not_found", message: endpoint ? "Use POST." : "No such gateway endpoint." } }, endpoint ? { Allow: "POST" } : {});
      return;
    }
    if (!serviceTokenMatches(req.headers.authorization, accepted)) {
      req.resume();
      sendError(res, "unauthorized", undefined, { "WWW-Authenticate": 'Bearer realm="ferry-gateway"' });
      return;
    }
    const started = performance.now();
    readJson(req)
      .then((body) => endpoint.answer(body, res))
      .catch((error: unknown): string => {
        if (error instanceof BodyError) {
          const message = error.status === 413 ? "The request body is too large." : error.status === 415 ? "Send Content-Type: application/json." : GATEWAY_ERROR_MESSAGES.invalid_request;
          if (!res.headersSent) send(res, error.status, { error: { code: "invalid_request", message } }, { Connection: "close" });
          return "invalid_request";
        }
        const trouble = databaseTroubleOf(error);
        if (trouble) {
          // A lock held elsewhere or a database that is away: nothing was written; the caller retries.
          const reason = trouble.name === "DatabaseBusyError" ? "busy" : "unavailable";
          countDatabaseTrouble(reason);
          if (!res.headersSent) send(res, 503, { error: { code: `database_${reason}`, message: "Ferry's database is momentarily unavailable; retry shortly." } }, { "Retry-After": String(trouble.retryAfterSeconds) });
          return `database_${reason}`;
        }
        // Never log the body: it may hold a key.
        log.error({ endpoint: endpoint.name, ...errorFields(error) }, "gateway error");
        if (!res.headersSent) send(res, 500, { error: { code: "internal_error", message: "Ferry could not answer; retry." } });
        return "internal_error";
      })
      .then((outcome) => observeGatewayCall(endpoint.name, outcome, (performance.now() - started) / 1000));
  };
}

/** The same handler as an Express router, for mounting at /api/gateway in an Express app. */
export function createGatewayRouter(options: GatewayOptions): express.Router {
  const handler = createGatewayHandler(options);
  const router = express.Router();
  router.use((req, res) => handler(req, res));
  return router;
}
