// Every refusal the proxy gives, in the shape OpenAI's API uses ({ error: { message, type, param,
// code } }), so SDKs raise their usual classes (AuthenticationError, RateLimitError, …). `code` is
// OpenAI's where one exists (code written for OpenAI keeps working); `ferry_code` is the precise one.
import type { ServerResponse } from "node:http";

interface ErrorShape {
  status: number;
  type: string;
  code: string;
  message: string;
  param?: string;
}

const invalidKey = (message: string): ErrorShape => ({ status: 401, type: "invalid_request_error", code: "invalid_api_key", message });
const proxyTrouble = (message: string): ErrorShape => ({ status: 503, type: "server_error", code: "metering_unavailable", message });

/** Authorize failures (today's gateway codes and those of the limits and model-map work), then the proxy's own. */
const SHAPES: Record<string, ErrorShape> = {
  missing_api_key: invalidKey("You didn't provide an API key. Send it as Authorization: Bearer <key>."),
  malformed_key: invalidKey("Incorrect API key provided: it does not have the expected format."),
  foreign_key: invalidKey("Incorrect API key provided: it was not issued for this provider."),
  bad_checksum: invalidKey("Incorrect API key provided: its checksum does not match."),
  unknown_key: invalidKey("Incorrect API key provided."),
  key_revoked: invalidKey("This API key was revoked."),
  key_expired: invalidKey("This API key has expired."),
  insufficient_credit: { status: 402, type: "insufficient_quota", code: "insufficient_quota", message: "You have no credit left. Claim or buy credit in your Ferry account." },
  tokens_owed: { status: 402, type: "insufficient_quota", code: "insufficient_quota", message: "Your account owes tokens after a refund; it can be used again once they are paid off." },
  budget_exhausted: { status: 402, type: "insufficient_quota", code: "insufficient_quota", message: "This API key has used its budget." },
  rate_limited: { status: 429, type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached for this API key. Retry after the time in the Retry-After header." },
  model_not_allowed: { status: 403, type: "permission_error", code: "model_not_allowed", message: "This API key may not use this model.", param: "model" },
  ip_not_allowed: { status: 403, type: "permission_error", code: "ip_not_allowed", message: "This API key may not be used from your address." },
  model_not_found: { status: 404, type: "invalid_request_error", code: "model_not_found", message: "The model does not exist or you do not have access to it.", param: "model" },
  account_disabled: { status: 403, type: "permission_error", code: "account_deactivated", message: "This account is disabled." },
  // Ferry refused the proxy itself (service token, a request it could not read): the operator's problem, not the caller's.
  unauthorized: proxyTrouble("The proxy could not reach Ferry's metering; retry shortly."),
  metering_unavailable: proxyTrouble("The proxy could not reach Ferry's metering; retry shortly."),
  invalid_json: { status: 400, type: "invalid_request_error", code: "invalid_json", message: "We could not parse the JSON body of your request." },
  invalid_body: { status: 400, type: "invalid_request_error", code: "invalid_request", message: "The request body must be a JSON object with a string `model`.", param: "model" },
  unsupported_media_type: { status: 415, type: "invalid_request_error", code: "unsupported_media_type", message: "Send Content-Type: application/json." },
  body_too_large: { status: 413, type: "invalid_request_error", code: "request_too_large", message: "The request body is too large." },
  not_found: { status: 404, type: "invalid_request_error", code: "unknown_url", message: "Invalid URL: this proxy serves /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models." },
  method_not_allowed: { status: 405, type: "invalid_request_error", code: "method_not_allowed", message: "Method not allowed for this URL." },
  upstream_unreachable: { status: 502, type: "server_error", code: "upstream_unreachable", message: "The model provider could not be reached; retry shortly." },
  upstream_timeout: { status: 504, type: "server_error", code: "upstream_timeout", message: "The model provider did not answer in time." },
  upstream_refused_proxy: { status: 502, type: "server_error", code: "upstream_refused_proxy", message: "The model provider refused the proxy's credentials; the operator has been told." },
  shutting_down: { status: 503, type: "server_error", code: "shutting_down", message: "The proxy is restarting; retry shortly." },
};

const FALLBACK: ErrorShape = { status: 500, type: "server_error", code: "internal_error", message: "The proxy could not answer; retry." };

export function openAiErrorShape(ferryCode: string): ErrorShape {
  return SHAPES[ferryCode] ?? FALLBACK;
}

/** Writes the error; `retryAfterMs` adds Retry-After (seconds, rounded up) and retry-after-ms, which the OpenAI SDKs honour. */
export function sendOpenAiError(res: ServerResponse, ferryCode: string, options: { retryAfterMs?: number; requestId?: string } = {}): void {
  const shape = openAiErrorShape(ferryCode);
  const body = JSON.stringify({ error: { message: shape.message, type: shape.type, param: shape.param ?? null, code: shape.code, ferry_code: ferryCode } });
  const headers: Record<string, string | number> = { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) };
  if (options.requestId) headers["x-request-id"] = options.requestId;
  if (options.retryAfterMs !== undefined && Number.isFinite(options.retryAfterMs) && options.retryAfterMs >= 0) {
    headers["Retry-After"] = String(Math.max(1, Math.ceil(options.retryAfterMs / 1000)));
    headers["retry-after-ms"] = String(Math.ceil(options.retryAfterMs));
  }
  if (shape.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="ferry"';
  res.writeHead(shape.status, headers);
  res.end(body);
}

/** Every Ferry code this module knows (tests check each maps to the status it should). */
export const KNOWN_ERROR_CODES = Object.keys(SHAPES);
