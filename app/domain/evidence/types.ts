// Shapes shared by every evidence parser, the verifier and the store.
import type { EvidenceKind, EvidenceStatus } from "~/lib/db-schema";
import type { InvoiceFacts } from "./invoice-text";
import type { NearCopyLink } from "./near-copies.server";

export type { EvidenceKind, EvidenceStatus };

/** A reason to reject, a flag for staff, or a notice: a code (i18n key), how often, where. */
export interface Finding {
  code: string;
  count: number;
  /** The first few line numbers (1-based, header is line 1) or page numbers for JSON. */
  lines: number[];
  params?: Record<string, string | number>;
}

/** Usage of one model on one UTC day ("YYYY-MM-DD"); tokens and micro-dollars are integers. */
export interface DayUsage {
  day: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  requests: number;
}

/** The program window as inclusive UTC days "YYYY-MM-DD". */
export interface ProgramWindow {
  start: string;
  end: string;
}

export interface EvidenceSummary {
  missingColumns: string[];
  outsideWindowRows: number;
  /** Numeric cells left empty, read as zero, per column. */
  emptyCells?: Record<string, number>;
  delimiter?: string;
  pages?: number;
  compression?: "gzip" | "zip";
  encoding?: "utf-16le" | "utf-16be";
  /** The file read inside a zip. */
  archiveEntry?: string;
  months: MonthUsage[];
  models: ModelUsage[];
  /** What an OpenAI invoice (PDF) says, with its amount in micro-dollars. */
  invoice?: InvoiceSummary;
  /** The account had already uploaded exactly this usage: counted once, and no flag. */
  alreadyUploaded?: boolean;
}

export type InvoiceSummary = InvoiceFacts & { usdMicros: number };

export interface MonthUsage {
  month: string;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costMicros: number;
  /** Tokens this month's invoices count for at the provider's rate; the month counts the larger figure. */
  invoiceTokens?: number;
}

export interface ModelUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  requests: number;
}

/** What verification produced, before it is stored. */
export interface EvidenceOutcome {
  kind: EvidenceKind;
  status: EvidenceStatus;
  reasons: Finding[];
  flags: Finding[];
  fileSha256: string | null;
  fileBytes: number;
  fingerprint: string | null;
  orgId: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  rowCount: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  days: DayUsage[];
  summary: EvidenceSummary;
}

export interface VerifiedUsage {
  months: MonthUsage[];
  orgIds: string[];
  fingerprints: string[];
  evidenceIds: string[];
  flags: Array<{ code: string; evidenceId: string }>;
  duplicateOf: Array<{ evidenceId: string; otherAccountId: string; reason: "org_id" | "fingerprint" | "near_copy"; nearCopy?: NearCopyLink }>;
}
