// The machine-readable description served at /api/gateway/openapi.json.
import { keyScannerPattern } from "~/domain/api-key-format";
import { GATEWAY_ERROR_MESSAGES, GATEWAY_ERROR_STATUS, type GatewayErrorCode } from "~/domain/gateway.server";
import { GATEWAY_LIMITS } from "./limits";

/** Codes the HTTP shell itself answers with, besides the domain's (router.server.ts). */
const SHELL_CODES = ["not_found", "method_not_allowed", "database_busy", "database_unavailable", "internal_error"];

const error = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string", enum: [...Object.keys(GATEWAY_ERROR_STATUS), ...SHELL_CODES] }, message: { type: "string" } },
    },
    account_id: { type: "string" },
    key_id: { type: "string" },
    request_id: { type: "string" },
    model: { type: "string" },
    issues: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
    retry_after_ms: { type: "integer", description: "rate_limited: milliseconds until the key's minute window starts again (also as Retry-After, in seconds)." },
    limit: { type: "string", enum: ["requests_per_minute", "tokens_per_minute"], description: "rate_limited: which per-minute limit was reached." },
    budget: { type: "string", enum: ["daily", "monthly", "member_monthly"], description: "budget_exhausted: which budget (UTC day or month; member_monthly: the organization member's monthly budget across their organization keys)." },
    budget_tokens: { type: "integer" },
    used_tokens: { type: "integer" },
    resets_at: { type: "string", format: "date-time", description: "budget_exhausted: when the budget's window starts again." },
    allowed_models: { type: "array", items: { type: "string" }, description: "model_not_allowed: the key's allow-list." },
    client_ip: { type: ["string", "null"], description: "ip_not_allowed: the address that was refused." },
  },
};

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

/** What every endpoint can answer besides its own outcomes. */
const shellResponses = {
  "405": { description: "`method_not_allowed`: only POST is accepted (`Allow: POST`).", headers: { Allow: { schema: { type: "string" } } }, content: errorContent },
  "413": { description: "`invalid_request`: the body is larger than 8 KiB; nothing was read or written.", content: errorContent },
  "415": { description: "`invalid_request`: the body must be sent with `Content-Type: application/json`.", content: errorContent },
  "500": { description: "`internal_error`: Ferry could not answer. Nothing is half-written (a debit is one transaction); retry with the same request_id.", content: errorContent },
  "503": {
    description: "`database_busy` / `database_unavailable`: Ferry's database is locked elsewhere or unreachable; nothing was written. Retry after the `Retry-After` seconds.",
    headers: { "Retry-After": { schema: { type: "integer" } } },
    content: errorContent,
  },
};

function errorResponses(codes: GatewayErrorCode[]) {
  const byStatus = new Map<number, GatewayErrorCode[]>();
  for (const code of codes) byStatus.set(GATEWAY_ERROR_STATUS[code], [...(byStatus.get(GATEWAY_ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      { description: list.map((code) => `\`${code}\`: ${GATEWAY_ERROR_MESSAGES[code]}`).join(" "), content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
    ]),
  );
}

export function gatewayOpenApi(options: { keyPrefix: string; serverUrl?: string }) {
  const model = { type: "string", minLength: 1, maxLength: GATEWAY_LIMITS.modelLength };
  const tokens = { type: "integer", minimum: 0, maximum: GATEWAY_LIMITS.maxTokens };
  const apiKey = { type: "string", maxLength: GATEWAY_LIMITS.apiKeyLength, pattern: keyScannerPattern(options.keyPrefix).replace(/\\b/g, ""), description: "The developer's API key." };
  return {
    openapi: "3.1.0",
    info: {
      title: "Ferry gateway API",
      version: "1.0.0",
      description: "Called by the provider's API gateway on every LLM request: authorize the key, then report the tokens used. Authenticated with a service token (Bearer) from Ferry's GATEWAY_TOKENS.",
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ serviceToken: [] }],
    paths: {
      "/api/gateway/authorize": {
        post: {
          operationId: "authorize",
          summary: "Is this key good, and how much credit does its account have?",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["api_key"],
                  additionalProperties: false,
                  properties: {
                    api_key: apiKey,
                    model: { ...model, description: "The model the developer asked for (an OpenAI name such as gpt-4o-2024-08-06, or a provider model). Needed when the key has a model allow-list (without it such a key is refused with model_not_allowed)." },
                    client_ip: { type: "string", format: "ip", maxLength: 64, description: "The developer's client address (IPv4 or IPv6) as the gateway saw it. Needed when the key has an IP allow-list (without it such a key is refused with ip_not_allowed)." },
                  },
                },
              },
            },
          },
          responses: {
            "200": { description: "The key may be used.", content: { "application/json": { schema: { $ref: "#/components/schemas/Authorized" } } } },
            ...errorResponses(["invalid_request", "unauthorized", "malformed_key", "foreign_key", "bad_checksum", "unknown_key", "key_revoked", "key_expired", "insufficient_credit", "tokens_owed", "account_disabled", "model_not_allowed", "ip_not_allowed", "rate_limited", "budget_exhausted", "model_not_found"]),
            ...shellResponses,
          },
        },
      },
      "/api/gateway/usage": {
        post: {
          operationId: "reportUsage",
          summary: "Debit the tokens one request used (idempotent per request_id).",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["request_id", "model", "input_tokens", "output_tokens"],
                  additionalProperties: false,
                  anyOf: [{ required: ["key_id"] }, { required: ["api_key"] }],
                  properties: {
                    request_id: { type: "string", minLength: 1, maxLength: GATEWAY_LIMITS.requestIdLength, description: "The provider's id of the request, unique across all accounts. Retry with the same id until a 2xx: it is debited once." },
                    key_id: { type: "string", minLength: 1, maxLength: GATEWAY_LIMITS.keyIdLength, description: "The key_id from authorize (or send api_key)." },
                    api_key: apiKey,
                    model: { ...model, description: "The model the developer asked for (as sent to authorize)." },
                    provider_model: { ...model, description: "The model that served the request. Default: the model map's answer for model." },
                    input_tokens: { ...tokens, description: "Prompt tokens, cached ones included (OpenAI's usage.prompt_tokens)." },
                    cached_input_tokens: { ...tokens, description: "Part of input_tokens read from the prompt cache (usage.prompt_tokens_details.cached_tokens); at most input_tokens. Default 0." },
                    output_tokens: { ...tokens, description: "usage.completion_tokens." },
                  },
                },
              },
            },
          },
          responses: {
            "200": { description: "Debited (or a replay of the first report: duplicate is true).", content: { "application/json": { schema: { $ref: "#/components/schemas/Usage" } } } },
            ...errorResponses(["invalid_request", "unauthorized", "malformed_key", "foreign_key", "bad_checksum", "unknown_key", "request_conflict", "request_id_taken", "key_mismatch", "cached_exceeds_input"]),
            ...shellResponses,
          },
        },
      },
    },
    components: {
      securitySchemes: { serviceToken: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: error,
        Authorized: {
          type: "object",
          required: ["account_id", "key_id", "remaining_tokens"],
          properties: {
            account_id: { type: "string" },
            key_id: { type: "string" },
            remaining_tokens: { type: "integer", minimum: 1 },
            key_expires_at: { type: ["string", "null"], format: "date-time" },
            provider_model: { type: ["string", "null"], description: "The provider model for the requested (OpenAI) model." },
          },
        },
        Usage: {
          type: "object",
          required: ["request_id", "account_id", "key_id", "tokens", "debited_tokens", "shortfall_tokens", "remaining_tokens", "duplicate"],
          properties: {
            request_id: { type: "string" },
            account_id: { type: "string" },
            key_id: { type: "string" },
            model: { type: "string" },
            tokens: { type: "integer", description: "input_tokens + output_tokens" },
            debited_tokens: { type: "integer" },
            shortfall_tokens: { type: "integer", description: "What could not be debited because the credit ran out." },
            remaining_tokens: { type: "integer", minimum: 0 },
            duplicate: { type: "boolean" },
          },
        },
      },
    },
  };
}
