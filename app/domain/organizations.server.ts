// Organizations: people who migrate together share one balance, one claim and keys that belong to
// the organization. The organization's credit, evidence, claims and keys hang off a ledger owner
// row in `users` (role 'organization'; see ORGANIZATION_ROLE): the ledger, the gateway and the
// claim rules therefore treat it like any account, and no other table learns a second owner.
// That row is never a person: it cannot sign in, receives no mail and no operator list shows it.
//
// Rules kept here: a person belongs to at most one organization; owners and admins manage members
// (admins cannot touch owners or make one); only owners transfer ownership; at least one owner
// stays; members create keys and see usage; removing a member revokes their organization keys.
import { randomBytes } from "node:crypto";
import { sql, type SqlBool } from "kysely";
import { z } from "zod";
import { sha256Hex } from "~/lib/crypto.server";
import { ORGANIZATION_EMAIL_DOMAIN, ORGANIZATION_ROLE, type OrganizationRole } from "~/lib/db-schema";
import type { Db, DbExecutor } from "~/lib/db.server";
import { formatDateTime, isLocale } from "~/lib/i18n";
import { escapeLike } from "~/lib/like.server";
import { translator } from "~/lib/i18n.server";
import { newId } from "~/lib/ids.server";
import { sendMail } from "~/lib/mail.server";
import { appUrl } from "./accounts.server";
import { createApiKey, keyStatus, revokeApiKey, type ApiKeyStatus, type ApiKeySummary } from "./api-keys.server";
import { recordAudit } from "./audit.server";
import { windowsAt } from "./key-limits/limits";

export const ORGANIZATION_ROLES = ["owner", "admin", "member"] as const satisfies readonly OrganizationRole[];
export const INVITATION_TTL_HOURS = 7 * 24;
/** A password hash no argon2 verify accepts: the ledger row has no password at all. */
const UNUSABLE_PASSWORD_HASH = "!organization-ledger-owner:never-verifies";


export interface Organization {
  id: string;
  name: string;
  ledgerAccountId: string;
  createdAt: string;
  deletedAt: string | null;
}

export interface Membership {
  organization: Organization;
  role: OrganizationRole;
}

export type OrganizationFailure =
  | "not_found"
  | "forbidden"
  | "already_member"
  | "invitation_invalid"
  | "wrong_account"
  | "last_owner"
  | "unchanged"
  | "too_many_keys"
  | "already_created"
  | "already_invited";

export type OrganizationResult<T = object> = ({ ok: true } & T) | { ok: false; reason: OrganizationFailure };

export const organizationNameSchema = z.string().trim().min(2, "organization.errors.nameShort").max(80, "organization.errors.nameLong");
export const organizationRoleSchema = z.enum(ORGANIZATION_ROLES, { errorMap: () => ({ message: "organization.errors.role" }) });
/** Tokens per month, or empty for no budget. */
export const memberBudgetSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (value === "") return null;
    if (!/^\d{1,13}$/.test(value)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "organization.errors.budget" });
      return z.NEVER;
    }
    return Number(value);
  });

const MANAGERS: readonly OrganizationRole[] = ["owner", "admin"];

function toOrganization(row: { id: string; name: string; ledger_account_id: string; created_at: string; deleted_at?: string | null }): Organization {
  return { id: row.id, name: row.name, ledgerAccountId: row.ledger_account_id, createdAt: row.created_at, deletedAt: row.deleted_at ?? null };
}

export { ledgerOwnerType, type LedgerOwnerType } from "./ledger.server";

/** The organization a person belongs to, with their role; null when none. */
export async function getMembership(db: DbExecutor, userId: string): Promise<Membership | null> {
  const row = await db
    .selectFrom("organization_members as m")
    .innerJoin("organizations as o", "o.id", "m.organization_id")
    .select(["o.id", "o.name", "o.ledger_account_id", "o.created_at", "m.role"])
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
  return row ? { organization: toOrganization(row), role: row.role } : null;
}

/** The organization whose ledger row this is (support, staff, claim queue); null for a person. */
export async function getOrganizationByLedgerAccount(db: DbExecutor, ledgerAccountId: string): Promise<Organization | null> {
  const row = await db.selectFrom("organizations").selectAll().where("ledger_account_id", "=", ledgerAccountId).executeTakeFirst();
  return row ? toOrganization(row) : null;
}

/** Serializes writers of one organization (PostgreSQL row lock; SQLite has one writer already). */
async function lockOrganization(trx: DbExecutor, organizationId: string) {
  return trx
    .updateTable("organizations")
    .set((eb) => ({ updated_at: eb.ref("updated_at") }))
    .where("id", "=", organizationId)
    .returning(["id", "name", "ledger_account_id", "created_at"])
    .executeTakeFirst();
}

async function roleOf(db: DbExecutor, organizationId: string, userId: string): Promise<OrganizationRole | null> {
  const row = await db.selectFrom("organization_members").select("role").where("organization_id", "=", organizationId).where("user_id", "=", userId).executeTakeFirst();
  return row?.role ?? null;
}

/** Locks the organization and finds the actor's role in it; null when either is missing. */
async function lockAsMember(trx: DbExecutor, organizationId: string, actorId: string) {
  const organization = await lockOrganization(trx, organizationId);
  if (!organization) return null;
  const actorRole = await roleOf(trx, organization.id, actorId);
  if (!actorRole) return null;
  return { organization, actorRole };
}

/** Updates one member's row (role or budget), stamping updated_at. */
async function updateMember(
  trx: DbExecutor,
  organizationId: string,
  userId: string,
  values: { role?: OrganizationRole; monthly_token_budget?: number | null },
  now: Date,
): Promise<void> {
  await trx
    .updateTable("organization_members")
    .set({ ...values, updated_at: now.toISOString() })
    .where("organization_id", "=", organizationId)
    .where("user_id", "=", userId)
    .execute();
}

/** Revokes the live keys of an organization's ledger row (only those `createdBy` made, when given); returns their ids. */
async function revokeLiveKeys(trx: DbExecutor, ledgerAccountId: string, iso: string, createdBy?: string): Promise<string[]> {
  let query = trx.selectFrom("api_keys").select("id").where("user_id", "=", ledgerAccountId);
  if (createdBy !== undefined) query = query.where("created_by", "=", createdBy);
  const live = await query.where("revoked_at", "is", null).execute();
  const keyIds = live.map((row) => row.id);
  if (keyIds.length) await trx.updateTable("api_keys").set({ revoked_at: iso }).where("id", "in", keyIds).execute();
  return keyIds;
}

export async function createOrganization(
  db: Db,
  input: { userId: string; name: string; ip?: string | null; now?: Date },
): Promise<OrganizationResult<{ organization: Organization }>> {
  const now = input.now ?? new Date();
  const iso = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const creator = await trx.selectFrom("users").select(["id", "locale", "role"]).where("id", "=", input.userId).executeTakeFirst();
    if (!creator || creator.role === ORGANIZATION_ROLE) return { ok: false, reason: "forbidden" } as const;
    if (await getMembership(trx, input.userId)) return { ok: false, reason: "already_member" } as const;
    const id = newId("org");
    const ledgerAccountId = newId("usr");
    await trx
      .insertInto("users")
      .values({
        id: ledgerAccountId,
        // Reserved, undeliverable (RFC 2606 `.invalid`), and refused by sign-up and every sign-in path.
        email: `${id}@${ORGANIZATION_EMAIL_DOMAIN}`,
        password_hash: UNUSABLE_PASSWORD_HASH,
        // Claims need a verified owner: the organization is vouched for by its verified creator.
        email_verified_at: iso,
        role: ORGANIZATION_ROLE,
        locale: creator.locale,
        disabled_at: null,
        password_changed_at: iso,
        created_at: iso,
        updated_at: iso,
      })
      .execute();
    await trx.insertInto("organizations").values({ id, name: input.name, ledger_account_id: ledgerAccountId, created_by: input.userId, created_at: iso, updated_at: iso, deleted_at: null }).execute();
    await trx
      .insertInto("organization_members")
      .values({ organization_id: id, user_id: input.userId, role: "owner", monthly_token_budget: null, created_at: iso, updated_at: iso })
      .execute();
    await recordAudit(trx, { actorId: input.userId, action: "organization.create", targetType: "organization", targetId: id, details: { name: input.name, ledgerAccountId }, ip: input.ip ?? null }, now);
    return { ok: true, organization: { id, name: input.name, ledgerAccountId, createdAt: iso, deletedAt: null } } as const;
  });
}

export interface MemberView {
  userId: string;
  email: string;
  role: OrganizationRole;
  monthlyTokenBudget: number | null;
  /** Tokens their organization keys spent this UTC month. */
  monthTokens: number;
  activeKeys: number;
  joinedAt: string;
}

export interface InvitationView {
  id: string;
  email: string;
  role: OrganizationRole;
  expiresAt: string;
  createdAt: string;
}

export interface OrganizationKeyView {
  id: string;
  name: string;
  visiblePrefix: string;
  lastFour: string;
  createdBy: string | null;
  createdByEmail: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  status: ApiKeyStatus;
}

/** Members with this month's usage by member, pending invitations and keys. */
export async function getOrganizationOverview(db: DbExecutor, organization: Organization, now: Date = new Date()) {
  const month = windowsAt(now).month;
  const members = await db
    .selectFrom("organization_members as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.user_id", "u.email", "m.role", "m.monthly_token_budget", "m.created_at"])
    .where("m.organization_id", "=", organization.id)
    .orderBy("m.created_at")
    .execute();
  const keyRows = await db
    .selectFrom("api_keys as k")
    .leftJoin("users as u", "u.id", "k.created_by")
    .leftJoin("api_key_counters as c", "c.key_id", "k.id")
    .select(["k.id", "k.name", "k.visible_prefix", "k.last_four", "k.created_by", "u.email", "k.created_at", "k.last_used_at", "k.revoked_at", "k.expires_at", "k.rolled_at", "c.month_start", "c.month_tokens"])
    .where("k.user_id", "=", organization.ledgerAccountId)
    .orderBy("k.created_at", "desc")
    .execute();
  const keys: OrganizationKeyView[] = keyRows.map((row) => ({
    id: row.id,
    name: row.name,
    visiblePrefix: row.visible_prefix,
    lastFour: row.last_four,
    createdBy: row.created_by,
    createdByEmail: row.email,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    status: keyStatus(row, now),
  }));
  const usage = new Map<string, number>();
  const active = new Map<string, number>();
  for (const row of keyRows) {
    if (!row.created_by) continue;
    if (row.month_start === month) usage.set(row.created_by, (usage.get(row.created_by) ?? 0) + Number(row.month_tokens ?? 0));
    if (keyStatus(row, now) === "active") active.set(row.created_by, (active.get(row.created_by) ?? 0) + 1);
  }
  const memberViews: MemberView[] = members.map((row) => ({
    userId: row.user_id,
    email: row.email,
    role: row.role,
    monthlyTokenBudget: row.monthly_token_budget === null ? null : Number(row.monthly_token_budget),
    monthTokens: usage.get(row.user_id) ?? 0,
    activeKeys: active.get(row.user_id) ?? 0,
    joinedAt: row.created_at,
  }));
  const invitations: InvitationView[] = (
    await db
      .selectFrom("organization_invitations")
      .select(["id", "email", "role", "expires_at", "created_at"])
      .where("organization_id", "=", organization.id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now.toISOString())
      .orderBy("created_at", "desc")
      .execute()
  ).map((row) => ({ id: row.id, email: row.email, role: row.role, expiresAt: row.expires_at, createdAt: row.created_at }));
  return { members: memberViews, invitations, keys, month };
}

function invitationTokenHash(token: string): string {
  return sha256Hex(`organization-invitation:${token}`);
}

/**
 * Invites an address. Owners and admins invite; only an owner invites another owner. The link's
 * token is mailed once and stored hashed; it expires and works once. The mail is in the invitee's
 * language when they already have an account, otherwise in the inviter's.
 */
export async function inviteMember(
  db: Db,
  input: { actorId: string; organizationId: string; email: string; role: OrganizationRole; ip?: string | null; now?: Date },
): Promise<OrganizationResult<{ invitationId: string; token: string }>> {
  const now = input.now ?? new Date();
  const iso = now.toISOString();
  const email = input.email.trim().toLowerCase();
  return db.transaction().execute(async (trx) => {
    const locked = await lockAsMember(trx, input.organizationId, input.actorId);
    if (!locked) return { ok: false, reason: "not_found" } as const;
    const { organization, actorRole } = locked;
    if (!MANAGERS.includes(actorRole) || (input.role === "owner" && actorRole !== "owner")) return { ok: false, reason: "forbidden" } as const;
    const invitee = await trx.selectFrom("users").select(["id", "locale", "role"]).where("email", "=", email).where("role", "!=", ORGANIZATION_ROLE).executeTakeFirst();
    if (invitee && (await roleOf(trx, organization.id, invitee.id))) return { ok: false, reason: "already_member" } as const;
    const pending = await trx
      .selectFrom("organization_invitations")
      .select("id")
      .where("organization_id", "=", organization.id)
      .where("email", "=", email)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", iso)
      .executeTakeFirst();
    if (pending) return { ok: false, reason: "already_invited" } as const;
    const token = randomBytes(32).toString("base64url");
    const id = newId("inv");
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_HOURS * 3_600_000).toISOString();
    await trx
      .insertInto("organization_invitations")
      .values({ id, organization_id: organization.id, email, role: input.role, token_hash: invitationTokenHash(token), invited_by: input.actorId, expires_at: expiresAt, accepted_at: null, accepted_by: null, revoked_at: null, created_at: iso })
      .execute();
    const inviter = await trx.selectFrom("users").select(["email", "locale"]).where("id", "=", input.actorId).executeTakeFirstOrThrow();
    const locale = invitee?.locale ?? inviter.locale;
    const t = translator(locale);
    const values = {
      organization: organization.name,
      inviter: inviter.email,
      role: t(`organization.roles.${input.role}`),
      url: appUrl(`/account/organization?invitation=${token}`),
      expires: formatDateTime(expiresAt, isLocale(locale) ? locale : "en"),
    };
    await sendMail(trx, { to: email, subject: t("organization.mail.inviteSubject", values), text: t("organization.mail.inviteBody", values) });
    await recordAudit(trx, { actorId: input.actorId, action: "organization.invite", targetType: "organization", targetId: organization.id, details: { email, role: input.role, invitationId: id }, ip: input.ip ?? null }, now);
    return { ok: true, invitationId: id, token } as const;
  });
}

/** The organization an invitation link names, when it is still live (for the accept screen). */
export async function peekInvitation(db: DbExecutor, token: string, now: Date = new Date()) {
  const row = await db
    .selectFrom("organization_invitations as i")
    .innerJoin("organizations as o", "o.id", "i.organization_id")
    .select(["i.email", "i.role", "i.expires_at", "o.name"])
    .where("i.token_hash", "=", invitationTokenHash(token))
    .where("i.accepted_at", "is", null)
    .where("i.revoked_at", "is", null)
    .where("i.expires_at", ">", now.toISOString())
    .executeTakeFirst();
  return row ? { email: row.email, role: row.role, organizationName: row.name, expiresAt: row.expires_at } : null;
}

/** Accepts an invitation, signed in with the invited address; the link works once. */
export async function acceptInvitation(
  db: Db,
  input: { userId: string; token: string; ip?: string | null; now?: Date },
): Promise<OrganizationResult<{ organizationId: string }>> {
  const now = input.now ?? new Date();
  const iso = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const invitation = await trx
      .selectFrom("organization_invitations")
      .selectAll()
      .where("token_hash", "=", invitationTokenHash(input.token))
      .executeTakeFirst();
    if (!invitation || invitation.accepted_at || invitation.revoked_at || invitation.expires_at <= iso) return { ok: false, reason: "invitation_invalid" } as const;
    const user = await trx.selectFrom("users").select(["email", "role"]).where("id", "=", input.userId).executeTakeFirst();
    if (!user || user.role === ORGANIZATION_ROLE || user.email !== invitation.email) return { ok: false, reason: "wrong_account" } as const;
    if (await getMembership(trx, input.userId)) return { ok: false, reason: "already_member" } as const;
    // Single use even when two tabs accept at once: only the update that finds it open counts.
    const taken = await trx
      .updateTable("organization_invitations")
      .set({ accepted_at: iso, accepted_by: input.userId })
      .where("id", "=", invitation.id)
      .where("accepted_at", "is", null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) return { ok: false, reason: "invitation_invalid" } as const;
    await trx
      .insertInto("organization_members")
      .values({ organization_id: invitation.organization_id, user_id: input.userId, role: invitation.role, monthly_token_budget: null, created_at: iso, updated_at: iso })
      .execute();
    await recordAudit(trx, { actorId: input.userId, action: "organization.accept", targetType: "organization", targetId: invitation.organization_id, details: { invitationId: invitation.id, role: invitation.role }, ip: input.ip ?? null }, now);
    return { ok: true, organizationId: invitation.organization_id } as const;
  });
}

async function countOwners(trx: DbExecutor, organizationId: string): Promise<number> {
  const row = await trx
    .selectFrom("organization_members")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("organization_id", "=", organizationId)
    .where("role", "=", "owner")
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * May `actorRole` act on a member holding `targetRole`? Owners act on anyone; admins on admins
 * and members, never on owners.
 */
function mayManage(actorRole: OrganizationRole, targetRole: OrganizationRole): boolean {
  if (actorRole === "owner") return true;
  return actorRole === "admin" && targetRole !== "owner";
}

/** Changes a member's role. Making someone an owner (a transfer) is for owners only. */
export async function changeMemberRole(
  db: Db,
  input: { actorId: string; organizationId: string; userId: string; role: OrganizationRole; ip?: string | null; now?: Date },
): Promise<OrganizationResult> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const locked = await lockAsMember(trx, input.organizationId, input.actorId);
    if (!locked) return { ok: false, reason: "not_found" } as const;
    const { organization, actorRole } = locked;
    const targetRole = await roleOf(trx, organization.id, input.userId);
    if (!targetRole) return { ok: false, reason: "not_found" } as const;
    if (!mayManage(actorRole, targetRole) || (input.role === "owner" && actorRole !== "owner")) return { ok: false, reason: "forbidden" } as const;
    if (targetRole === input.role) return { ok: false, reason: "unchanged" } as const;
    if (targetRole === "owner" && (await countOwners(trx, organization.id)) <= 1) return { ok: false, reason: "last_owner" } as const;
    await updateMember(trx, organization.id, input.userId, { role: input.role }, now);
    await recordAudit(trx, { actorId: input.actorId, action: "organization.role_change", targetType: "organization", targetId: organization.id, details: { userId: input.userId, previous: targetRole, role: input.role }, ip: input.ip ?? null }, now);
    return { ok: true } as const;
  });
}

/** Sets how many tokens a month a member's organization keys may spend (null = no budget). */
export async function setMemberBudget(
  db: Db,
  input: { actorId: string; organizationId: string; userId: string; monthlyTokenBudget: number | null; ip?: string | null; now?: Date },
): Promise<OrganizationResult> {
  const now = input.now ?? new Date();
  if (input.monthlyTokenBudget !== null && (!Number.isSafeInteger(input.monthlyTokenBudget) || input.monthlyTokenBudget < 0)) throw new Error("a budget is a whole number of tokens");
  return db.transaction().execute(async (trx) => {
    const locked = await lockAsMember(trx, input.organizationId, input.actorId);
    if (!locked) return { ok: false, reason: "not_found" } as const;
    const { organization, actorRole } = locked;
    const target = await trx
      .selectFrom("organization_members")
      .select(["role", "monthly_token_budget"])
      .where("organization_id", "=", organization.id)
      .where("user_id", "=", input.userId)
      .executeTakeFirst();
    if (!target) return { ok: false, reason: "not_found" } as const;
    if (!mayManage(actorRole, target.role)) return { ok: false, reason: "forbidden" } as const;
    const previous = target.monthly_token_budget === null ? null : Number(target.monthly_token_budget);
    if (previous === input.monthlyTokenBudget) return { ok: false, reason: "unchanged" } as const;
    await updateMember(trx, organization.id, input.userId, { monthly_token_budget: input.monthlyTokenBudget }, now);
    await recordAudit(trx, { actorId: input.actorId, action: "organization.budget_change", targetType: "organization", targetId: organization.id, details: { userId: input.userId, previous, monthlyTokenBudget: input.monthlyTokenBudget }, ip: input.ip ?? null }, now);
    return { ok: true } as const;
  });
}

/**
 * Removes a member and revokes every organization key they created, in one transaction: the
 * gateway refuses those keys on their next call. The organization's balance is not touched.
 */
export async function removeMember(
  db: Db,
  input: { actorId: string; organizationId: string; userId: string; ip?: string | null; now?: Date },
): Promise<OrganizationResult<{ revokedKeys: number }>> {
  const now = input.now ?? new Date();
  const iso = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const locked = await lockAsMember(trx, input.organizationId, input.actorId);
    if (!locked) return { ok: false, reason: "not_found" } as const;
    const { organization, actorRole } = locked;
    const targetRole = await roleOf(trx, organization.id, input.userId);
    if (!targetRole) return { ok: false, reason: "not_found" } as const;
    // Anyone may leave; removing someone else takes a manager.
    if (input.userId !== input.actorId && !mayManage(actorRole, targetRole)) return { ok: false, reason: "forbidden" } as const;
    if (targetRole === "owner" && (await countOwners(trx, organization.id)) <= 1) return { ok: false, reason: "last_owner" } as const;
    const keyIds = await revokeLiveKeys(trx, organization.ledger_account_id, iso, input.userId);
    await trx.deleteFrom("organization_members").where("organization_id", "=", organization.id).where("user_id", "=", input.userId).execute();
    for (const keyId of keyIds) {
      await recordAudit(trx, { actorId: input.actorId, action: "api_key.revoke", targetType: "api_key", targetId: keyId, details: { accountId: organization.ledger_account_id, reason: "organization_member_removed" }, ip: input.ip ?? null }, now);
    }
    await recordAudit(trx, { actorId: input.actorId, action: "organization.member_remove", targetType: "organization", targetId: organization.id, details: { userId: input.userId, role: targetRole, revokedKeys: keyIds.length }, ip: input.ip ?? null }, now);
    return { ok: true, revokedKeys: keyIds.length } as const;
  });
}

/**
 * Deletes the organization (owners only): every key revoked, every member removed, pending
 * invitations withdrawn. The ledger row and its history stay (the ledger is append-only), as
 * support's record of what happened; no one can spend or claim on it any more.
 */
export async function deleteOrganization(
  db: Db,
  input: { actorId: string; organizationId: string; ip?: string | null; now?: Date },
): Promise<OrganizationResult<{ revokedKeys: number }>> {
  const now = input.now ?? new Date();
  const iso = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const locked = await lockAsMember(trx, input.organizationId, input.actorId);
    if (!locked) return { ok: false, reason: "not_found" } as const;
    const { organization, actorRole } = locked;
    if (actorRole !== "owner") return { ok: false, reason: "forbidden" } as const;
    const keyIds = await revokeLiveKeys(trx, organization.ledger_account_id, iso);
    await trx.deleteFrom("organization_members").where("organization_id", "=", organization.id).execute();
    await trx.updateTable("organization_invitations").set({ revoked_at: iso }).where("organization_id", "=", organization.id).where("accepted_at", "is", null).where("revoked_at", "is", null).execute();
    await trx.updateTable("organizations").set({ deleted_at: iso, updated_at: iso }).where("id", "=", organization.id).execute();
    await recordAudit(trx, { actorId: input.actorId, action: "organization.delete", targetType: "organization", targetId: organization.id, details: { revokedKeys: keyIds.length }, ip: input.ip ?? null }, now);
    return { ok: true, revokedKeys: keyIds.length } as const;
  });
}

/** Revokes one organization key: its creator, or an owner or admin. */
export async function revokeOrganizationKey(
  db: Db,
  input: { actorId: string; organizationId: string; keyId: string; ip?: string | null; now?: Date },
): Promise<OrganizationResult> {
  const membership = await getMembership(db, input.actorId);
  if (!membership || membership.organization.id !== input.organizationId) return { ok: false, reason: "not_found" };
  const key = await db.selectFrom("api_keys").select(["id", "created_by"]).where("id", "=", input.keyId).where("user_id", "=", membership.organization.ledgerAccountId).executeTakeFirst();
  if (!key) return { ok: false, reason: "not_found" };
  if (membership.role === "member" && key.created_by !== input.actorId) return { ok: false, reason: "forbidden" };
  const revoked = await revokeApiKey(db, { accountId: membership.organization.ledgerAccountId, keyId: key.id, actorId: input.actorId, reason: "organization", ip: input.ip, now: input.now });
  return revoked.ok ? { ok: true } : { ok: false, reason: "not_found" };
}

/** Any member creates a key that spends the organization's credit; the key is shown once. */
export async function createOrganizationKey(
  db: Db,
  input: { actorId: string; organizationId: string; name: string; prefix: string; creationToken?: string; ip?: string | null; now?: Date },
): Promise<OrganizationResult<{ key: string; keyId: string; apiKey: ApiKeySummary }>> {
  const now = input.now ?? new Date();
  const membership = await getMembership(db, input.actorId);
  if (!membership || membership.organization.id !== input.organizationId) return { ok: false, reason: "not_found" };
  const created = await createApiKey(db, {
    accountId: membership.organization.ledgerAccountId,
    createdBy: input.actorId,
    name: input.name,
    prefix: input.prefix,
    creationToken: input.creationToken,
    ip: input.ip,
    now,
  });
  if (!created.ok) return { ok: false, reason: created.reason === "too_many_keys" || created.reason === "already_created" ? created.reason : "not_found" };
  await recordAudit(db, { actorId: input.actorId, action: "organization.key_create", targetType: "organization", targetId: input.organizationId, details: { keyId: created.apiKey.id, name: input.name }, ip: input.ip ?? null }, now);
  return { ok: true, key: created.key, keyId: created.apiKey.id, apiKey: created.apiKey };
}

/** Organizations whose name contains the query, case-insensitively (support search; members are found by address). */
export async function searchOrganizationsByName(db: DbExecutor, query: string, limit: number) {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const byName = await db
    .selectFrom("organizations")
    .select(["ledger_account_id", "name"])
    .where(sql<SqlBool>`lower(name) like ${`%${escapeLike(q)}%`} escape '\\'`)
    .limit(limit)
    .execute();
  return byName.map((row) => ({ accountId: row.ledger_account_id, matched: row.name, exact: row.name.toLowerCase() === q }));
}

/** An organization as support sees it: its members and roles (keys, balance and claims come from its ledger row). */
export async function getOrganizationStory(db: DbExecutor, ledgerAccountId: string, now: Date = new Date()) {
  const organization = await getOrganizationByLedgerAccount(db, ledgerAccountId);
  if (!organization) return null;
  const overview = await getOrganizationOverview(db, organization, now);
  return { organization, members: overview.members, invitations: overview.invitations, keys: overview.keys };
}
