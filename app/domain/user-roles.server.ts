// Administrators give and take the support, staff and admin roles. The program always keeps at
// least one administrator, and no administrator can take away their own admin role.
import { z } from "zod";
import { ORGANIZATION_ROLE, type Role } from "~/lib/db-schema";
import { dialectOf, type Db, type DbExecutor } from "~/lib/db.server";
import { startsWith } from "~/lib/like.server";
import { ROLES } from "~/lib/roles";
import { recordAudit } from "./audit.server";

export const USERS_PAGE_SIZE = 25;

export const userListSchema = z.object({
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((value) => value?.toLowerCase() || undefined),
  role: z.enum(ROLES as [Role, ...Role[]]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
export type UserListFilter = z.infer<typeof userListSchema>;

export const roleChangeSchema = z.object({
  userId: z.string().trim().min(1, "errors.invalidForm").max(64),
  role: z.enum(ROLES as [Role, ...Role[]], { errorMap: () => ({ message: "admin.errors.roleInvalid" }) }),
});

export interface UserListRow {
  id: string;
  email: string;
  role: Role;
  verified: boolean;
  disabled: boolean;
  createdAt: string;
}

export async function listUsers(
  db: DbExecutor,
  filter: UserListFilter,
): Promise<{ rows: UserListRow[]; total: number; page: number; pageCount: number }> {
  // Organizations' ledger rows are not people: they are never listed here, nor given a role.
  let query = db.selectFrom("users").where("role", "!=", ORGANIZATION_ROLE);
  if (filter.q) query = query.where(startsWith(db, "email", filter.q));
  if (filter.role) query = query.where("role", "=", filter.role);
  const counted = await query.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
  const total = Number(counted.count);
  const pageCount = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE));
  const page = Math.min(filter.page, pageCount);
  const rows = await query
    .select(["id", "email", "role", "email_verified_at", "disabled_at", "created_at"])
    // Staff roles first, so the people who run the program are on page one.
    .orderBy((eb) => eb.case().when("role", "=", "admin").then(0).when("role", "=", "staff").then(1).when("role", "=", "support").then(2).else(3).end())
    .orderBy("email")
    .limit(USERS_PAGE_SIZE)
    .offset((page - 1) * USERS_PAGE_SIZE)
    .execute();
  return {
    rows: rows.map((row) => ({
      id: row.id,
      email: row.email,
      role: row.role as Role, // organizations are filtered out above
      verified: row.email_verified_at !== null,
      disabled: row.disabled_at !== null,
      createdAt: row.created_at,
    })),
    total,
    page,
    pageCount,
  };
}

export type RoleChangeFailure = "not_found" | "own_admin_role" | "last_admin" | "unchanged";
export type RoleChangeResult = { ok: true; previous: Role; role: Role } | { ok: false; reason: RoleChangeFailure };

export async function changeRole(
  db: Db,
  input: { actorId: string; userId: string; role: Role; ip?: string | null },
  now: Date = new Date(),
): Promise<RoleChangeResult> {
  return db.transaction().execute(async (trx) => {
    // On PostgreSQL, lock the admin rows so two admins demoting each other at once cannot leave none.
    // SQLite runs one writer at a time already.
    let admins = trx.selectFrom("users").select("id").where("role", "=", "admin");
    if (dialectOf(trx) === "postgres") admins = admins.forUpdate();
    const adminIds = (await admins.execute()).map((row) => row.id);

    const found = await trx.selectFrom("users").select(["id", "role"]).where("id", "=", input.userId).executeTakeFirst();
    if (!found || found.role === ORGANIZATION_ROLE) return { ok: false, reason: "not_found" } as const;
    const target = { id: found.id, role: found.role };
    if (target.role === input.role) return { ok: false, reason: "unchanged" } as const;
    if (target.role === "admin") {
      if (target.id === input.actorId) return { ok: false, reason: "own_admin_role" } as const;
      if (adminIds.filter((id) => id !== target.id).length === 0) return { ok: false, reason: "last_admin" } as const;
    }
    const iso = now.toISOString();
    await trx.updateTable("users").set({ role: input.role, updated_at: iso }).where("id", "=", target.id).execute();
    await recordAudit(
      trx,
      { actorId: input.actorId, action: "admin.role_change", targetType: "user", targetId: target.id, details: { from: target.role, to: input.role }, ip: input.ip },
      now,
    );
    return { ok: true, previous: target.role, role: input.role } as const;
  });
}

/**
 * True when one of the two gave the other a role: an admin's own appointee is not an independent
 * second approver (otherwise one admin could promote a second account and approve with it).
 */
export async function appointedEachOther(db: DbExecutor, firstId: string, secondId: string): Promise<boolean> {
  const row = await db
    .selectFrom("audit_log")
    .select("id")
    .where("action", "=", "admin.role_change")
    .where((eb) =>
      eb.or([
        eb.and([eb("actor_id", "=", firstId), eb("target_id", "=", secondId)]),
        eb.and([eb("actor_id", "=", secondId), eb("target_id", "=", firstId)]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}
