// How pages are compressed. Static files come precompressed at the highest levels; pages are
// compressed afresh for every response, so at low levels: the middleware's defaults (brotli 4,
// gzip 6) cost a signed-in page more CPU than rendering its header and footer, brotli 2 and gzip 3
// about half as much for a few per cent more bytes. A rendered page is one buffer: it is compressed
// in one synchronous call and written once, rather than through a compression stream (its
// thread-pool round trips and stream machinery cost more than compressing 15 KB).
import type { IncomingMessage, ServerResponse } from "node:http";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { chooseEncoding } from "./static-files.server";

/** The levels of everything compressed per response. */
export const PAGE_BROTLI_QUALITY = 2;
export const PAGE_GZIP_LEVEL = 3;

/** Options for the `compression` middleware (streamed answers: data requests, CSV exports). */
export const STREAMED_COMPRESSION = { brotli: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: PAGE_BROTLI_QUALITY } }, level: PAGE_GZIP_LEVEL };

/** Below this, compressing saves less than it costs (the middleware's own threshold). */
const MIN_BYTES = 1024;
/** Above this, a page goes through the middleware's stream instead (no long synchronous call). */
const MAX_WHOLE_BYTES = 256 * 1024;

const wholeBodies = new WeakMap<Response, Buffer>();

/** A response whose body is all there, in memory: `sendWholeBody` can send it in one write. */
export function wholeBodyResponse(body: Buffer<ArrayBuffer>, init: ResponseInit): Response {
  const response = new Response(body, init);
  if (body.length <= MAX_WHOLE_BYTES) wholeBodies.set(response, body);
  return response;
}

export function wholeBodyOf(response: Response): Buffer | undefined {
  return wholeBodies.get(response);
}

/**
 * Ends `res` with `body`, compressed as the client accepts (brotli, then gzip), as the
 * `compression` middleware would: `Vary: Accept-Encoding`, nothing for HEAD, small bodies, an
 * answer already encoded or marked `no-transform`. The status and headers are already on `res`.
 */
export function sendWholeBody(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  res.setHeader("Vary", appendVary(res.getHeader("Vary"), "Accept-Encoding"));
  const cacheControl = String(res.getHeader("Cache-Control") ?? "");
  const encoding =
    body.length < MIN_BYTES || req.method === "HEAD" || res.hasHeader("Content-Encoding") || /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(cacheControl)
      ? "identity"
      : chooseEncoding(req.headers["accept-encoding"], { br: true, gzip: true });
  const sent =
    encoding === "br"
      ? brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: PAGE_BROTLI_QUALITY, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } })
      : encoding === "gzip"
        ? gzipSync(body, { level: PAGE_GZIP_LEVEL })
        : body;
  if (encoding !== "identity") res.setHeader("Content-Encoding", encoding);
  res.setHeader("Content-Length", String(sent.length));
  res.end(req.method === "HEAD" ? undefined : sent);
}

function appendVary(current: ReturnType<ServerResponse["getHeader"]>, field: string): string {
  const values = (Array.isArray(current) ? current.join(",") : String(current ?? "")).split(",").map((value) => value.trim()).filter(Boolean);
  if (values.some((value) => value === "*" || value.toLowerCase() === field.toLowerCase())) return values.join(", ");
  return [...values, field].join(", ");
}
