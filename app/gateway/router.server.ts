// The gateway API as a plain Express router, mounted before Remix and before the HTML middleware:
// JSON in, JSON out, a service token instead of a session.
import { createHash, timingSafeEqual } from "node:crypto";
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { authorizeApiKey, GATEWAY_ERROR_MESSAGES, GATEWAY_ERROR_STATUS, recordUsage, type GatewayErrorCode, type GatewayFailure } from "~/domain/gateway.server";
import type { DbExecutor } from "~/lib/db.server";
import type { ProviderProfile } from "~/providers/types";
import { gatewayOpenApi } from "./openapi";

export interface GatewayRouterOptions {
  db: DbExecutor;
  provider: ProviderProfile;
  /** Accepted service tokens (GATEWAY_TOKENS); none = every call is refused. */
  tokens: string[];
  /** Public base URL, for the OpenAPI `servers` entry. */
  appUrl?: string;
}

const apiKeyField = z.string().min(1).max(200);
const authorizeSchema = z.object({ api_key: apiKeyField, model: z.string().min(1).max(100).optional() }).strict();
const tokenCount = z.number().int().min(0).max(100_000_000);
const usageSchema = z
  .object({
    request_id: z.string().min(1).max(150),
    key_id: z.string().min(1).max(100).optional(),
    api_key: apiKeyField.optional(),
    model: z.string().min(1).max(100),
    input_tokens: tokenCount,
    output_tokens: tokenCount,
  })
  .strict()
  .refine((value) => value.key_id !== undefined || value.api_key !== undefined, { message: "key_id or api_key is required", path: ["key_id"] });

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Checks the Bearer token against every configured one in constant time (no early exit). */
export function serviceTokenGuard(tokens: string[]): RequestHandler {
  const accepted = tokens.map(digest);
  return (req, res, next) => {
    const header = req.headers.authorization ?? "";
    const presented = digest(header.startsWith("Bearer ") ? header.slice(7).trim() : "");
    let match = false;
    for (const token of accepted) match = timingSafeEqual(presented, token) || match;
    if (!match || header.length === 0) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="ferry-gateway"');
      sendError(res, { ok: false, code: "unauthorized" });
      return;
    }
    next();
  };
}

function sendError(res: Response, failure: GatewayFailure | { ok: false; code: GatewayErrorCode; context?: Record<string, unknown> }) {
  res.status(GATEWAY_ERROR_STATUS[failure.code]).json({ error: { code: failure.code, message: GATEWAY_ERROR_MESSAGES[failure.code] }, ...failure.context });
}

function invalid(res: Response, error: z.ZodError) {
  const issues = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  res.status(400).json({ error: { code: "invalid_request", message: GATEWAY_ERROR_MESSAGES.invalid_request, issues } });
}

export function createGatewayRouter(options: GatewayRouterOptions): express.Router {
  const router = express.Router();
  const { db, provider } = options;
  const openApiJson = JSON.stringify(gatewayOpenApi({ keyPrefix: provider.keyPrefix, serverUrl: options.appUrl }));

  router.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Content-Type-Options", "nosniff");
    next();
  });

  router.get("/openapi.json", (_req, res) => {
    res.setHeader("Cache-Control", "public, max-age=300");
    res.type("application/json").send(openApiJson);
  });

  const guard = serviceTokenGuard(options.tokens);
  const json = express.json({ limit: "8kb", strict: true });

  router.post("/authorize", guard, json, async (req, res, next) => {
    try {
      const parsed = authorizeSchema.safeParse(req.body);
      if (!parsed.success) return invalid(res, parsed.error);
      const outcome = await authorizeApiKey(db, provider, { apiKey: parsed.data.api_key, model: parsed.data.model });
      if (!outcome.ok) return sendError(res, outcome);
      const { ok: _ok, ...body } = outcome;
      res.json(body);
    } catch (error) {
      next(error);
    }
  });

  router.post("/usage", guard, json, async (req, res, next) => {
    try {
      const parsed = usageSchema.safeParse(req.body);
      if (!parsed.success) return invalid(res, parsed.error);
      const report = parsed.data;
      const outcome = await recordUsage(db, provider, {
        requestId: report.request_id,
        keyId: report.key_id,
        apiKey: report.api_key,
        model: report.model,
        inputTokens: report.input_tokens,
        outputTokens: report.output_tokens,
      });
      if (!outcome.ok) return sendError(res, outcome);
      const { ok: _ok, ...body } = outcome;
      res.json(body);
    } catch (error) {
      next(error);
    }
  });

  router.use((_req, res) => {
    res.status(404).json({ error: { code: "not_found", message: "No such gateway endpoint." } });
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === "number" ? error.status : 500;
    if (status === 400 || status === 413 || status === 415) {
      res.status(status).json({ error: { code: "invalid_request", message: status === 413 ? "The request body is too large." : GATEWAY_ERROR_MESSAGES.invalid_request } });
      return;
    }
    // Never echo the body: it may hold a key.
    console.error("gateway error:", error instanceof Error ? error.message : "unknown");
    res.status(500).json({ error: { code: "internal_error", message: "Ferry could not answer; retry." } });
  };
  router.use(onError);
  return router;
}
