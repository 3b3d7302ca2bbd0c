// Rows of the dashboard's completions usage export, validated one by one and fed to the accumulator.
import { z } from "zod";
import { integerCell } from "./amounts";
import type { UsageAccumulator } from "./usage-accumulator";

const tokenCount = z.number().int().safe();

export const completionsRowSchema = z.object({
  startTime: z.number().int().min(0).safe(),
  model: z.string().min(1).max(200),
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  requests: tokenCount.nullable(),
  cachedTokens: tokenCount.nullable(),
  uncachedTokens: tokenCount.nullable(),
});

const problemOfField: Record<string, string> = {
  startTime: "bad_time",
  model: "missing_model",
};

const columnOfField: Record<string, string> = {
  startTime: "start_time",
  model: "model",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  requests: "num_model_requests",
  cachedTokens: "input_cached_tokens",
  uncachedTokens: "input_uncached_tokens",
};

/** Unix seconds from a `start_time` cell, or from `start_time_iso` when that is all there is. */
export function timeCell(seconds: string | undefined, iso: string | undefined): number {
  if (seconds !== undefined && seconds !== "") return +seconds;
  if (iso !== undefined && iso !== "") return Math.floor(Date.parse(iso) / 1000);
  return Number.NaN;
}

export type RowHandler = (record: string[], line: number) => void;

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
  const reasons = accumulator.reasons;
  return (record, line) => {
    if (record.length !== width) {
      reasons.add("wrong_field_count", line, { expected: width, found: record.length });
      return;
    }
    const parsed = completionsRowSchema.safeParse({
      startTime: timeCell(start >= 0 ? record[start] : undefined, startIso >= 0 ? record[startIso] : undefined),
      model: record[model]!.trim(),
      inputTokens: integerCell(record[input]),
      outputTokens: integerCell(record[output]),
      requests: requests >= 0 ? integerCell(record[requests]) : null,
      cachedTokens: cached >= 0 ? integerCell(record[cached]) : null,
      uncachedTokens: uncached >= 0 ? integerCell(record[uncached]) : null,
    });
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? "");
      reasons.add(problemOfField[field] ?? "bad_number", line, { column: columnOfField[field] ?? field });
      return;
    }
    const row = parsed.data;
    accumulator.addUsage(line, row.startTime, row.model, row.inputTokens, row.outputTokens, row.requests ?? 0, row.cachedTokens, row.uncachedTokens);
  };
}
