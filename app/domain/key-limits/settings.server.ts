// A developer's limits on their own keys: read with the provider's defaults beside them, and set
// (a key of another account is simply not found). Every change is audited.
import type { DbExecutor } from "~/lib/db.server";
import { recordAudit } from "../audit.server";
import { readKeyCounters, type KeyCounters } from "./counters.server";
import { columnsFromLimits, hasAnyLimit, limitsFromColumns, windowsAt, type KeyLimitValues } from "./limits";

export interface KeyLimitsView {
  keyId: string;
  /** The key's own settings (null = the default applies). */
  own: KeyLimitValues | null;
  used: KeyCounters;
}

const NOTHING_USED: KeyCounters = { minuteRequests: 0, minuteTokens: 0, dayTokens: 0, monthTokens: 0 };

/** The limits and current usage of the account's keys, by key id. */
export async function listKeyLimits(db: DbExecutor, accountId: string, now: Date = new Date()): Promise<Map<string, KeyLimitsView>> {
  const keys = await db
    .selectFrom("api_keys as k")
    .leftJoin("api_key_limits as l", "l.key_id", "k.id")
    .select(["k.id", "l.key_id as limits_key_id", "l.requests_per_minute", "l.tokens_per_minute", "l.daily_tokens", "l.monthly_tokens", "l.allowed_models", "l.allowed_cidrs"])
    .where("k.user_id", "=", accountId)
    .execute();
  const counters = await readKeyCounters(db, keys.map((key) => key.id), windowsAt(now));
  return new Map(
    keys.map((key) => [
      key.id,
      { keyId: key.id, own: key.limits_key_id === null ? null : limitsFromColumns(key), used: counters.get(key.id) ?? NOTHING_USED },
    ]),
  );
}

export async function getKeyLimits(db: DbExecutor, accountId: string, keyId: string, now: Date = new Date()): Promise<KeyLimitsView | undefined> {
  return (await listKeyLimits(db, accountId, now)).get(keyId);
}

/** Replaces the key's own limits (all empty = the provider's defaults again). */
export async function setKeyLimits(
  db: DbExecutor,
  input: { accountId: string; keyId: string; limits: KeyLimitValues; ip?: string | null; now?: Date },
): Promise<{ ok: true } | { ok: false; reason: "not_found" }> {
  const now = (input.now ?? new Date()).toISOString();
  return db.transaction().execute(async (trx) => {
    const key = await trx.selectFrom("api_keys").select("id").where("id", "=", input.keyId).where("user_id", "=", input.accountId).executeTakeFirst();
    if (!key) return { ok: false, reason: "not_found" } as const;
    if (hasAnyLimit(input.limits)) {
      const columns = columnsFromLimits(input.limits);
      await trx
        .insertInto("api_key_limits")
        .values({ key_id: key.id, ...columns, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column("key_id").doUpdateSet({ ...columns, updated_at: now }))
        .execute();
    } else {
      await trx.deleteFrom("api_key_limits").where("key_id", "=", key.id).execute();
    }
    await recordAudit(trx, { actorId: input.accountId, action: "api_key.limits", targetType: "api_key", targetId: key.id, details: { ...input.limits }, ip: input.ip ?? null }, new Date(now));
    return { ok: true } as const;
  });
}
