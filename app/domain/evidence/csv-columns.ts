// Which export a CSV header belongs to, and which of its columns are present, missing or unknown.
export const COMPLETIONS_COLUMNS = [
  "start_time", "end_time", "start_time_iso", "end_time_iso", "project_id", "num_model_requests",
  "user_id", "api_key_id", "model", "batch", "service_tier", "input_tokens", "output_tokens",
  "input_cached_tokens", "input_uncached_tokens", "input_text_tokens", "output_text_tokens",
  "input_cached_text_tokens", "input_audio_tokens", "input_cached_audio_tokens",
  "output_audio_tokens", "input_image_tokens", "input_cached_image_tokens", "output_image_tokens",
] as const;

export const COST_COLUMNS = [
  "start_time", "end_time", "start_time_iso", "end_time_iso", "amount_value", "amount_currency",
  "line_item", "project_id", "organization_id", "organization_name",
] as const;

export type CsvExportKind = "completions" | "costs";

/**
 * Columns OpenAI adds over time are ignored, up to this many in all (real exports have ~25):
 * beyond it the file is not an export, and reading its rows would cost for nothing.
 */
export const MAX_COLUMNS = 200;

export type HeaderVerdict =
  | { ok: true; kind: CsvExportKind; index: Map<string, number>; missingOptional: string[] }
  | { ok: false; code: "unrecognized_columns" | "missing_columns" | "duplicate_columns" | "too_many_columns"; params: Record<string, string | number> };

export function normalizeHeader(name: string): string {
  return name.replace(/^\uFEFF/, "").trim().replace(/^"|"$/g, "").trim().toLowerCase();
}

export function inspectHeader(rawHeader: string[]): HeaderVerdict {
  if (rawHeader.length > MAX_COLUMNS) return { ok: false, code: "too_many_columns", params: { count: rawHeader.length, max: MAX_COLUMNS } };
  const header = rawHeader.map(normalizeHeader);
  const index = new Map<string, number>();
  for (const [position, name] of header.entries()) {
    if (name === "") continue;
    if (index.has(name)) return { ok: false, code: "duplicate_columns", params: { columns: name } };
    index.set(name, position);
  }
  const kind: CsvExportKind | null = index.has("amount_value")
    ? "costs"
    : ["input_tokens", "output_tokens", "model", "num_model_requests"].some((name) => index.has(name))
      ? "completions"
      : null;
  if (!kind) return { ok: false, code: "unrecognized_columns", params: { columns: header.slice(0, 8).join(", ") || "—" } };
  const required = kind === "costs" ? ["amount_value"] : ["model", "input_tokens", "output_tokens"];
  const missing = required.filter((name) => !index.has(name));
  if (!index.has("start_time") && !index.has("start_time_iso")) missing.unshift("start_time");
  if (missing.length > 0) return { ok: false, code: "missing_columns", params: { columns: missing.join(", ") } };
  const expected: readonly string[] = kind === "costs" ? COST_COLUMNS : COMPLETIONS_COLUMNS;
  const missingOptional = expected.filter((name) => !index.has(name) && !(name === "start_time" && index.has("start_time_iso")) && !(name === "start_time_iso" && index.has("start_time")));
  return { ok: true, kind, index, missingOptional };
}
