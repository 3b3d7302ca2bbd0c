// Pure consumption rules shared by every debit path: promo that expires soonest first, then paid.
import type { LedgerBucket, LedgerEntriesTable, LedgerEntryKind } from "~/lib/db-schema";
import type { UsageDetail } from "../usage/record.server";
import type { Alongside } from "./debit-hooks.server";

export interface PromoSource {
  grantEntryId: string;
  remaining: number;
}

export interface DebitPlan {
  /** Tokens taken from each promo grant, in consumption order; grants left untouched are omitted. */
  promo: Array<{ grantEntryId: string; tokens: number }>;
  paid: number;
  debited: number;
  shortfall: number;
}

/**
 * Takes `tokens` from `promoSources` (already ordered soonest expiry first, expired ones excluded)
 * and then from `paid`; never more than there is, and what could not be taken is the shortfall.
 */
export function planDebit(promoSources: readonly PromoSource[], paid: number, tokens: number): DebitPlan {
  let wanted = tokens;
  const promo: DebitPlan["promo"] = [];
  for (const source of promoSources) {
    if (wanted === 0) break;
    const take = Math.min(wanted, source.remaining);
    if (take <= 0) continue;
    promo.push({ grantEntryId: source.grantEntryId, tokens: take });
    wanted -= take;
  }
  const fromPaid = Math.min(wanted, Math.max(paid, 0));
  wanted -= fromPaid;
  return { promo, paid: fromPaid, debited: tokens - wanted, shortfall: wanted };
}

/** The idempotency key of the n-th entry (0-based) written by one operation. */
export function entryKey(operationKey: string, index: number): string {
  return index === 0 ? operationKey : `${operationKey}#${index + 1}`;
}

export interface DebitOperation {
  /** Idempotency key of the operation; its entries use it (the first) and `key#2`, `key#3`… */
  key: string;
  accountId: string;
  kind: "usage" | "reversal";
  bucket: LedgerBucket | null;
  requested: number;
  referenceType: string;
  referenceId: string;
  note: string | null;
  actorId: string | null;
  at: string;
  /** A usage debit's record (key, model, token kinds), written in the same transaction. */
  usage?: UsageDetail;
  /** The caller's write (key counters), run in the debit's transaction when the debit is new. */
  alongside?: Alongside;
  /** Passed through to the debit hooks (debit-hooks.server.ts); the ledger does not read it. */
  detail?: Readonly<Record<string, unknown>>;
}

export interface StoredDebit {
  account_id: string;
  kind: "usage" | "reversal";
  bucket: LedgerBucket | null;
  requested: number;
  debited: number;
  shortfall: number;
  balance_after: number;
  reference_type: string;
  reference_id: string;
}

/** The entries a debit plan turns into, in order: promo grants first, then paid. */
export function debitEntries(operation: DebitOperation, plan: DebitPlan, newEntryId: () => string): LedgerEntriesTable[] {
  const entryKind: LedgerEntryKind = operation.kind === "usage" ? "usage" : "adjustment";
  const parts: Array<{ bucket: LedgerBucket; tokens: number; grantEntryId: string | null }> = [
    ...plan.promo.map((part) => ({ bucket: "promo" as const, tokens: part.tokens, grantEntryId: part.grantEntryId })),
    ...(plan.paid > 0 ? [{ bucket: "paid" as const, tokens: plan.paid, grantEntryId: null }] : []),
  ];
  return parts.map((part, index) => ({
    id: newEntryId(),
    account_id: operation.accountId,
    kind: entryKind,
    bucket: part.bucket,
    amount: -part.tokens,
    idempotency_key: entryKey(operation.key, index),
    reference_type: operation.referenceType,
    reference_id: operation.referenceId,
    expires_at: null,
    grant_entry_id: part.grantEntryId,
    note: operation.note,
    actor_id: operation.actorId,
    created_at: operation.at,
  }));
}

