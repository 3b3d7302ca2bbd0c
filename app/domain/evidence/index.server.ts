// The evidence module's public surface: other domains and routes import from here only.
export { getVerifiedUsage, hasAcceptedEvidence, listEvidence, getEvidence, getCombinedUsage, saveEvidence, removeRejectedEvidence } from "./store.server";
export type { StoredEvidence, RemoveEvidenceResult } from "./store.server";
export type { VerifiedUsage, EvidenceOutcome, Finding, DayUsage, MonthUsage, ModelUsage } from "./types";
export { countedTokensOf, invoiceTokensPerUsd, invoiceViewOf, listAcceptedInvoices } from "./invoice-view.server";
export type { InvoiceView } from "./invoice-view.server";
