// The proxy's one door to Ferry's metering: is this key good for this model, and what did a request
// use. Two implementations of the same interface: in process (the proxy shares Ferry's database and
// calls the domain's gateway functions, which debit through the ledger) and over HTTP (the proxy runs
// elsewhere and calls the gateway API with a service token). The proxy never writes credit itself.
import { Pool } from "undici";
import { authorizeApiKey, recordUsage } from "~/domain/gateway.server";
import { LedgerInputError } from "~/domain/ledger.server";
import type { DbExecutor } from "~/lib/db.server";
import type { ProviderProfile } from "~/providers/types";

/** What one upstream request used, reported once under its request id. */
export interface ProxyUsage {
  requestId: string;
  accountId: string;
  keyId: string;
  /** The model the client asked for, and the one the upstream was called with. */
  requestedModel: string;
  providerModel: string;
  /** Prompt tokens, cached ones included (as OpenAI counts them). */
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /** True when the upstream reported nothing and the proxy counted with gpt-tokenizer. */
  estimated: boolean;
}

export type AuthorizeOutcome =
  /** `countsRequests`: the key has a requests-per-minute limit (each request took a slot); unknown over HTTP. */
  | { ok: true; accountId: string; keyId: string; providerModel: string | null; remainingTokens: number; countsRequests?: boolean }
  | { ok: false; code: string; retryAfterMs?: number };

export type ReportOutcome =
  | { ok: true; debitedTokens: number; shortfallTokens: number; duplicate: boolean; remainingTokens?: number }
  /** `retryable`: the debit may land later (database or gateway away); otherwise Ferry refused it for good. */
  | { ok: false; retryable: boolean; code: string; detail?: string };

export interface Metering {
  /** `model` is null where the request names none (GET /v1/models). */
  authorize(apiKey: string, model: string | null, clientIp: string): Promise<AuthorizeOutcome>;
  report(usage: ProxyUsage): Promise<ReportOutcome>;
  close(): Promise<void>;
}

function retryAfterOf(context: Record<string, unknown> | undefined): number | undefined {
  const value = context?.retry_after_ms;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function inProcessMetering(db: DbExecutor, provider: ProviderProfile): Metering {
  return {
    async authorize(apiKey, model, clientIp) {
      const outcome = await authorizeApiKey(db, provider, { apiKey, model: model ?? undefined, clientIp: clientIp || undefined });
      if (!outcome.ok) return { ok: false, code: outcome.code, retryAfterMs: retryAfterOf(outcome.context) };
      return { ok: true, accountId: outcome.account_id, keyId: outcome.key_id, providerModel: outcome.provider_model, remainingTokens: outcome.remaining_tokens, countsRequests: outcome.counts_requests };
    },
    async report(usage) {
      try {
        const outcome = await recordUsage(db, provider, {
          requestId: usage.requestId,
          keyId: usage.keyId,
          model: usage.requestedModel,
          providerModel: usage.providerModel,
          inputTokens: usage.inputTokens,
          cachedInputTokens: Math.min(usage.cachedInputTokens, usage.inputTokens),
          outputTokens: usage.outputTokens,
        });
        if (!outcome.ok) return { ok: false, retryable: false, code: outcome.code };
        return { ok: true, debitedTokens: outcome.debited_tokens, shortfallTokens: outcome.shortfall_tokens, duplicate: outcome.duplicate, remainingTokens: outcome.remaining_tokens };
      } catch (error) {
        // A database that is busy or away: the same report succeeds later. An input the ledger refuses never will.
        const detail = error instanceof Error ? error.message : String(error);
        return { ok: false, retryable: !(error instanceof LedgerInputError), code: "exception", detail };
      }
    },
    async close() {},
  };
}

export interface HttpMeteringOptions {
  /** Ferry's gateway API, e.g. https://ferry.example.com/api/gateway */
  gatewayUrl: string;
  /** One of Ferry's GATEWAY_TOKENS. */
  token: string;
  timeoutMs: number;
}

export function httpMetering(options: HttpMeteringOptions): Metering {
  const url = new URL(options.gatewayUrl);
  const basePath = url.pathname.replace(/\/+$/, "");
  const pool = new Pool(url.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  const headers = { "content-type": "application/json", authorization: `Bearer ${options.token}` };

  async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
    const response = await pool.request({ path: `${basePath}${path}`, method: "POST", headers, body: JSON.stringify(body) });
    const text = await response.body.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* a proxy page in front of Ferry, say: the status decides */
    }
    return { status: response.statusCode, json };
  }

  return {
    async authorize(apiKey, model, clientIp) {
      let answer: { status: number; json: any };
      try {
        answer = await post("/authorize", { api_key: apiKey, ...(model === null ? {} : { model }), ...(clientIp ? { client_ip: clientIp } : {}) });
      } catch {
        return { ok: false, code: "metering_unavailable" };
      }
      if (answer.status === 200 && answer.json) {
        const body = answer.json;
        // counts_requests: absent from an older portal, and then the answer is never reused.
        const countsRequests = typeof body.counts_requests === "boolean" ? body.counts_requests : undefined;
        return { ok: true, accountId: body.account_id, keyId: body.key_id, providerModel: body.provider_model ?? null, remainingTokens: Number(body.remaining_tokens ?? 0), countsRequests };
      }
      const code = typeof answer.json?.error?.code === "string" ? answer.json.error.code : "metering_unavailable";
      return { ok: false, code: answer.status >= 500 ? "metering_unavailable" : code, retryAfterMs: retryAfterOf(answer.json ?? undefined) };
    },
    async report(usage) {
      let answer: { status: number; json: any };
      try {
        answer = await post("/usage", {
          request_id: usage.requestId,
          key_id: usage.keyId,
          model: usage.requestedModel,
          provider_model: usage.providerModel,
          input_tokens: usage.inputTokens,
          cached_input_tokens: Math.min(usage.cachedInputTokens, usage.inputTokens),
          output_tokens: usage.outputTokens,
        });
      } catch (error) {
        return { ok: false, retryable: true, code: "gateway_unreachable", detail: error instanceof Error ? error.message : String(error) };
      }
      if (answer.status === 200 && answer.json) {
        const remaining = Number(answer.json.remaining_tokens);
        return { ok: true, debitedTokens: Number(answer.json.debited_tokens), shortfallTokens: Number(answer.json.shortfall_tokens), duplicate: answer.json.duplicate === true, ...(Number.isFinite(remaining) ? { remainingTokens: remaining } : {}) };
      }
      const code = typeof answer.json?.error?.code === "string" ? answer.json.error.code : `http_${answer.status}`;
      // 401: a rotated service token is fixed by the operator, and the report must survive until then.
      const retryable = answer.status >= 500 || answer.status === 429 || answer.status === 401;
      return { ok: false, retryable, code };
    },
    close: () => pool.close(),
  };
}
