// The provider's own API behind the proxy: one keep-alive connection pool (undici), the provider's
// key, and time limits on the answer's start and on silence between its chunks.
import { Pool } from "undici";

export interface UpstreamOptions {
  /** The provider's OpenAI-compatible base URL, as an SDK's baseURL: https://host/v1 or …/api/paas/v4 */
  baseUrl: string;
  apiKey: string;
  connections: number;
  /** Until the answer's status and headers arrive (a model may think before its first byte). */
  headersTimeoutMs: number;
  /** Longest silence between two chunks of the answer. */
  bodyTimeoutMs: number;
}

export interface Upstream {
  pool: Pool;
  /** The base URL's path without its trailing slash ("/v1", "/api/paas/v4", or ""). */
  basePath: string;
  authorization: string;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  close(): Promise<void>;
}

export function createUpstream(options: UpstreamOptions): Upstream {
  const url = new URL(options.baseUrl);
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });
  return {
    pool,
    basePath: url.pathname.replace(/\/+$/, ""),
    authorization: `Bearer ${options.apiKey}`,
    headersTimeoutMs: options.headersTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs,
    close: () => pool.close(),
  };
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

export function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && TIMEOUT_CODES.has(code);
}
