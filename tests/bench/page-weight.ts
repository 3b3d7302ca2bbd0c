// The JavaScript a page makes a browser download: every /build/*.js its HTML names (module scripts,
// modulepreload links, inline `import "…"`), and everything those files import, once each.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const BUILD_URL = /\/build\/[\w./-]+\.js/g;

export interface JsWeight {
  files: number;
  raw: number;
  brotli: number;
}

/** `publicDir` is the server's public/ directory (where /build/… is served from). */
export function javascriptOf(html: string, publicDir: string): JsWeight {
  const queue = [...new Set(html.match(BUILD_URL) ?? [])];
  const seen = new Set<string>();
  let raw = 0;
  let brotli = 0;
  while (queue.length > 0) {
    const url = queue.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const body = readFileSync(join(publicDir, url));
    raw += body.length;
    brotli += brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    // Static imports only: chunks behind import() load when something asks for them.
    for (const match of body.toString("utf8").matchAll(/(?:from|import)\s*"(\/build\/[\w./-]+\.js)"/g)) queue.push(match[1]!);
  }
  return { files: seen.size, raw, brotli };
}
