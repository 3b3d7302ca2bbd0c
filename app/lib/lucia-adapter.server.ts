// lucia v3 adapter over Kysely, so SQLite and PostgreSQL share it. Session ids are stored as
// SHA-256 hashes: the id a browser holds never sits in the database.
import type { Adapter, DatabaseSession, DatabaseUser } from "lucia";
import { sha256Hex } from "./crypto.server";
import { ORGANIZATION_ROLE } from "./db-schema";
import type { Db } from "./db.server";

export function createKyselyAdapter(db: Db): Adapter {
  return {
    async getSessionAndUser(sessionId) {
      const row = await db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .select([
          "sessions.user_id",
          "sessions.expires_at",
          "sessions.authenticated_at",
          "sessions.second_factor",
          "sessions.last_seen_at",
          "users.email",
          "users.role",
          "users.locale",
          "users.email_verified_at",
          "users.disabled_at",
        ])
        .where("sessions.id", "=", sha256Hex(sessionId))
        .executeTakeFirst();
      // An organization's ledger owner row is never a person: no session of it is ever valid.
      if (!row || row.role === ORGANIZATION_ROLE) return [null, null];
      const session: DatabaseSession = {
        id: sessionId,
        userId: row.user_id,
        expiresAt: new Date(row.expires_at),
        attributes: { authenticatedAt: row.authenticated_at, secondFactor: row.second_factor, lastSeenAt: row.last_seen_at },
      };
      const user: DatabaseUser = {
        id: row.user_id,
        attributes: {
          email: row.email,
          role: row.role,
          locale: row.locale,
          emailVerifiedAt: row.email_verified_at,
          disabledAt: row.disabled_at,
        },
      };
      return [session, user];
    },

    async getUserSessions(userId) {
      const rows = await db
        .selectFrom("sessions")
        .select(["id", "expires_at", "authenticated_at", "second_factor", "last_seen_at"])
        .where("user_id", "=", userId)
        .execute();
      // Only hashes are stored, so these ids cannot be turned back into cookies.
      return rows.map((row) => ({
        id: row.id,
        userId,
        expiresAt: new Date(row.expires_at),
        attributes: { authenticatedAt: row.authenticated_at, secondFactor: row.second_factor, lastSeenAt: row.last_seen_at },
      }));
    },

    async setSession(session) {
      const now = new Date().toISOString();
      await db
        .insertInto("sessions")
        .values({
          id: sha256Hex(session.id),
          user_id: session.userId,
          expires_at: session.expiresAt.toISOString(),
          authenticated_at: session.attributes.authenticatedAt ?? now,
          ip: session.attributes.ip ?? null,
          user_agent: session.attributes.userAgent ?? null,
          second_factor: session.attributes.secondFactor ?? "none",
          last_seen_at: now,
          created_at: now,
        })
        .execute();
    },

    async updateSessionExpiration(sessionId, expiresAt) {
      await db
        .updateTable("sessions")
        .set({ expires_at: expiresAt.toISOString() })
        .where("id", "=", sha256Hex(sessionId))
        .execute();
    },

    async deleteSession(sessionId) {
      await db.deleteFrom("sessions").where("id", "=", sha256Hex(sessionId)).execute();
    },

    async deleteUserSessions(userId) {
      await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
    },

    async deleteExpiredSessions() {
      await db.deleteFrom("sessions").where("expires_at", "<=", new Date().toISOString()).execute();
    },
  };
}
