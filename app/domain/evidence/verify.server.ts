// Verifies one uploaded file as it streams in: caps its size, sniffs it, hashes it, parses it.
import { createHash } from "node:crypto";
import { getEnv } from "~/lib/env.server";
import { capBytes, limitParams, readHead } from "./byte-streams";
import { CsvIngest } from "./csv-ingest";
import { detectContainer, gunzipChunks, unzipSingleEntry } from "./decompress.server";
import { verifyInvoicePdf } from "./invoice-reader.server";
import { ApiReadError, readOpenAiUsagePages } from "./openai-usage-client.server";
import { UploadRefusal } from "./refusal";
import { sniffContent } from "./sniff";
import { detectEncoding, utf16ToUtf8 } from "./text-encoding";
import { refusedOutcome, UsageAccumulator } from "./usage-accumulator";
import { JsonPageSplitter, UsagePageIngest } from "./usage-api-json";
import type { EvidenceKind, EvidenceOutcome, EvidenceSummary, ProgramWindow } from "./types";

/** Enough of the file to see its header line and its kind. */
const SNIFF_BYTES = 16 * 1024;
const PDF_MAGIC = Buffer.from("%PDF-");

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
    kind: () => (pages.notAnExport ? "not_export" : "usage_api_json"),
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

/** What a refused file is called: what its content turned out to be, else what its name says. */
function refusedKind(sinkKind: EvidenceKind | null, hint: EvidenceKind | undefined): EvidenceKind {
  return sinkKind ?? hint ?? "completions_csv";
}

/** Refuses the decoded text at its first NUL byte past the head (the sniffer judges the head). */
async function* refuseNul(source: AsyncIterable<Uint8Array>, headBytes: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of source) {
    if (seen >= headBytes && chunk.includes(0)) throw new UploadRefusal("binary_file");
    seen += chunk.length;
    yield chunk;
  }
}

/**
 * Reads `source` once, chunk by chunk, never holding the whole file (a zip excepted: see
 * decompress.server.ts): raw bytes capped at `maxBytes` and hashed; gzip or zip (by magic bytes)
 * inflated with the same cap on what comes out; UTF-16 re-encoded to UTF-8; then sniffed and
 * parsed. Stops at the first byte over a cap, at a NUL byte, or when the content cannot be
 * evidence. Always returns an outcome.
 */
export async function verifyUpload(source: AsyncIterable<Uint8Array>, options: VerifyOptions): Promise<EvidenceOutcome> {
  const accumulator = new UsageAccumulator({ window: options.window, now: options.now ?? new Date(), declaredOrgId: options.declaredOrgId ?? null });
  const hash = createHash("sha256");
  const raw = source[Symbol.asyncIterator]();
  let rawBytes = 0;
  let rawDone = false;
  let sink: Sink | null = null;
  let kindHint = options.kindHint;
  const decoding: Pick<EvidenceSummary, "compression" | "encoding" | "archiveEntry"> = {};

  async function* meteredRaw(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = await raw.next();
      if (next.done) {
        rawDone = true;
        return;
      }
      rawBytes += next.value.length;
      if (rawBytes > options.maxBytes) throw new UploadRefusal("too_large", limitParams(options.maxBytes));
      hash.update(next.value);
      yield next.value;
    }
  }

  try {
    const container = await readHead(meteredRaw(), PDF_MAGIC.length);
    if (container.head.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
      // A PDF is read whole (its index is at its end), within the same cap on the uploaded bytes.
      kindHint = "openai_invoice";
      const parts: Uint8Array[] = [];
      for await (const chunk of container.rest) parts.push(chunk);
      return await verifyInvoicePdf(Buffer.concat(parts), {
        window: options.window,
        now: options.now ?? new Date(),
        declaredOrgId: options.declaredOrgId ?? null,
        fileSha256: hash.digest("hex"),
        fileBytes: rawBytes,
      });
    }
    const format = detectContainer(container.head);
    let content: AsyncIterable<Uint8Array> = container.rest;
    if (format !== "plain") {
      decoding.compression = format;
      content =
        format === "gzip"
          ? gunzipChunks(content)
          : unzipSingleEntry(content, options.maxBytes, (name) => {
              decoding.archiveEntry = name.slice(0, 255);
              kindHint = kindHintOf(name) ?? kindHint;
            });
      content = capBytes(content, options.maxBytes, "too_large_uncompressed");
    }
    const encoded = await readHead(content[Symbol.asyncIterator](), 2);
    const encoding = detectEncoding(encoded.head);
    if (encoding !== "utf-8") decoding.encoding = encoding;
    const text = refuseNul(encoding === "utf-8" ? encoded.rest : utf16ToUtf8(encoded.rest, encoding), SNIFF_BYTES);

    const { head, done, rest } = await readHead(text[Symbol.asyncIterator](), SNIFF_BYTES);
    const sniffed = sniffContent(head, done);
    // Content that says what it is not: not an OpenAI export, whatever the file is called.
    if (sniffed.format === "refused") throw new UploadRefusal(sniffed.code, undefined, "not_export");
    // A PDF inside an archive or behind a byte-order mark is not an invoice as OpenAI sends it.
    if (sniffed.format === "pdf") throw new UploadRefusal("binary_file", undefined, "not_export");
    sink = sniffed.format === "csv" ? csvSink(accumulator, sniffed.delimiter) : jsonSink(accumulator);
    const iterator = rest[Symbol.asyncIterator]();
    while (!sink.stopped()) {
      const next = await iterator.next();
      if (next.done) break;
      await sink.write(next.value);
    }
    await sink.end();
    if (!rawDone) await iterator.return?.();
  } catch (error) {
    if (!(error instanceof UploadRefusal)) throw error;
    await raw.return?.();
    const kind = error.kind ?? refusedKind(sink?.kind() ?? null, kindHint);
    return refusedOutcome({ kind, fileSha256: null, fileBytes: rawBytes, summary: decoding }, [{ code: error.code, ...(error.params ? { params: error.params } : {}) }]);
  }
  const facts = sink.facts();
  return accumulator.finish({
    kind: sink.kind(),
    fileSha256: rawDone ? hash.digest("hex") : null,
    fileBytes: rawBytes,
    ...facts,
    summary: decoding,
  });
}

/** The kind a name suggests, for a file refused before its content could say. */
export function kindHintOf(fileName: string): EvidenceKind | undefined {
  const bare = fileName.toLowerCase().replace(/\.(gz|zip)$/, "");
  if (bare.endsWith(".json")) return "usage_api_json";
  if (bare.endsWith(".pdf")) return "openai_invoice";
  if (bare.endsWith(".csv") || bare.endsWith(".tsv") || bare.endsWith(".txt")) return "completions_csv";
  return undefined;
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
