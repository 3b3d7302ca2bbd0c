// What staff read: the queue of claims (filtered, sorted, paginated) and everything behind one claim.
import type { ClaimStatus } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { toClaim, type Claim } from "./claims.server";
import { countedTokensOf, getCombinedUsage, getVerifiedUsage, listAcceptedInvoices, listEvidence } from "./evidence/index.server";
import { QUEUE_PAGE_SIZE } from "./claim-queue";
import type { QueueQuery } from "./claim-queue-query.server";
import { getGrantPolicy } from "./grant-policy.server";

export interface QueueRow {
  id: string;
  accountId: string;
  email: string;
  /** The organization's name when the claim is an organization's (its ledger row has no real address). */
  organizationName: string | null;
  status: ClaimStatus;
  offeredTokens: number;
  grantedTokens: number | null;
  flagCount: number;
  flagCodes: string[];
  firstApprovedBy: string | null;
  firstApprovedTokens: number | null;
  submittedAt: string;
}

export async function listClaimQueue(db: DbExecutor, query: QueueQuery, now: Date = new Date()) {
  let select = db.selectFrom("claims").innerJoin("users", "users.id", "claims.account_id").leftJoin("organizations", "organizations.ledger_account_id", "claims.account_id");
  switch (query.view) {
    case "pending":
      select = select.where("claims.status", "=", "pending");
      break;
    case "second_approval":
      select = select.where("claims.status", "=", "pending").where("claims.first_approved_by", "is not", null);
      break;
    case "needs_info":
      select = select.where("claims.status", "=", "needs_info");
      break;
    case "decided":
      select = select.where("claims.status", "in", ["approved", "auto_approved", "rejected"]);
      break;
    case "all":
      break;
  }
  if (query.flags === "flagged") select = select.where("claims.flag_count", ">", 0);
  if (query.flags === "clean") select = select.where("claims.flag_count", "=", 0);
  if (query.minTokens !== undefined) select = select.where("claims.offered_tokens", ">=", query.minTokens);
  if (query.maxTokens !== undefined) select = select.where("claims.offered_tokens", "<=", query.maxTokens);
  if (query.minAgeDays !== undefined) {
    select = select.where("claims.submitted_at", "<=", new Date(now.getTime() - query.minAgeDays * 86_400_000).toISOString());
  }

  const countRow = await select.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
  const total = Number(countRow.count);
  const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
  const page = Math.min(query.page, pages);

  let ordered = select.select([
    "claims.id",
    "claims.account_id",
    "users.email",
    "organizations.name as organization_name",
    "claims.status",
    "claims.offered_tokens",
    "claims.granted_tokens",
    "claims.flag_count",
    "claims.flags",
    "claims.first_approved_by",
    "claims.first_approved_tokens",
    "claims.submitted_at",
  ]);
  switch (query.sort) {
    case "oldest":
      ordered = ordered.orderBy("claims.submitted_at", "asc");
      break;
    case "newest":
      ordered = ordered.orderBy("claims.submitted_at", "desc");
      break;
    case "largest":
      ordered = ordered.orderBy("claims.offered_tokens", "desc").orderBy("claims.submitted_at", "asc");
      break;
    case "smallest":
      ordered = ordered.orderBy("claims.offered_tokens", "asc").orderBy("claims.submitted_at", "asc");
      break;
    case "most_flags":
      ordered = ordered.orderBy("claims.flag_count", "desc").orderBy("claims.submitted_at", "asc");
      break;
  }
  const rows = await ordered.orderBy("claims.id").limit(QUEUE_PAGE_SIZE).offset((page - 1) * QUEUE_PAGE_SIZE).execute();
  const claims: QueueRow[] = rows.map((row) => ({
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    organizationName: row.organization_name,
    status: row.status,
    offeredTokens: Number(row.offered_tokens),
    grantedTokens: row.granted_tokens === null ? null : Number(row.granted_tokens),
    flagCount: Number(row.flag_count),
    flagCodes: [...new Set((JSON.parse(row.flags) as Array<{ code: string }>).map((flag) => flag.code))],
    firstApprovedBy: row.first_approved_by,
    firstApprovedTokens: row.first_approved_tokens === null ? null : Number(row.first_approved_tokens),
    submittedAt: row.submitted_at,
  }));
  return { claims, total, page, pages, pageSize: QUEUE_PAGE_SIZE };
}

export interface RelatedClaim {
  claimId: string;
  accountId: string;
  email: string;
  status: ClaimStatus;
  kind: "org_id" | "fingerprint";
  value: string;
}

/** Everything the claim page shows. Read-only; the page's loader audits the look-up. */
export async function getClaimReview(db: DbExecutor, claimId: string) {
  const row = await db.selectFrom("claims").selectAll().where("id", "=", claimId).executeTakeFirst();
  if (!row) return null;
  const claim = toClaim(row);
  const developer = await db
    .selectFrom("users")
    .select(["id", "email", "role", "locale", "email_verified_at", "disabled_at", "created_at"])
    .where("id", "=", claim.accountId)
    .executeTakeFirstOrThrow();
  const [usage, combined, policy, evidence, invoices] = await Promise.all([
    getVerifiedUsage(db, claim.accountId),
    getCombinedUsage(db, claim.accountId),
    getGrantPolicy(db),
    // Rejected and removed pieces too: a run of refused forgeries is part of the story.
    listEvidence(db, claim.accountId, { includeRemoved: true }),
    listAcceptedInvoices(db, claim.accountId),
  ]);

  const identities = await db.selectFrom("claim_identities").select(["kind", "value"]).where("claim_id", "=", claim.id).execute();
  let related: RelatedClaim[] = [];
  if (identities.length) {
    const rows = await db
      .selectFrom("claim_identities as mine")
      .innerJoin("claim_identities as other", (join) => join.onRef("other.kind", "=", "mine.kind").onRef("other.value", "=", "mine.value"))
      .innerJoin("claims", "claims.id", "other.claim_id")
      .innerJoin("users", "users.id", "other.account_id")
      .select(["other.claim_id", "other.account_id", "users.email", "claims.status", "other.kind", "other.value"])
      .where("mine.claim_id", "=", claim.id)
      .where("other.claim_id", "!=", claim.id)
      .orderBy("claims.created_at")
      .execute();
    related = rows.map((r) => ({ claimId: r.claim_id, accountId: r.account_id, email: r.email, status: r.status, kind: r.kind, value: r.value }));
  }

  // Other accounts whose evidence matches this developer's, with their claims if any.
  const otherAccountIds = [...new Set(usage.duplicateOf.map((duplicate) => duplicate.otherAccountId))];
  const otherAccounts = otherAccountIds.length
    ? await db.selectFrom("users").select(["id", "email"]).where("id", "in", otherAccountIds).execute()
    : [];
  const otherClaims = otherAccountIds.length
    ? await db.selectFrom("claims").select(["id", "account_id", "status"]).where("account_id", "in", otherAccountIds).execute()
    : [];
  const evidenceDuplicates = usage.duplicateOf.map((duplicate) => ({
    ...duplicate,
    otherEmail: otherAccounts.find((account) => account.id === duplicate.otherAccountId)?.email ?? duplicate.otherAccountId,
    otherClaims: otherClaims.filter((other) => other.account_id === duplicate.otherAccountId).map((other) => ({ id: other.id, status: other.status })),
  }));

  const decisions = await db
    .selectFrom("claim_decisions")
    .leftJoin("users", "users.id", "claim_decisions.actor_id")
    .select(["claim_decisions.id", "claim_decisions.claim_id", "claim_decisions.action", "claim_decisions.tokens", "claim_decisions.reason", "claim_decisions.created_at", "users.email as actor_email"])
    .where("claim_decisions.claim_id", "in", db.selectFrom("claims").select("id").where("account_id", "=", claim.accountId))
    .orderBy("claim_decisions.created_at", "desc")
    .orderBy("claim_decisions.id", "desc")
    .execute();
  const accountClaims = (await db.selectFrom("claims").selectAll().where("account_id", "=", claim.accountId).orderBy("created_at", "desc").execute()).map(toClaim);
  const firstApprover = claim.firstApprovedBy
    ? await db.selectFrom("users").select("email").where("id", "=", claim.firstApprovedBy).executeTakeFirst()
    : undefined;

  const organization = await db.selectFrom("organizations").select(["id", "name"]).where("ledger_account_id", "=", claim.accountId).executeTakeFirst();
  return {
    claim,
    developer,
    /** Set when the claim is an organization's: the review page names it instead of an address. */
    organization: organization ?? null,
    policy,
    usage: { months: usage.months, models: combined.models, orgIds: usage.orgIds, evidenceIds: usage.evidenceIds },
    evidence: evidence.map(({ userId: _owner, summary, ...piece }) => ({ ...piece, countedTokens: countedTokensOf(piece), invoice: summary.invoice ?? null })),
    invoices,
    related,
    evidenceDuplicates,
    decisions: decisions.map((d) => ({ ...d, tokens: d.tokens === null ? null : Number(d.tokens) })),
    accountClaims: accountClaims.map((other: Claim) => ({ id: other.id, status: other.status, offeredTokens: other.offeredTokens, grantedTokens: other.grantedTokens, createdAt: other.createdAt })),
    firstApproverEmail: firstApprover?.email ?? null,
  };
}

/** How many claims wait on staff, by status (the queue's size, for monitoring). */
export async function countOpenClaims(db: DbExecutor): Promise<Record<"pending" | "needs_info", number>> {
  const rows = await db
    .selectFrom("claims")
    .select(["status", (eb) => eb.fn.countAll<number>().as("count")])
    .where("status", "in", ["pending", "needs_info"])
    .groupBy("status")
    .execute();
  const counts = { pending: 0, needs_info: 0 };
  for (const row of rows) counts[row.status as keyof typeof counts] = Number(row.count);
  return counts;
}
