// public/ served from memory, before Express: each file with the brotli and gzip copies written at
// build time (precompress.server.ts), chosen by Accept-Encoding, never compressed per request.
// Files are indexed once at start-up (public/ holds the build's assets, a stylesheet and icons):
// a file added while the server runs is served after a restart.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, relative, sep } from "node:path";
import { COMPRESSED_SUFFIXES } from "./precompress.server";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".xml": "application/xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

type Encoding = "br" | "gzip" | "identity";

interface Variant {
  body: Buffer;
  headers: Record<string, string>;
}

interface StaticFile {
  variants: Partial<Record<Encoding, Variant>>;
}

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function readIfPresent(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/** The encoding to send: brotli, then gzip, when the client takes it (q > 0) and a copy exists. */
export function chooseEncoding(acceptEncoding: string | undefined, available: { br: boolean; gzip: boolean }): Encoding {
  if (!acceptEncoding) return "identity";
  const accepts: Record<string, boolean> = {};
  for (const part of acceptEncoding.split(",")) {
    const [name, ...params] = part.split(";");
    const q = params.map((param) => param.trim()).find((param) => param.startsWith("q="));
    accepts[name!.trim().toLowerCase()] = q === undefined || Number(q.slice(2)) > 0;
  }
  const takes = (name: string) => accepts[name] ?? accepts["*"] ?? false;
  if (available.br && takes("br")) return "br";
  if (available.gzip && (takes("gzip") || accepts["x-gzip"] === true)) return "gzip";
  return "identity";
}

export interface StaticFilesOptions {
  root: string;
  /** Paths under this prefix have content-hashed names: cached for a year, immutable. */
  immutablePrefix: string;
  onServed?: (path: string, status: number) => void;
}

export function staticFiles(options: StaticFilesOptions) {
  const index = new Map<string, StaticFile>();
  for (const path of filesUnder(options.root)) {
    if (COMPRESSED_SUFFIXES.some((suffix) => path.endsWith(suffix))) continue;
    const identity = readFileSync(path);
    const urlPath = `/${relative(options.root, path).split(sep).join("/")}`;
    const extension = urlPath.slice(urlPath.lastIndexOf("."));
    const tag = createHash("sha256").update(identity).digest("base64url").slice(0, 22);
    const cacheControl = urlPath.startsWith(options.immutablePrefix) ? "public, max-age=31536000, immutable" : "public, max-age=3600";
    const br = readIfPresent(`${path}.br`);
    const gzip = readIfPresent(`${path}.gz`);
    const negotiated = br !== null || gzip !== null;
    const variant = (body: Buffer, encoding: Encoding): Variant => ({
      body,
      headers: {
        "Content-Type": CONTENT_TYPES[extension] ?? "application/octet-stream",
        "Content-Length": String(body.length),
        "Cache-Control": cacheControl,
        ETag: `"${tag}${encoding === "identity" ? "" : `-${encoding}`}"`,
        "X-Content-Type-Options": "nosniff",
        ...(negotiated ? { Vary: "Accept-Encoding" } : {}),
        ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
      },
    });
    index.set(urlPath, {
      variants: {
        identity: variant(identity, "identity"),
        ...(br ? { br: variant(br, "br") } : {}),
        ...(gzip ? { gzip: variant(gzip, "gzip") } : {}),
      },
    });
  }

  /** Answers and returns true when `req` asks for an indexed file. */
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    const file = index.get(path);
    if (!file) return false;
    const encoding = chooseEncoding(req.headers["accept-encoding"], { br: file.variants.br !== undefined, gzip: file.variants.gzip !== undefined });
    const variant = file.variants[encoding]!;
    if (req.headers["if-none-match"] === variant.headers.ETag) {
      const { "Content-Length": _length, "Content-Type": _type, ...headers } = variant.headers;
      res.writeHead(304, headers);
      res.end();
    } else {
      res.writeHead(200, variant.headers);
      res.end(req.method === "HEAD" ? undefined : variant.body);
    }
    options.onServed?.(path, res.statusCode);
    return true;
  };
}
