// Fingerprints: of the bytes as uploaded, and of the usage they describe whatever the row order.
import { createHash } from "node:crypto";
import type { DayUsage } from "./types";

/** SHA-256 over the normalized day × model rows sorted, so shuffled or re-saved files match. */
export function usageFingerprint(days: DayUsage[]): string {
  const lines = days.map((row) => `${row.day}|${row.model}|${row.inputTokens}|${row.outputTokens}|${row.costMicros}|${row.requests}`);
  lines.sort();
  const hash = createHash("sha256");
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest("hex");
}
