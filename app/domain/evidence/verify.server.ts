// Verifies one uploaded file as it streams in: caps its size, sniffs it, hashes it, parses it.
import { createHash } from "node:crypto";
import { getEnv } from "~/lib/env.server";
import { CsvIngest } from "./csv-ingest";
import { verifyInvoicePdf } from "./invoice-reader.server";
import { ApiReadError, readOpenAiUsagePages } from "./openai-usage-client.server";
import { sniffContent } from "./sniff";
import { refusedOutcome, UsageAccumulator } from "./usage-accumulator";
import { JsonPageSplitter, UsagePageIngest } from "./usage-api-json";
import type { EvidenceKind, EvidenceOutcome, ProgramWindow } from "./types";

/** Enough of the file to see its header line and its kind. */
const SNIFF_BYTES = 16 * 1024;

export interface VerifyOptions {
  maxBytes: number;
  window: ProgramWindow;
  now?: Date;
  declaredOrgId?: string | null;
  /** What to call a file refused before its content said what it is (from its name). */
  kindHint?: EvidenceKind;
}

export function verifyOptionsFromEnv(declaredOrgId: string | null = null) {
  const env = getEnv();
  return {
    maxBytes: env.EVIDENCE_MAX_BYTES,
    window: { start: env.PROGRAM_WINDOW_START, end: env.PROGRAM_WINDOW_END },
    declaredOrgId,
    baseUrl: env.OPENAI_API_BASE_URL,
    timeoutMs: env.OPENAI_API_TIMEOUT_MS,
  };
}

interface Sink {
  kind(): EvidenceKind;
  write(chunk: Uint8Array): Promise<void> | void;
  end(): Promise<void> | void;
  stopped(): boolean;
  facts(): { missingColumns?: string[]; delimiter?: string; pages?: number };
}

function csvSink(accumulator: UsageAccumulator, delimiter: string): Sink {
  const ingest = new CsvIngest(accumulator, delimiter);
  return {
    kind: () => ingest.kind,
    write: (chunk) => ingest.write(chunk),
    end: () => ingest.end(),
    stopped: () => ingest.stopped,
    facts: () => ({ missingColumns: ingest.missingColumns, delimiter: delimiter === "\t" ? "tab" : delimiter }),
  };
}

function jsonSink(accumulator: UsageAccumulator): Sink {
  const pages = new UsagePageIngest(accumulator);
  let stop = false;
  const splitter = new JsonPageSplitter(
    (text) => {
      if (!pages.ingestText(text)) stop = true;
    },
    (code) => {
      accumulator.reasons.add(code, pages.pages + 1);
      stop = true;
    },
  );
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      accumulator.reasons.add("not_utf8_text");
      stop = true;
      return "";
    }
  };
  return {
    kind: () => "usage_api_json",
    write: (chunk) => splitter.write(decode(chunk)),
    end: () => {
      if (!stop) splitter.write(decode());
      if (!stop) splitter.end();
      if (!stop) pages.finish();
    },
    stopped: () => stop,
    facts: () => ({ pages: pages.pages }),
  };
}

/**
 * Reads `source` once, chunk by chunk: never holds the whole file, stops at the first byte over
 * `maxBytes`, at a NUL byte, or when the content cannot be evidence. Always returns an outcome.
 */
export async function verifyUpload(source: AsyncIterable<Uint8Array>, options: VerifyOptions): Promise<EvidenceOutcome> {
  const accumulator = new UsageAccumulator({ window: options.window, now: options.now ?? new Date(), declaredOrgId: options.declaredOrgId ?? null });
  const hash = createHash("sha256");
  const iterator = source[Symbol.asyncIterator]();
  let bytes = 0;
  let guardFailure: "too_large" | "binary_file" | null = null;
  let binaryAllowed = false;
  // The head is sniffed as a whole (a zip is named as such); later chunks are checked for NUL here.
  const admit = (chunk: Uint8Array, isHead = false) => {
    bytes += chunk.length;
    if (bytes > options.maxBytes) guardFailure = "too_large";
    else if (!isHead && !binaryAllowed && chunk.includes(0)) guardFailure = "binary_file";
    else hash.update(chunk);
    return guardFailure === null;
  };
  const refuse = async (kind: EvidenceKind, code: string, params?: Record<string, string | number>) => {
    await iterator.return?.();
    return refusedOutcome({ kind, fileSha256: null, fileBytes: bytes }, [{ code, ...(params ? { params } : {}) }]);
  };
  const guardParams = () => (guardFailure === "too_large" ? { limitMb: Math.round((options.maxBytes / 1024 / 1024) * 10) / 10 } : undefined);

  const head: Uint8Array[] = [];
  let headBytes = 0;
  let exhausted = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    if (!admit(next.value, true)) return refuse(options.kindHint ?? "completions_csv", guardFailure!, guardParams());
    head.push(next.value);
    headBytes += next.value.length;
  }
  const headBuffer = Buffer.concat(head);
  const sniffed = sniffContent(headBuffer, exhausted);
  if (sniffed.format === "refused") return refuse(options.kindHint ?? "completions_csv", sniffed.code);
  if (sniffed.format === "pdf") {
    // A PDF is read as a whole (its index is at the end); the size cap still applies while it arrives.
    binaryAllowed = true;
    const parts = [headBuffer];
    while (!exhausted) {
      const next = await iterator.next();
      if (next.done) break;
      if (!admit(next.value)) return refuse("openai_invoice", guardFailure!, guardParams());
      parts.push(Buffer.from(next.value));
    }
    return verifyInvoicePdf(Buffer.concat(parts), { window: options.window, now: options.now ?? new Date(), declaredOrgId: options.declaredOrgId ?? null, fileSha256: hash.digest("hex"), fileBytes: bytes });
  }

  const sink = sniffed.format === "csv" ? csvSink(accumulator, sniffed.delimiter) : jsonSink(accumulator);
  await sink.write(headBuffer);
  while (!exhausted && !sink.stopped()) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    if (!admit(next.value)) {
      await sink.end();
      return refuse(sink.kind(), guardFailure!, guardParams());
    }
    await sink.write(next.value);
  }
  await sink.end();
  if (!exhausted) await iterator.return?.();
  return accumulator.finish({
    kind: sink.kind(),
    fileSha256: exhausted ? hash.digest("hex") : null,
    fileBytes: bytes,
    ...sink.facts(),
  });
}

/**
 * "Read it for me": pages through the OpenAI Usage and Costs APIs with the pasted admin key.
 * A transport or API error is returned as `error` and nothing is stored; a page of the wrong
 * shape becomes a rejected outcome like a bad file would.
 */
export async function verifyFromOpenAi(
  adminKey: string,
  options: VerifyOptions & { baseUrl: string; timeoutMs: number; fetchImpl?: typeof fetch },
): Promise<{ ok: true; outcome: EvidenceOutcome } | { ok: false; error: ApiReadError }> {
  const accumulator = new UsageAccumulator({ window: options.window, now: options.now ?? new Date(), declaredOrgId: options.declaredOrgId ?? null });
  const pages = new UsagePageIngest(accumulator);
  try {
    for await (const page of readOpenAiUsagePages({ adminKey, baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, window: options.window, fetchImpl: options.fetchImpl })) {
      if (!pages.ingest(page)) break;
    }
  } catch (error) {
    if (error instanceof ApiReadError) return { ok: false, error };
    throw error;
  }
  return { ok: true, outcome: accumulator.finish({ kind: "api_read", fileSha256: null, fileBytes: 0, pages: pages.pages }) };
}
