// A short-lived memory of authorize answers, so that a busy key is not looked up in the database on
// every request. Staleness bound: a key revoked or expired, an account disabled, a limit or budget
// changed, credit spent by another process: each takes effect at most `ttlMs` later (default 250 ms,
// PROXY_AUTH_CACHE_MS; 0 turns the cache off). Within this proxy, a debit that leaves the account
// without credit (or short) forgets the account's answers at once, so the next request is refused.
// Never cached: refusals, keys with a requests-per-minute limit (each request must take its counter
// slot in the database, shared by every instance), keys with a token rate or budget and organization
// keys (a budget can run out between two requests), and answers that do not say whether the key counts
// requests (a portal's gateway API from before `counts_requests`). Keys are held as their SHA-256.
import { createHash } from "node:crypto";
import type { AuthorizeOutcome, Metering } from "./metering.server";

/** More distinct (key, model, address) answers than this and the memory starts again. */
const MAX_ENTRIES = 10_000;

interface Entry {
  outcome: Extract<AuthorizeOutcome, { ok: true }>;
  expiresAt: number;
}

export interface CachedMetering extends Metering {
  /** Forgets every answer for an account (its credit or keys changed). */
  forgetAccount(accountId: string): void;
  readonly size: number;
}

export function cachedMetering(inner: Metering, ttlMs: number, clock: () => number = () => performance.now()): CachedMetering {
  const entries = new Map<string, Entry>();

  function forgetAccount(accountId: string) {
    for (const [key, entry] of entries) if (entry.outcome.accountId === accountId) entries.delete(key);
  }

  return {
    async authorize(apiKey, model, clientIp) {
      if (ttlMs <= 0) return inner.authorize(apiKey, model, clientIp);
      const cacheKey = `${createHash("sha256").update(apiKey).digest("base64")}\u0000${model ?? ""}\u0000${clientIp}`;
      const now = clock();
      const cached = entries.get(cacheKey);
      if (cached && cached.expiresAt > now) return cached.outcome;
      const outcome = await inner.authorize(apiKey, model, clientIp);
      if (outcome.ok && outcome.countsRequests === false) {
        if (entries.size >= MAX_ENTRIES) entries.clear();
        entries.set(cacheKey, { outcome, expiresAt: now + ttlMs });
      } else {
        entries.delete(cacheKey);
      }
      return outcome;
    },
    async report(usage) {
      const outcome = await inner.report(usage);
      if (outcome.ok && (outcome.shortfallTokens > 0 || (outcome.remainingTokens !== undefined && outcome.remainingTokens <= 0))) forgetAccount(usage.accountId);
      return outcome;
    },
    forgetAccount,
    get size() {
      return entries.size;
    },
    close: () => inner.close(),
  };
}
