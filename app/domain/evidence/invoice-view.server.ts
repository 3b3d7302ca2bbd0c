// Invoice evidence as the pages show it: what the PDF said, and what it counts for at the rate of
// the provider this deployment runs (the same rate getVerifiedUsage applies).
import type { DbExecutor } from "~/lib/db.server";
import { currentProvider } from "~/lib/provider.server";
import { INVOICE_CURRENCIES, tokensForUsdMicros } from "./invoice-money";
import { listEvidence, type StoredEvidence } from "./store.server";
import type { InvoiceSummary } from "./types";

export interface InvoiceView extends InvoiceSummary {
  evidenceId: string;
  status: StoredEvidence["status"];
  /** Tokens the in-window share of the amount counts for. */
  countedTokens: number;
  tokensPerUsd: number;
  /** US dollars per unit of the invoice's currency, e.g. "1.081" (fixed table). */
  usdPerUnit: string;
}

export function invoiceTokensPerUsd(): number {
  return currentProvider().invoiceTokensPerUsd;
}

/** Tokens a piece of evidence counts for on its own: measured tokens, or an invoice's converted amount. */
export function countedTokensOf(piece: Pick<StoredEvidence, "kind" | "inputTokens" | "outputTokens" | "costMicros">): number {
  return piece.kind === "openai_invoice" ? tokensForUsdMicros(piece.costMicros, invoiceTokensPerUsd()) : piece.inputTokens + piece.outputTokens;
}

export function invoiceViewOf(piece: StoredEvidence): InvoiceView | null {
  const invoice = piece.summary.invoice;
  if (piece.kind !== "openai_invoice" || !invoice) return null;
  const micros = INVOICE_CURRENCIES[invoice.currency]?.usdMicrosPerUnit ?? 0n;
  return {
    ...invoice,
    evidenceId: piece.id,
    status: piece.status,
    countedTokens: countedTokensOf(piece),
    tokensPerUsd: invoiceTokensPerUsd(),
    usdPerUnit: (Number(micros) / 1_000_000).toString(),
  };
}

/** The account's accepted invoices, oldest billing period first (for staff). */
export async function listAcceptedInvoices(db: DbExecutor, accountId: string): Promise<InvoiceView[]> {
  const pieces = await listEvidence(db, accountId);
  return pieces
    .filter((piece) => piece.status === "accepted")
    .map(invoiceViewOf)
    .filter((view): view is InvoiceView => view !== null)
    .sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0));
}
