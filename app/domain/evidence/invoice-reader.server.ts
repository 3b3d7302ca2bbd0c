// The fifth kind of evidence: an OpenAI invoice or receipt (PDF). Its amount, in micro-dollars,
// is spread evenly over the days of its billing period and fed to the same accumulator as cost
// rows, so the window, org id and storage rules are the ones every other kind follows. Tokens
// are derived later, at the provider's documented rate (invoice-months.ts).
import { createHash } from "node:crypto";
import { DAY_SECONDS, dayIndexOf } from "./amounts";
import { minorToUsdMicros } from "./invoice-money";
import { INVOICE_MODEL_PREFIX } from "./invoice-months";
import { orgIdsIn, readInvoiceText, type InvoiceFacts } from "./invoice-text";
import { readPdfText } from "./pdf-text.server";
import { refusedOutcome, UsageAccumulator, type AccumulatorOptions } from "./usage-accumulator";
import type { EvidenceOutcome } from "./types";

/** OpenAI bills monthly; a longer "period" is not a usage invoice. */
export const MAX_INVOICE_PERIOD_DAYS = 366;

/**
 * An invoice's identity is its number: the same number is the same spend, whatever the bytes.
 * Used as the evidence fingerprint, so the duplicate checks every kind shares apply unchanged.
 */
export function invoiceFingerprint(invoiceNumber: string): string {
  return createHash("sha256").update(`openai-invoice\n${invoiceNumber.toUpperCase()}`).digest("hex");
}

/** `amount` split over `days` integers that add up to it exactly (the remainder on the first days). */
export function spreadEvenly(amount: number, days: number): number[] {
  const base = Math.floor(amount / days);
  const remainder = amount - base * days;
  return Array.from({ length: days }, (_, index) => base + (index < remainder ? 1 : 0));
}

export async function verifyInvoicePdf(
  bytes: Uint8Array,
  options: AccumulatorOptions & { fileSha256: string | null; fileBytes: number },
): Promise<EvidenceOutcome> {
  const file = { kind: "openai_invoice" as const, fileSha256: options.fileSha256, fileBytes: options.fileBytes };
  const text = await readPdfText(bytes);
  if (!text.ok) return refusedOutcome(file, [{ code: text.code, ...(text.params ? { params: text.params } : {}) }]);
  const reading = readInvoiceText(text.cells);
  if (!reading.ok) {
    return refusedOutcome(file, reading.problems.map((problem) => ({ code: problem.code, params: problem.params, lines: problem.page ? [problem.page] : [] })));
  }
  const facts: InvoiceFacts = reading.facts;
  const usdMicros = minorToUsdMicros(facts.amountMinor, facts.currency);
  const invoice = { ...facts, usdMicros };
  const firstDay = dayIndexOf(facts.periodStart);
  const dayCount = dayIndexOf(facts.periodEnd) - firstDay + 1;
  if (dayCount > MAX_INVOICE_PERIOD_DAYS) {
    const refused = refusedOutcome(file, [{ code: "invoice_period_too_long", params: { days: dayCount }, lines: [reading.page] }]);
    return { ...refused, summary: { ...refused.summary, invoice } };
  }

  const accumulator = new UsageAccumulator(options);
  for (const orgId of orgIdsIn(text.cells)) accumulator.noteOrgId(orgId);
  const model = `${INVOICE_MODEL_PREFIX}${facts.invoiceNumber}`;
  spreadEvenly(usdMicros, dayCount).forEach((share, index) => {
    accumulator.addCost(reading.page, (firstDay + index) * DAY_SECONDS, model, share);
  });
  const outcome = accumulator.finish({ ...file, pages: text.pages });
  const accepted = outcome.status === "accepted";
  return {
    ...outcome,
    fingerprint: accepted ? invoiceFingerprint(facts.invoiceNumber) : null,
    // An invoice says what was spent, not which tokens: a person always looks before credit is granted.
    flags: accepted ? [...outcome.flags, { code: "invoice_only", count: 1, lines: [] }] : outcome.flags,
    summary: { ...outcome.summary, invoice },
  };
}
