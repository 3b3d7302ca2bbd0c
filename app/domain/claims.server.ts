// Claims for free credit: the developer's offer and claim, automatic grants, and staff decisions.
// Every grant goes through the ledger with the idempotency key `claim:<id>`, inside the same
// transaction as the conditional UPDATE that moves the claim out of `pending`, so double clicks
// and two staff deciding at once end in exactly one outcome and at most one grant.
import type { ClaimStatus, Role } from "~/lib/db-schema";
import { dialectOf, type DbExecutor } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { newId } from "~/lib/ids.server";
import { hasRole } from "~/lib/roles";
import { recordAudit } from "./audit.server";
import { sendClaimDecisionMail } from "./claim-mail.server";
import { isDisposableEmail } from "./disposable-email.server";
import { getVerifiedUsage } from "./evidence/index.server";
import {
  canAutoApprove,
  computeOffer,
  isApprovableAmount,
  needsSecondApproval,
  promoExpiresAt,
  type GrantPolicy,
  type OfferComputation,
} from "./grant-policy";
import { getGrantPolicy } from "./grant-policy.server";
import { creditAccount } from "./ledger.server";
import { settleReferral } from "./referrals.server";
import { appointedEachOther } from "./user-roles.server";

export type ClaimFlagCode =
  | "evidence_flag"
  | "duplicate_evidence"
  | "near_copy"
  | "org_on_other_claim"
  | "fingerprint_on_other_claim"
  | "previously_rejected";

export interface ClaimFlag {
  code: ClaimFlagCode;
  /** The evidence finding's own code, for `evidence_flag`. */
  detail?: string;
  evidenceId?: string;
  otherAccountId?: string;
  otherClaimId?: string;
}

export const OPEN_STATUSES: readonly ClaimStatus[] = ["pending", "needs_info"];
export const GRANTED_STATUSES: readonly ClaimStatus[] = ["approved", "auto_approved"];

/** Why a developer cannot claim right now; each is an i18n key under `claims.ineligible`. */
export type Ineligibility =
  | "email_unverified"
  | "disposable_email"
  | "account_disabled"
  | "no_usage"
  | "already_granted"
  | "claim_open"
  | "org_already_granted"
  | "rejected_same_evidence";

export interface Claim {
  id: string;
  accountId: string;
  status: ClaimStatus;
  offeredTokens: number;
  grantedTokens: number | null;
  computation: OfferComputation;
  policy: GrantPolicy;
  evidenceIds: string[];
  flags: ClaimFlag[];
  version: number;
  firstApprovedBy: string | null;
  firstApprovedTokens: number | null;
  firstApprovedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  infoRequest: string | null;
  ledgerEntryId: string | null;
  submittedAt: string;
  createdAt: string;
  updatedAt: string;
}

type ClaimRow = {
  id: string;
  account_id: string;
  status: ClaimStatus;
  offered_tokens: number;
  granted_tokens: number | null;
  computation: string;
  policy: string;
  evidence_ids: string;
  flags: string;
  version: number;
  first_approved_by: string | null;
  first_approved_tokens: number | null;
  first_approved_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  info_request: string | null;
  ledger_entry_id: string | null;
  submitted_at: string;
  created_at: string;
  updated_at: string;
};

export function toClaim(row: ClaimRow): Claim {
  return {
    id: row.id,
    accountId: row.account_id,
    status: row.status,
    offeredTokens: Number(row.offered_tokens),
    grantedTokens: row.granted_tokens === null ? null : Number(row.granted_tokens),
    computation: JSON.parse(row.computation) as OfferComputation,
    policy: JSON.parse(row.policy) as GrantPolicy,
    evidenceIds: JSON.parse(row.evidence_ids) as string[],
    flags: JSON.parse(row.flags) as ClaimFlag[],
    version: Number(row.version),
    firstApprovedBy: row.first_approved_by,
    firstApprovedTokens: row.first_approved_tokens === null ? null : Number(row.first_approved_tokens),
    firstApprovedAt: row.first_approved_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    infoRequest: row.info_request,
    ledgerEntryId: row.ledger_entry_id,
    submittedAt: row.submitted_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getClaim(db: DbExecutor, claimId: string): Promise<Claim | null> {
  const row = await db.selectFrom("claims").selectAll().where("id", "=", claimId).executeTakeFirst();
  return row ? toClaim(row) : null;
}

/**
 * Reads a claim inside a transaction, locking its row on PostgreSQL so a racing decider waits for
 * the first to commit and then sees the new version (SQLite runs one transaction at a time).
 */
async function lockClaim(trx: DbExecutor, claimId: string): Promise<Claim | null> {
  const query = trx.selectFrom("claims").selectAll().where("id", "=", claimId);
  const row = await (dialectOf(trx) === "postgres" ? query.forUpdate() : query).executeTakeFirst();
  return row ? toClaim(row) : null;
}

export async function listAccountClaims(db: DbExecutor, accountId: string): Promise<Claim[]> {
  const rows = await db.selectFrom("claims").selectAll().where("account_id", "=", accountId).orderBy("created_at", "desc").orderBy("id", "desc").execute();
  return rows.map(toClaim);
}

/** What the developer's claim page shows: the offer, how it was computed, and where their claim stands. */
export interface ClaimOverview {
  policy: GrantPolicy;
  offer: OfferComputation;
  ineligible: Ineligibility[];
  current: Claim | null;
  claims: Claim[];
  hasAcceptedEvidence: boolean;
}

interface PreparedOffer {
  policy: GrantPolicy;
  offer: OfferComputation;
  evidenceIds: string[];
  orgIds: string[];
  fingerprints: string[];
  flags: ClaimFlag[];
  ineligible: Ineligibility[];
}

/** `claims`: the account's claims, newest first, when the caller has read them already. */
async function prepareOffer(db: DbExecutor, accountId: string, options: { excludeClaimId?: string; claims?: readonly Claim[] } = {}): Promise<PreparedOffer> {
  const user = await db.selectFrom("users").select(["email", "email_verified_at", "disabled_at"]).where("id", "=", accountId).executeTakeFirstOrThrow();
  const policy = await getGrantPolicy(db);
  const usage = await getVerifiedUsage(db, accountId);
  const env = getEnv();
  const offer = computeOffer(
    policy,
    usage.months.map((month) => ({ month: month.month, totalTokens: month.totalTokens })),
    { start: env.PROGRAM_WINDOW_START, end: env.PROGRAM_WINDOW_END },
  );
  const claims = options.claims ?? (await listAccountClaims(db, accountId));
  const others = claims.filter((claim) => claim.id !== options.excludeClaimId);

  const ineligible: Ineligibility[] = [];
  if (user.disabled_at) ineligible.push("account_disabled");
  if (!user.email_verified_at) ineligible.push("email_unverified");
  if (isDisposableEmail(user.email)) ineligible.push("disposable_email");
  if (!offer.eligible) ineligible.push("no_usage");
  if (others.some((claim) => GRANTED_STATUSES.includes(claim.status))) ineligible.push("already_granted");
  if (others.some((claim) => OPEN_STATUSES.includes(claim.status))) ineligible.push("claim_open");
  // A rejection stands until the developer brings evidence the staff have not seen.
  const lastRejected = others.find((claim) => claim.status === "rejected");
  if (lastRejected && sameSet(lastRejected.evidenceIds, usage.evidenceIds)) ineligible.push("rejected_same_evidence");
  if (usage.orgIds.length > 0) {
    const granted = await db.selectFrom("claim_org_grants").select("org_id").where("org_id", "in", usage.orgIds).executeTakeFirst();
    if (granted) ineligible.push("org_already_granted");
  }

  // A near-copy is listed once, with the other account and the similarity, as its own flag below.
  const nearCopyEvidence = new Set(usage.duplicateOf.filter((duplicate) => duplicate.nearCopy).map((duplicate) => duplicate.evidenceId));
  const flags: ClaimFlag[] = usage.flags
    .filter((flag) => !(flag.code === "near_copy" && nearCopyEvidence.has(flag.evidenceId)))
    .map((flag) => ({ code: "evidence_flag", detail: flag.code, evidenceId: flag.evidenceId }));
  for (const duplicate of usage.duplicateOf) {
    if (duplicate.nearCopy) {
      flags.push({ code: "near_copy", detail: `${duplicate.nearCopy.similarityPercent}%`, evidenceId: duplicate.evidenceId, otherAccountId: duplicate.otherAccountId });
    } else {
      flags.push({ code: "duplicate_evidence", detail: duplicate.reason, evidenceId: duplicate.evidenceId, otherAccountId: duplicate.otherAccountId });
    }
  }
  // Usage split over several accounts: the same org or rows already behind another account's claim.
  const identities = [
    ...usage.orgIds.map((value) => ({ kind: "org_id" as const, value })),
    ...usage.fingerprints.map((value) => ({ kind: "fingerprint" as const, value })),
  ];
  for (const kind of ["org_id", "fingerprint"] as const) {
    const values = identities.filter((identity) => identity.kind === kind).map((identity) => identity.value);
    if (values.length === 0) continue;
    const seen = await db
      .selectFrom("claim_identities")
      .select(["claim_id", "account_id", "value"])
      .where("kind", "=", kind)
      .where("value", "in", values)
      .where("account_id", "!=", accountId)
      .execute();
    for (const other of seen) {
      flags.push({ code: kind === "org_id" ? "org_on_other_claim" : "fingerprint_on_other_claim", detail: other.value, otherAccountId: other.account_id, otherClaimId: other.claim_id });
    }
  }
  if (others.some((claim) => claim.status === "rejected")) flags.push({ code: "previously_rejected" });

  return { policy, offer, evidenceIds: usage.evidenceIds, orgIds: usage.orgIds, fingerprints: usage.fingerprints, flags, ineligible };
}

export async function getClaimOverview(db: DbExecutor, accountId: string): Promise<ClaimOverview> {
  const claims = await listAccountClaims(db, accountId);
  const prepared = await prepareOffer(db, accountId, { claims });
  const current = claims.find((claim) => claim.status !== "rejected") ?? claims[0] ?? null;
  return { policy: prepared.policy, offer: prepared.offer, ineligible: prepared.ineligible, current, claims, hasAcceptedEvidence: prepared.evidenceIds.length > 0 };
}

export type SubmitClaimResult =
  | { ok: true; claimId: string; status: "auto_approved" | "pending" }
  | { ok: false; reason: Ineligibility };

interface Actor {
  id: string;
  ip?: string | null;
}

/** The developer claims the offer the server computes now; nothing from the form is trusted. */
export async function submitClaim(db: DbExecutor, accountId: string, options: { ip?: string | null; now?: Date } = {}): Promise<SubmitClaimResult> {
  const now = options.now ?? new Date();
  const prepared = await prepareOffer(db, accountId);
  const [firstProblem] = prepared.ineligible;
  if (firstProblem) return { ok: false, reason: firstProblem };

  const claimId = newId("clm");
  const autoApprove = canAutoApprove(prepared.policy, prepared.offer.offerTokens, prepared.flags.length);
  try {
    await inTransaction(db, async (trx) => {
      const iso = now.toISOString();
      await trx
        .insertInto("claims")
        .values({
          id: claimId,
          account_id: accountId,
          status: "pending",
          offered_tokens: prepared.offer.offerTokens,
          granted_tokens: null,
          computation: JSON.stringify(prepared.offer),
          policy: JSON.stringify(prepared.policy),
          evidence_ids: JSON.stringify(prepared.evidenceIds),
          flags: JSON.stringify(prepared.flags),
          flag_count: prepared.flags.length,
          version: 1,
          first_approved_by: null,
          first_approved_tokens: null,
          first_approved_at: null,
          decided_by: null,
          decided_at: null,
          decision_reason: null,
          info_request: null,
          ledger_entry_id: null,
          submitted_at: iso,
          created_at: iso,
          updated_at: iso,
        })
        .execute();
      await saveIdentities(trx, claimId, accountId, prepared, iso);
      await recordDecision(trx, claimId, accountId, "submit", prepared.offer.offerTokens, null, iso);
      await recordAudit(trx, { actorId: accountId, action: "claim.submit", targetType: "claim", targetId: claimId, details: { offeredTokens: prepared.offer.offerTokens, flags: prepared.flags.map((flag) => flag.code) }, ip: options.ip }, now);
      if (autoApprove) {
        const moved = await trx
          .updateTable("claims")
          .set({ status: "auto_approved", granted_tokens: prepared.offer.offerTokens, decided_at: iso, updated_at: iso, version: 2 })
          .where("id", "=", claimId)
          .where("status", "=", "pending")
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw new Error("auto-approval lost its own claim");
        await grant(trx, { claimId, accountId, tokens: prepared.offer.offerTokens, policy: prepared.policy, actorId: null, now });
        await recordDecision(trx, claimId, null, "auto_approve", prepared.offer.offerTokens, null, iso);
        await recordAudit(trx, { actorId: null, action: "claim.auto_approve", targetType: "claim", targetId: claimId, details: { accountId, grantedTokens: prepared.offer.offerTokens }, ip: options.ip }, now);
      }
    });
  } catch (error) {
    // A double click races past the checks above; the unique indexes stop the second claim.
    const again = await prepareOffer(db, accountId);
    const [problem] = again.ineligible;
    if (problem && problem !== "no_usage") return { ok: false, reason: problem };
    throw error;
  }
  if (autoApprove) await sendClaimDecisionMail(db, claimId, "granted");
  return { ok: true, claimId, status: autoApprove ? "auto_approved" : "pending" };
}

export type ResubmitClaimResult = { ok: true } | { ok: false; reason: Ineligibility | "not_found" | "not_waiting" };

/** After staff asked for more information: recompute from the evidence as it is now and queue again. */
export async function resubmitClaim(
  db: DbExecutor,
  accountId: string,
  claimId: string,
  options: { ip?: string | null; now?: Date } = {},
): Promise<ResubmitClaimResult> {
  const now = options.now ?? new Date();
  const iso = now.toISOString();
  const claim = await getClaim(db, claimId);
  if (!claim || claim.accountId !== accountId) return { ok: false, reason: "not_found" };
  if (claim.status !== "needs_info") return { ok: false, reason: "not_waiting" };
  const prepared = await prepareOffer(db, accountId, { excludeClaimId: claimId });
  const [problem] = prepared.ineligible;
  if (problem) return { ok: false, reason: problem };
  const moved = await inTransaction(db, async (trx) => {
    const result = await trx
      .updateTable("claims")
      .set({
        status: "pending",
        offered_tokens: prepared.offer.offerTokens,
        computation: JSON.stringify(prepared.offer),
        policy: JSON.stringify(prepared.policy),
        evidence_ids: JSON.stringify(prepared.evidenceIds),
        flags: JSON.stringify(prepared.flags),
        flag_count: prepared.flags.length,
        first_approved_by: null,
        first_approved_tokens: null,
        first_approved_at: null,
        submitted_at: iso,
        updated_at: iso,
        version: claim.version + 1,
      })
      .where("id", "=", claimId)
      .where("version", "=", claim.version)
      .where("status", "=", "needs_info")
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await trx.deleteFrom("claim_identities").where("claim_id", "=", claimId).execute();
    await saveIdentities(trx, claimId, accountId, prepared, iso);
    await recordDecision(trx, claimId, accountId, "resubmit", prepared.offer.offerTokens, null, iso);
    await recordAudit(trx, { actorId: accountId, action: "claim.resubmit", targetType: "claim", targetId: claimId, details: { offeredTokens: prepared.offer.offerTokens }, ip: options.ip }, now);
    return true;
  });
  return moved ? { ok: true } : { ok: false, reason: "not_waiting" };
}

export type ClaimDecision =
  | { type: "approve" }
  | { type: "approve_adjusted"; tokens: number; reason: string }
  | { type: "reject"; reason: string }
  | { type: "request_info"; message: string };

export type DecisionFailure =
  | "not_found"
  | "forbidden"
  | "own_claim"
  | "stale"
  | "not_pending"
  | "amount_out_of_range"
  | "same_approver"
  | "not_independent"
  | "org_already_granted"
  | "already_granted";

export type DecisionOutcome = "granted" | "first_approval" | "rejected" | "needs_info";
export type DecideClaimResult = { ok: true; outcome: DecisionOutcome; tokens?: number } | { ok: false; reason: DecisionFailure };

class DecisionRefused extends Error {
  constructor(readonly reason: DecisionFailure) {
    super(reason);
  }
}

/**
 * A staff decision on the version of the claim the staff member was looking at. Only one
 * decision can move a given version; later ones get `stale` and change nothing.
 */
export async function decideClaim(
  db: DbExecutor,
  input: { claimId: string; actor: Actor & { role: Role }; expectedVersion: number; decision: ClaimDecision; now?: Date },
): Promise<DecideClaimResult> {
  const now = input.now ?? new Date();
  const iso = now.toISOString();
  const { actor, decision } = input;
  if (!hasRole(actor.role, "staff")) return { ok: false, reason: "forbidden" };
  const policy = await getGrantPolicy(db);
  let outcome: DecisionOutcome;
  let tokens: number | undefined;
  try {
    ({ outcome, tokens } = await inTransaction(db, async (trx) => {
      const claim = await lockClaim(trx, input.claimId);
      if (!claim) throw new DecisionRefused("not_found");
      if (claim.accountId === actor.id) throw new DecisionRefused("own_claim");
      if (claim.version !== input.expectedVersion) throw new DecisionRefused("stale");
      const decidable = decision.type === "reject" ? OPEN_STATUSES.includes(claim.status) : claim.status === "pending";
      if (!decidable) throw new DecisionRefused("not_pending");

      const move = async (set: Record<string, unknown>, fromStatus: ClaimStatus) => {
        const result = await trx
          .updateTable("claims")
          .set({ ...set, updated_at: iso, version: claim.version + 1 })
          .where("id", "=", claim.id)
          .where("version", "=", claim.version)
          .where("status", "=", fromStatus)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) throw new DecisionRefused("stale");
      };

      if (decision.type === "reject" || decision.type === "request_info") {
        const text = decision.type === "reject" ? decision.reason : decision.message;
        if (decision.type === "reject") {
          await move({ status: "rejected", decided_by: actor.id, decided_at: iso, decision_reason: text }, claim.status);
        } else {
          await move({ status: "needs_info", info_request: text, first_approved_by: null, first_approved_tokens: null, first_approved_at: null }, "pending");
        }
        await recordDecision(trx, claim.id, actor.id, decision.type, null, text, iso);
        await recordAudit(trx, { actorId: actor.id, action: `claim.${decision.type}`, targetType: "claim", targetId: claim.id, details: { accountId: claim.accountId, reason: text }, ip: actor.ip }, now);
        return { outcome: decision.type === "reject" ? ("rejected" as const) : ("needs_info" as const) };
      }

      const amount = decision.type === "approve_adjusted" ? decision.tokens : (claim.firstApprovedTokens ?? claim.offeredTokens);
      const reason = decision.type === "approve_adjusted" ? decision.reason : null;
      if (!isApprovableAmount(policy, amount)) throw new DecisionRefused("amount_out_of_range");
      const orgIds = await claimOrgIds(trx, claim.id);
      if (orgIds.length > 0) {
        const taken = await trx.selectFrom("claim_org_grants").select("org_id").where("org_id", "in", orgIds).executeTakeFirst();
        if (taken) throw new DecisionRefused("org_already_granted");
      }
      const grantedBefore = await trx
        .selectFrom("claims")
        .select("id")
        .where("account_id", "=", claim.accountId)
        .where("status", "in", [...GRANTED_STATUSES])
        .executeTakeFirst();
      if (grantedBefore) throw new DecisionRefused("already_granted");

      const secondApprovalOf = claim.firstApprovedBy !== null && claim.firstApprovedTokens === amount;
      if (needsSecondApproval(policy, amount)) {
        if (!secondApprovalOf) {
          await move({ first_approved_by: actor.id, first_approved_tokens: amount, first_approved_at: iso }, "pending");
          await recordDecision(trx, claim.id, actor.id, "first_approval", amount, reason, iso);
          await recordAudit(trx, { actorId: actor.id, action: "claim.first_approval", targetType: "claim", targetId: claim.id, details: { accountId: claim.accountId, tokens: amount, reason }, ip: actor.ip }, now);
          return { outcome: "first_approval" as const, tokens: amount };
        }
        if (claim.firstApprovedBy === actor.id) throw new DecisionRefused("same_approver");
        if (await appointedEachOther(trx, claim.firstApprovedBy!, actor.id)) throw new DecisionRefused("not_independent");
      }
      await move({ status: "approved", granted_tokens: amount, decided_by: actor.id, decided_at: iso, decision_reason: reason }, "pending");
      await grant(trx, { claimId: claim.id, accountId: claim.accountId, tokens: amount, policy, actorId: actor.id, now });
      await recordDecision(trx, claim.id, actor.id, decision.type, amount, reason, iso);
      await recordAudit(trx, {
        actorId: actor.id,
        action: `claim.${decision.type}`,
        targetType: "claim",
        targetId: claim.id,
        details: { accountId: claim.accountId, grantedTokens: amount, offeredTokens: claim.offeredTokens, reason, firstApprovedBy: claim.firstApprovedBy },
        ip: actor.ip,
      }, now);
      return { outcome: "granted" as const, tokens: amount };
    }));
  } catch (error) {
    if (error instanceof DecisionRefused) return { ok: false, reason: error.reason };
    // Two deciders racing on PostgreSQL or SQLite: the loser's conditional update or unique insert fails.
    const fresh = await getClaim(db, input.claimId);
    if (fresh && fresh.version !== input.expectedVersion) return { ok: false, reason: "stale" };
    // Two claims of one OpenAI org approved at the same moment: the org's primary key stopped the second.
    const orgIds = await claimOrgIds(db, input.claimId);
    if (orgIds.length && (await db.selectFrom("claim_org_grants").select("org_id").where("org_id", "in", orgIds).executeTakeFirst())) {
      return { ok: false, reason: "org_already_granted" };
    }
    throw error;
  }
  if (outcome !== "first_approval") await sendClaimDecisionMail(db, input.claimId, outcome);
  return { ok: true, outcome, tokens };
}

async function grant(
  trx: DbExecutor,
  input: { claimId: string; accountId: string; tokens: number; policy: GrantPolicy; actorId: string | null; now: Date },
): Promise<void> {
  const iso = input.now.toISOString();
  for (const orgId of await claimOrgIds(trx, input.claimId)) {
    // Primary key on org_id: a second grant for the same OpenAI org fails here and rolls back.
    await trx.insertInto("claim_org_grants").values({ org_id: orgId, claim_id: input.claimId, account_id: input.accountId, created_at: iso }).execute();
  }
  const credit = await creditAccount(trx, {
    accountId: input.accountId,
    kind: "grant",
    bucket: "promo",
    tokens: input.tokens,
    idempotencyKey: `claim:${input.claimId}`,
    referenceType: "claim",
    referenceId: input.claimId,
    expiresAt: promoExpiresAt(input.policy, input.now),
    note: `Free credit for claim ${input.claimId}`,
    actorId: input.actorId,
    now: input.now,
  });
  if (credit.duplicate) throw new Error(`claim ${input.claimId} was already credited`);
  await trx.updateTable("claims").set({ ledger_entry_id: credit.entryId }).where("id", "=", input.claimId).execute();
  // The claim that makes an invited account real is what earns the referral bonus, in this transaction.
  await settleReferral(trx, { inviteeId: input.accountId, claimId: input.claimId, policy: input.policy, actorId: input.actorId, now: input.now });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((value) => left.has(value));
}

async function claimOrgIds(db: DbExecutor, claimId: string): Promise<string[]> {
  const rows = await db.selectFrom("claim_identities").select("value").where("claim_id", "=", claimId).where("kind", "=", "org_id").execute();
  return rows.map((row) => row.value);
}

async function saveIdentities(trx: DbExecutor, claimId: string, accountId: string, prepared: PreparedOffer, iso: string) {
  const rows = [
    ...prepared.orgIds.map((value) => ({ claim_id: claimId, account_id: accountId, kind: "org_id" as const, value, created_at: iso })),
    ...prepared.fingerprints.map((value) => ({ claim_id: claimId, account_id: accountId, kind: "fingerprint" as const, value, created_at: iso })),
  ];
  if (rows.length) await trx.insertInto("claim_identities").values(rows).execute();
}

async function recordDecision(trx: DbExecutor, claimId: string, actorId: string | null, action: string, tokens: number | null, reason: string | null, iso: string) {
  await trx.insertInto("claim_decisions").values({ id: newId("cld"), claim_id: claimId, actor_id: actorId, action, tokens, reason, created_at: iso }).execute();
}

/** Runs `work` in a transaction, or inside the caller's one when `db` already is a transaction. */
async function inTransaction<T>(db: DbExecutor, work: (trx: DbExecutor) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}

