// Brotli and gzip copies of public/'s text files, written next to them at build time
// (`npm run build` runs app/cli/precompress.ts after `remix build`); static-files.server.ts serves them.
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

export const COMPRESSED_SUFFIXES = [".br", ".gz"] as const;
const COMPRESSIBLE = /\.(js|mjs|css|svg|json|map|txt|html|webmanifest|xml)$/;
/** Below this, a compressed copy saves less than its headers cost. */
const MIN_BYTES = 256;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function mtimeOf(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

export interface PrecompressReport {
  written: number;
  upToDate: number;
  removed: number;
  bytes: { identity: number; br: number; gzip: number };
}

/** Writes `file.br` and `file.gz` where missing or older than `file`; removes copies whose file is gone. */
export function precompressDirectory(root: string): PrecompressReport {
  const report: PrecompressReport = { written: 0, upToDate: 0, removed: 0, bytes: { identity: 0, br: 0, gzip: 0 } };
  const files = filesUnder(root);
  const present = new Set(files);
  for (const path of files) {
    const suffix = COMPRESSED_SUFFIXES.find((candidate) => path.endsWith(candidate));
    if (suffix) {
      if (!present.has(path.slice(0, -suffix.length))) {
        unlinkSync(path);
        report.removed += 1;
      }
      continue;
    }
    if (!COMPRESSIBLE.test(path)) continue;
    const identity = readFileSync(path);
    if (identity.length < MIN_BYTES) continue;
    const modified = statSync(path).mtimeMs;
    const copies = [
      [`${path}.br`, () => brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }), "br"],
      [`${path}.gz`, () => gzipSync(identity, { level: constants.Z_BEST_COMPRESSION }), "gzip"],
    ] as const;
    report.bytes.identity += identity.length;
    for (const [target, compress, name] of copies) {
      const existing = mtimeOf(target);
      if (existing !== null && existing >= modified) {
        report.upToDate += 1;
        report.bytes[name] += statSync(target).size;
        continue;
      }
      const compressed = compress();
      writeFileSync(target, compressed);
      report.written += 1;
      report.bytes[name] += compressed.length;
    }
  }
  return report;
}
