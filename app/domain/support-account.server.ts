// An account's whole story for the support console, read-only: each section comes from the
// domain module that owns it.
import type { ORGANIZATION_ROLE, Role } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { recordAudit } from "./audit.server";
import { listAccountAuditTrail, type AuditRow } from "./audit-query.server";
import { listApiKeys, type ApiKeySummary } from "./api-keys.server";
import { countedTokensOf, listEvidence, type StoredEvidence } from "./evidence/index.server";
import type { InvoiceSummary } from "./evidence/types";
import { getBalance, listEntries, type Balance, type LedgerEntryView } from "./ledger.server";
import { listPurchases, type PurchaseView } from "./billing.server";
import { listAccountClaims, type Claim } from "./claims.server";
import { getMembership, getOrganizationStory } from "./organizations.server";

export const LEDGER_ENTRIES_SHOWN = 50;

export const SIGN_IN_HISTORY_LIMIT = 25;

export interface AccountProfile {
  id: string;
  email: string;
  role: Role | typeof ORGANIZATION_ROLE;
  locale: string;
  emailVerifiedAt: string | null;
  disabledAt: string | null;
  passwordChangedAt: string;
  createdAt: string;
  activeSessions: number;
}

export interface SignInRow {
  id: string;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
}

export interface AccountStory {
  profile: AccountProfile;
  signIns: SignInRow[];
  /** `countedTokens`: measured tokens, or an invoice's amount converted at the provider's rate. */
  evidence: Array<StoredEvidence & { countedTokens: number; invoice: InvoiceSummary | null }>;
  claims: Array<Pick<Claim, "id" | "status" | "offeredTokens" | "grantedTokens" | "flags" | "decisionReason" | "infoRequest" | "submittedAt" | "decidedAt">>;
  claimDecisions: ClaimDecisionRow[];
  keys: ApiKeySummary[];
  purchases: PurchaseView[];
  ledger: { balance: Balance; entries: LedgerEntryView[]; more: boolean };
  auditTrail: AuditRow[];
  /** An organization's ledger row: its name, members and keys by member. */
  organization: Awaited<ReturnType<typeof getOrganizationStory>>;
  /** A person's organization, when they belong to one. */
  memberOf: { ledgerAccountId: string; name: string; role: string } | null;
}

export async function getAccountProfile(db: DbExecutor, accountId: string, now: Date = new Date()): Promise<AccountProfile | null> {
  const user = await db.selectFrom("users").selectAll().where("id", "=", accountId).executeTakeFirst();
  if (!user) return null;
  const sessions = await db
    .selectFrom("sessions")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("user_id", "=", accountId)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirstOrThrow();
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    locale: user.locale,
    emailVerifiedAt: user.email_verified_at,
    disabledAt: user.disabled_at,
    passwordChangedAt: user.password_changed_at,
    createdAt: user.created_at,
    activeSessions: Number(sessions.count),
  };
}

export async function listSignIns(db: DbExecutor, accountId: string, limit = SIGN_IN_HISTORY_LIMIT): Promise<SignInRow[]> {
  const rows = await db
    .selectFrom("sign_in_events")
    .selectAll()
    .where("user_id", "=", accountId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, outcome: row.outcome, ip: row.ip, userAgent: row.user_agent, createdAt: row.created_at }));
}

export interface ClaimDecisionRow {
  id: string;
  claimId: string;
  action: string;
  tokens: number | null;
  reason: string | null;
  actorEmail: string | null;
  createdAt: string;
}

/** Every staff decision on the account's claims, newest first (read-only; the claims module writes them). */
export async function listClaimDecisions(db: DbExecutor, accountId: string): Promise<ClaimDecisionRow[]> {
  const rows = await db
    .selectFrom("claim_decisions")
    .innerJoin("claims", "claims.id", "claim_decisions.claim_id")
    .leftJoin("users", "users.id", "claim_decisions.actor_id")
    .select(["claim_decisions.id", "claim_decisions.claim_id", "claim_decisions.action", "claim_decisions.tokens", "claim_decisions.reason", "claim_decisions.created_at", "users.email as actor_email"])
    .where("claims.account_id", "=", accountId)
    .orderBy("claim_decisions.created_at", "desc")
    .orderBy("claim_decisions.id", "desc")
    .limit(100)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    claimId: row.claim_id,
    action: row.action,
    tokens: row.tokens === null ? null : Number(row.tokens),
    reason: row.reason,
    actorEmail: row.actor_email,
    createdAt: row.created_at,
  }));
}

async function ledgerSummary(db: DbExecutor, accountId: string, now: Date): Promise<AccountStory["ledger"]> {
  const page = await listEntries(db, accountId, { limit: LEDGER_ENTRIES_SHOWN });
  return { balance: await getBalance(db, accountId, now), entries: page.entries, more: page.nextCursor !== null };
}

export async function getAccountStory(db: DbExecutor, accountId: string, now: Date = new Date()): Promise<AccountStory | null> {
  const profile = await getAccountProfile(db, accountId, now);
  if (!profile) return null;
  // Support sees what the developer removed too, marked as such.
  const evidence = await listEvidence(db, accountId, { includeRemoved: true });
  const claims = await listAccountClaims(db, accountId);
  const keys = await listApiKeys(db, accountId, now);
  const purchases = await listPurchases(db, accountId, { limit: 50 });
  // At most a few hundred ids: keys, claims, evidence and purchases are each bounded per account.
  const organization = profile.role === "organization" ? await getOrganizationStory(db, accountId, now) : null;
  const relatedIds = [...evidence, ...claims, ...keys, ...purchases, ...(organization ? [organization.organization] : [])].map((item) => item.id);
  return {
    profile,
    signIns: await listSignIns(db, accountId),
    evidence: evidence.map((piece) => ({ ...piece, countedTokens: countedTokensOf(piece), invoice: piece.summary.invoice ?? null })),
    claims: claims.map((claim) => ({
      id: claim.id,
      status: claim.status,
      offeredTokens: claim.offeredTokens,
      grantedTokens: claim.grantedTokens,
      flags: claim.flags,
      decisionReason: claim.decisionReason,
      infoRequest: claim.infoRequest,
      submittedAt: claim.submittedAt,
      decidedAt: claim.decidedAt,
    })),
    claimDecisions: await listClaimDecisions(db, accountId),
    keys,
    purchases,
    ledger: await ledgerSummary(db, accountId, now),
    auditTrail: await listAccountAuditTrail(db, accountId, relatedIds),
    organization,
    memberOf: await memberOf(db, accountId),
  };
}

async function memberOf(db: DbExecutor, accountId: string) {
  const membership = await getMembership(db, accountId);
  return membership ? { ledgerAccountId: membership.organization.ledgerAccountId, name: membership.organization.name, role: membership.role } : null;
}

/** Every account view is audited: support data is personal data. */
export async function auditAccountView(db: DbExecutor, actor: { id: string; ip?: string | null }, accountId: string): Promise<void> {
  await recordAudit(db, { actorId: actor.id, action: "support.account_view", targetType: "user", targetId: accountId, ip: actor.ip });
}
