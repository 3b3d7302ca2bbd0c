// The sessions page: a user's signed-in browsers, and ending them. Sessions are named by their
// row id (the SHA-256 of the session id), which cannot be turned back into a cookie.
import type { Db, DbExecutor } from "~/lib/db.server";
import { recordAudit } from "./audit.server";
import { describeUserAgent } from "./user-agent";

export interface AccountSession {
  key: string;
  browser: string | null;
  os: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
  waitingForSecondFactor: boolean;
}

export async function listAccountSessions(db: DbExecutor, userId: string, currentKey: string | null, now = new Date()): Promise<AccountSession[]> {
  const rows = await db
    .selectFrom("sessions")
    .select(["id", "ip", "user_agent", "created_at", "last_seen_at", "second_factor"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", now.toISOString())
    .orderBy("created_at", "desc")
    .execute();
  return rows
    .map((row) => ({
      key: row.id,
      ...describeUserAgent(row.user_agent),
      ip: row.ip,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at ?? row.created_at,
      current: row.id === currentKey,
      waitingForSecondFactor: row.second_factor === "enrol" || row.second_factor === "verify",
    }))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

/** Ends one of the user's own sessions; another user's key simply matches nothing. */
export async function endAccountSession(db: DbExecutor, userId: string, key: string): Promise<boolean> {
  const result = await db.deleteFrom("sessions").where("user_id", "=", userId).where("id", "=", key).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function endOtherAccountSessions(db: DbExecutor, userId: string, keepKey: string): Promise<number> {
  const result = await db.deleteFrom("sessions").where("user_id", "=", userId).where("id", "!=", keepKey).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** An admin signs an account out everywhere (a stolen laptop, a leaver). */
export async function endAllSessionsOf(db: Db, actor: { id: string; ip?: string | null }, userId: string, reason: string, now = new Date()): Promise<{ ok: true; ended: number } | { ok: false; reason: "not_found" }> {
  return db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
    if (!target) return { ok: false as const, reason: "not_found" as const };
    const result = await trx.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
    const ended = Number(result.numDeletedRows);
    await recordAudit(trx, { actorId: actor.id, action: "admin.sessions_ended", targetType: "user", targetId: userId, details: { reason, sessionsEnded: ended }, ip: actor.ip }, now);
    return { ok: true as const, ended };
  });
}
