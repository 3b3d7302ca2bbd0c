// Usage API pages (GET /v1/organization/usage/completions and /costs): split, validated, ingested.
import { createHash } from "node:crypto";
import { z } from "zod";
import { DAY_SECONDS, isoDayOf, jsonDollarsToMicros } from "./amounts";
import { ALL_MODELS, modelOfLineItem, ORG_ID } from "./flags";
import type { UsageAccumulator } from "./usage-accumulator";

// Not `.safe()`: a count too large to be real is refused as absurd by the accumulator.
const count = z.number().int();

export const usageResultSchema = z
  .object({
    object: z.literal("organization.usage.completions.result"),
    // null is the API's empty cell: read as zero and noted.
    input_tokens: count.nullable(),
    output_tokens: count.nullable(),
    input_cached_tokens: count.nullish(),
    num_model_requests: count.nullish(),
    model: z.string().max(200).nullish(),
    project_id: z.string().nullish(),
  })
  .passthrough();

export const costResultSchema = z
  .object({
    object: z.literal("organization.costs.result"),
    amount: z.object({ value: z.number().finite().nullable(), currency: z.string().regex(/^usd$/i) }),
    line_item: z.string().max(300).nullish(),
    project_id: z.string().nullish(),
    organization_id: z.string().regex(ORG_ID).nullish(),
  })
  .passthrough();

export const bucketSchema = z.object({
  object: z.literal("bucket"),
  start_time: z.number().int().min(0).safe(),
  end_time: z.number().int().min(0).safe(),
  results: z.array(z.union([usageResultSchema, costResultSchema])),
});

export const pageSchema = z.object({
  object: z.literal("page"),
  data: z.array(bucketSchema),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});

export type UsagePage = z.infer<typeof pageSchema>;

/** Largest single page accepted: real pages are a few KB; the cap keeps memory bounded. */
export const MAX_PAGE_CHARS = 8 * 1024 * 1024;

/**
 * Splits a stream of JSON text into its pages without parsing it whole: accepts one page,
 * an array of pages, or pages one after another (as saved by `curl … >> pages.json`).
 */
export class JsonPageSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private topLevelArray = false;
  private current: string[] = [];
  private currentLength = 0;
  private collecting = false;

  constructor(
    private readonly onPage: (text: string) => void,
    private readonly onError: (code: "malformed_json" | "page_too_large") => void,
  ) {}

  failed = false;

  write(text: string): void {
    if (this.failed) return;
    let pieceStart = this.collecting ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === 92 /* \ */) this.escaped = true;
        else if (char === 34 /* " */) this.inString = false;
        continue;
      }
      if (char === 34) {
        if (!this.collecting) return this.fail("malformed_json");
        this.inString = true;
      } else if (char === 123 /* { */ || char === 91 /* [ */) {
        if (this.depth === 0 && char === 91 && !this.topLevelArray && !this.collecting) {
          this.topLevelArray = true;
          continue;
        }
        if (!this.collecting) {
          if (char !== 123) return this.fail("malformed_json");
          this.collecting = true;
          pieceStart = i;
        }
        this.depth += 1;
      } else if (char === 125 /* } */ || char === 93 /* ] */) {
        if (!this.collecting) {
          if (char === 93 && this.topLevelArray) {
            this.topLevelArray = false;
            continue;
          }
          return this.fail("malformed_json");
        }
        this.depth -= 1;
        if (this.depth === 0) {
          this.append(text.slice(pieceStart, i + 1));
          if (this.failed) return;
          const page = this.current.join("");
          this.current = [];
          this.currentLength = 0;
          this.collecting = false;
          pieceStart = -1;
          this.onPage(page);
        }
      } else if (!this.collecting) {
        // Between pages only whitespace and the commas of a top-level array may appear.
        const isSpace = char === 32 || char === 9 || char === 10 || char === 13;
        if (!isSpace && !(char === 44 && this.topLevelArray)) return this.fail("malformed_json");
      }
    }
    if (this.collecting && pieceStart >= 0) this.append(text.slice(pieceStart));
  }

  private append(piece: string) {
    this.currentLength += piece.length;
    if (this.currentLength > MAX_PAGE_CHARS) return this.fail("page_too_large");
    this.current.push(piece);
  }

  end(): void {
    if (this.failed) return;
    if (this.collecting || this.depth !== 0 || this.inString || this.topLevelArray) this.fail("malformed_json");
  }

  private fail(code: "malformed_json" | "page_too_large") {
    this.failed = true;
    this.onError(code);
  }
}

/** The keys a result is grouped by besides its bucket: two results with the same keys are one result. */
function usageResultKey(result: z.infer<typeof usageResultSchema>): string {
  const r = result as Record<string, unknown>;
  return JSON.stringify(["usage", r.model ?? null, r.project_id ?? null, r.user_id ?? null, r.api_key_id ?? null, r.batch ?? null, r.service_tier ?? null]);
}

function costResultKey(result: z.infer<typeof costResultSchema>): string {
  return JSON.stringify(["costs", result.line_item ?? null, result.project_id ?? null, result.organization_id ?? null]);
}

/** The figures of a result, to tell an identical repeat from a conflicting one. */
function usageResultFigures(result: z.infer<typeof usageResultSchema>): string {
  return [result.input_tokens, result.output_tokens, result.input_cached_tokens ?? 0, result.num_model_requests ?? 0].join("/");
}

/**
 * Ingests pages into the accumulator. Results merge by (bucket start, grouping keys): a bucket's
 * results may continue on the next page, so only a result seen before is skipped. An identical
 * repeat counts once; a repeat with other figures keeps the first and is flagged with both. A
 * whole page seen twice (a `has_more` loop) is skipped and flagged.
 */
export class UsagePageIngest {
  pages = 0;
  notAnExport = false;
  private readonly seenPages = new Set<string>();
  private readonly seenResults = new Map<string, string>();
  private lastHasMore = false;

  constructor(private readonly accumulator: UsageAccumulator) {}

  /** Returns false when the page is not a Usage/Costs API page (reason already recorded). */
  ingestText(text: string): boolean {
    this.pages += 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.accumulator.reasons.add("malformed_json", this.pages);
      return false;
    }
    const digest = createHash("sha256").update(text).digest("hex");
    return this.ingest(value, digest);
  }

  ingest(value: unknown, digest?: string): boolean {
    if (digest === undefined) this.pages += 1;
    const pageNumber = this.pages;
    const parsed = pageSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // JSON whose first page is no Usage/Costs page is some other JSON, not a broken export.
      if (pageNumber === 1) this.notAnExport = true;
      this.accumulator.reasons.add("wrong_json_shape", pageNumber, { path: issue?.path.join(".") || "—" });
      return false;
    }
    const key = digest ?? createHash("sha256").update(JSON.stringify(value)).digest("hex");
    if (this.seenPages.has(key)) {
      this.accumulator.flags.add("repeated_pages", pageNumber);
      return true;
    }
    this.seenPages.add(key);
    this.lastHasMore = parsed.data.has_more;
    for (const bucket of parsed.data.data) {
      for (const result of bucket.results) {
        const isUsage = result.object === "organization.usage.completions.result";
        const usage = result as z.infer<typeof usageResultSchema>;
        const cost = result as z.infer<typeof costResultSchema>;
        const resultKey = `${bucket.start_time}|${isUsage ? usageResultKey(usage) : costResultKey(cost)}`;
        const figures = isUsage ? usageResultFigures(usage) : String(cost.amount.value);
        const seen = this.seenResults.get(resultKey);
        if (seen !== undefined) {
          if (seen !== figures) {
            const model = isUsage ? (usage.model ?? ALL_MODELS) : modelOfLineItem(cost.line_item);
            this.accumulator.flags.add("conflicting_results", pageNumber, { day: isoDayOf(Math.floor(bucket.start_time / DAY_SECONDS)), model, first: seen, second: figures });
          }
          continue;
        }
        this.seenResults.set(resultKey, figures);
        if (isUsage) {
          if (usage.input_tokens === null) this.accumulator.noteEmptyCell("input_tokens");
          if (usage.output_tokens === null) this.accumulator.noteEmptyCell("output_tokens");
          this.accumulator.addUsage(
            pageNumber,
            bucket.start_time,
            usage.model ?? ALL_MODELS,
            usage.input_tokens ?? 0,
            usage.output_tokens ?? 0,
            usage.num_model_requests ?? 0,
            usage.input_cached_tokens ?? null,
            null,
          );
        } else {
          if (cost.organization_id) this.accumulator.noteOrgId(cost.organization_id);
          if (cost.amount.value === null) this.accumulator.noteEmptyCell("amount.value");
          this.accumulator.addCost(pageNumber, bucket.start_time, modelOfLineItem(cost.line_item), jsonDollarsToMicros(cost.amount.value ?? 0));
        }
      }
    }
    return true;
  }

  /** The last page still said `has_more`: the set is incomplete, which staff should know. */
  finish(): void {
    if (this.lastHasMore) this.accumulator.flags.add("incomplete_pages", this.pages);
  }
}
