// Months as the claims policy counts them when invoices are among the evidence: an invoice's
// spend becomes tokens at the provider's documented rate, and a month that has both measured
// usage and invoices counts once, at the larger figure (like overlapping days elsewhere).
import { monthsOf } from "./combine";
import { tokensForUsdMicros } from "./invoice-money";
import type { DayUsage, MonthUsage } from "./types";

/** Day rows of an invoice carry this "model", so a re-uploaded invoice counts once per day. */
export const INVOICE_MODEL_PREFIX = "openai-invoice:";

export function isInvoiceDay(day: DayUsage): boolean {
  return day.model.startsWith(INVOICE_MODEL_PREFIX);
}

/** Combined days (see combineDays) → months, invoices converted with `tokensPerUsd`. */
export function countedMonths(days: DayUsage[], tokensPerUsd: number): MonthUsage[] {
  const measured = monthsOf(days.filter((day) => !isInvoiceDay(day)));
  const invoiced = monthsOf(days.filter(isInvoiceDay));
  if (invoiced.length === 0) return measured;
  const byMonth = new Map(measured.map((month) => [month.month, { ...month }]));
  for (const invoiceMonth of invoiced) {
    const invoiceTokens = tokensForUsdMicros(invoiceMonth.costMicros, tokensPerUsd);
    const month = byMonth.get(invoiceMonth.month) ?? { month: invoiceMonth.month, inputTokens: 0, outputTokens: 0, totalTokens: 0, costMicros: 0 };
    month.invoiceTokens = invoiceTokens;
    month.totalTokens = Math.max(month.inputTokens + month.outputTokens, invoiceTokens);
    // The invoice and a cost export describe the same spend: never add them.
    month.costMicros = Math.max(month.costMicros, invoiceMonth.costMicros);
    byMonth.set(month.month, month);
  }
  return [...byMonth.values()].sort((a, b) => (a.month < b.month ? -1 : 1));
}
