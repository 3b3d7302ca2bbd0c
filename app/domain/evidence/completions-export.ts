// Rows of the dashboard's completions usage export, validated one by one and fed to the accumulator.
import { z } from "zod";
import { integerCell } from "./amounts";
import type { UsageAccumulator } from "./usage-accumulator";

// Not `.safe()`: a count too large to be real is the accumulator's "absurd", not "not a number".
const tokenCount = z.number().int();

/**
 * One row as the tuple [start time, model, input, output, requests, cached, uncached]: a tuple
 * is the cheapest shape for zod to check, and this runs a million times per large export.
 */
export const completionsRowSchema = z.tuple([
  z.number().int().min(0).safe(),
  z.string().min(1).max(200),
  tokenCount,
  tokenCount,
  tokenCount.nullable(),
  tokenCount.nullable(),
  tokenCount.nullable(),
]);

const COLUMN_OF_POSITION = ["start_time", "model", "input_tokens", "output_tokens", "num_model_requests", "input_cached_tokens", "input_uncached_tokens"];
const PROBLEM_OF_POSITION: Record<number, string> = { 0: "bad_time", 1: "missing_model" };

/** Unix seconds from a `start_time` cell, or from `start_time_iso` when that is all there is. */
export function timeCell(seconds: string | undefined, iso: string | undefined): number {
  if (seconds !== undefined && seconds !== "") return +seconds;
  if (iso !== undefined && iso !== "") return Math.floor(Date.parse(iso) / 1000);
  return Number.NaN;
}

/**
 * Reads one record. `cells` holds at least the columns listed in `columns` (others may be
 * stale); `fieldCount` is how many fields the record really had.
 */
export interface RowHandler {
  columns: number[];
  onRow(cells: string[], fieldCount: number, line: number): void;
}

export function columnsOf(...positions: number[]): number[] {
  return [...new Set(positions.filter((position) => position >= 0))].sort((a, b) => a - b);
}

export function completionsRowHandler(index: Map<string, number>, width: number, accumulator: UsageAccumulator): RowHandler {
  const column = (name: string) => index.get(name) ?? -1;
  const start = column("start_time");
  const startIso = column("start_time_iso");
  const model = column("model");
  const input = column("input_tokens");
  const output = column("output_tokens");
  const requests = column("num_model_requests");
  const cached = column("input_cached_tokens");
  const uncached = column("input_uncached_tokens");
  return {
    columns: columnsOf(start, startIso, model, input, output, requests, cached, uncached),
    onRow(cells, fieldCount, line) {
      if (fieldCount !== width) {
        accumulator.rejectRow("wrong_field_count", line, { expected: width, found: fieldCount });
        return;
      }
      // An empty count is zero: the row adds nothing there. Cached/uncached stay unknown (null),
      // so an empty pair is not taken for a total that does not add up.
      const inputCell = cells[input];
      const outputCell = cells[output];
      const requestCell = requests >= 0 ? cells[requests] : undefined;
      if (inputCell === "") accumulator.noteEmptyCell("input_tokens");
      if (outputCell === "") accumulator.noteEmptyCell("output_tokens");
      if (requestCell === "") accumulator.noteEmptyCell("num_model_requests");
      const parsed = completionsRowSchema.safeParse([
        timeCell(start >= 0 ? cells[start] : undefined, startIso >= 0 ? cells[startIso] : undefined),
        cells[model]!.trim(),
        inputCell === "" ? 0 : integerCell(inputCell),
        outputCell === "" ? 0 : integerCell(outputCell),
        requests >= 0 ? integerCell(requestCell) : null,
        cached >= 0 ? integerCell(cells[cached]) : null,
        uncached >= 0 ? integerCell(cells[uncached]) : null,
      ]);
      if (!parsed.success) {
        const position = Number(parsed.error.issues[0]?.path[0] ?? -1);
        accumulator.rejectRow(PROBLEM_OF_POSITION[position] ?? "bad_number", line, { column: COLUMN_OF_POSITION[position] ?? "?" });
        return;
      }
      const [startTime, modelName, inputTokens, outputTokens, requestCount, cachedTokens, uncachedTokens] = parsed.data;
      accumulator.addUsage(line, startTime, modelName, inputTokens, outputTokens, requestCount ?? 0, cachedTokens, uncachedTokens);
    },
  };
}
