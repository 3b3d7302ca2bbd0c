// Reads a developer's usage straight from the OpenAI Usage and Costs APIs with an admin key they
// paste. The key lives only in this call's arguments: never stored, logged, or put in an error.
import { dayIndexOf, DAY_SECONDS } from "./amounts";
import type { ProgramWindow } from "./types";

export type ApiReadErrorCode =
  | "api_unauthorized"
  | "api_forbidden"
  | "api_rate_limited"
  | "api_server_error"
  | "api_timeout"
  | "api_unreachable"
  | "api_bad_response"
  | "api_paging_loop"
  | "api_too_many_pages";

export class ApiReadError extends Error {
  constructor(
    readonly code: ApiReadErrorCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
    this.name = "ApiReadError";
  }
}

export interface ApiReadOptions {
  adminKey: string;
  baseUrl: string;
  timeoutMs: number;
  window: ProgramWindow;
  /** Safety net against a server that never stops answering has_more. */
  maxPagesPerEndpoint?: number;
  fetchImpl?: typeof fetch;
}

const ENDPOINTS = [
  // group_by=model: without it every result has model null.
  { path: "/v1/organization/usage/completions", params: { group_by: "model", limit: "31" } },
  { path: "/v1/organization/costs", params: { group_by: "line_item", limit: "180" } },
] as const;

async function fetchPage(url: URL, options: ApiReadOptions): Promise<unknown> {
  const fetchImpl = options.fetchImpl ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { Authorization: `Bearer ${options.adminKey}`, Accept: "application/json" },
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: "error",
    });
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") throw new ApiReadError("api_timeout", { seconds: Math.round(options.timeoutMs / 1000) });
    throw new ApiReadError("api_unreachable", { host: url.host });
  }
  if (response.status === 401) throw new ApiReadError("api_unauthorized");
  if (response.status === 403) throw new ApiReadError("api_forbidden");
  if (response.status === 429) {
    const retryAfter = Number(response.headers.get("retry-after") ?? "");
    throw new ApiReadError("api_rate_limited", { seconds: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : 60 });
  }
  if (response.status >= 500) throw new ApiReadError("api_server_error", { status: response.status });
  if (!response.ok) throw new ApiReadError("api_bad_response", { status: response.status });
  try {
    return await response.json();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") throw new ApiReadError("api_timeout", { seconds: Math.round(options.timeoutMs / 1000) });
    throw new ApiReadError("api_bad_response", { status: response.status });
  }
}

/**
 * Yields every page of both endpoints over the program window, daily buckets, following
 * `next_page`. A cursor seen twice is a loop and stops the read with a clear error.
 */
export async function* readOpenAiUsagePages(options: ApiReadOptions): AsyncGenerator<unknown> {
  const startTime = dayIndexOf(options.window.start) * DAY_SECONDS;
  const endTime = (dayIndexOf(options.window.end) + 1) * DAY_SECONDS;
  const maxPages = options.maxPagesPerEndpoint ?? 100;
  for (const endpoint of ENDPOINTS) {
    const cursors = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; ; page++) {
      if (page >= maxPages) throw new ApiReadError("api_too_many_pages", { pages: maxPages });
      const url = new URL(endpoint.path, options.baseUrl);
      url.searchParams.set("start_time", String(startTime));
      url.searchParams.set("end_time", String(endTime));
      url.searchParams.set("bucket_width", "1d");
      for (const [key, value] of Object.entries(endpoint.params)) url.searchParams.set(key, value);
      if (cursor) url.searchParams.set("page", cursor);
      const body = await fetchPage(url, options);
      yield body;
      const next = body as { has_more?: unknown; next_page?: unknown };
      if (next.has_more !== true) break;
      if (typeof next.next_page !== "string" || next.next_page === "") throw new ApiReadError("api_bad_response", { status: 200 });
      if (cursors.has(next.next_page)) throw new ApiReadError("api_paging_loop");
      cursors.add(next.next_page);
      cursor = next.next_page;
    }
  }
}
