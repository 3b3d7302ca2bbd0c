// Pure consumption rules shared by every debit path: promo that expires soonest first, then paid.

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
