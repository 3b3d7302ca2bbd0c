// Adjustments that add credit follow the rules grants follow: never on one's own account, never
// above the grant cap, promotional credit expiring within the policy's period, and nobody alone
// above the auto-approve limit. Staff apply a small adjustment at once; anything larger, or what
// would take the proposer's own adjustments to one account past the limit within 24 hours, waits
// for a second, different staff member. Support agents may only propose. A decision moves only
// the version the approver saw (conditional UPDATE) and credits with the ledger key
// `support-adjustment:<id>`, so racing approvals and double clicks give one outcome and one entry.
import type { CreditAdjustmentStatus, LedgerBucket, Role } from "~/lib/db-schema";
import { dialectOf, type DbExecutor } from "~/lib/db.server";
import { hasRole } from "~/lib/roles";
import { recordAudit } from "./audit.server";
import type { GrantPolicy } from "./grant-policy";
import { getGrantPolicy } from "./grant-policy.server";
import { creditAccount } from "./ledger.server";
import { appointedEachOther } from "./user-roles.server";

export interface AdjustmentActor {
  id: string;
  role: Role;
  ip?: string | null;
}

export interface CreditProposal {
  /** The one-time id the form carried; it becomes the adjustment's id. */
  adjustmentId: string;
  /** Positive: taking credit back does not come here. */
  tokens: number;
  bucket: LedgerBucket;
  /** YYYY-MM-DD, promotional credit only: it expires at the end of that day (UTC). */
  expiresOn?: string;
  reason: string;
}

export type AdjustmentFailure =
  | "forbidden"
  | "not_found"
  | "own_account"
  | "above_cap"
  | "expiry_past"
  | "expiry_too_far"
  | "unchanged"
  | "stale"
  | "not_pending"
  | "same_approver"
  | "not_independent";

export type ProposeResult = { ok: true; outcome: "applied" | "pending"; adjustmentId: string } | { ok: false; reason: AdjustmentFailure };
export type DecideResult = { ok: true; outcome: "applied" | "rejected" } | { ok: false; reason: AdjustmentFailure };

/** Self-applied adjustments by one person to one account count together over this window. */
export const ROLLING_WINDOW_MS = 24 * 60 * 60 * 1000;

export const ADJUSTMENT_LEDGER_REFERENCE = "support_adjustment";
export const adjustmentLedgerKey = (adjustmentId: string) => `support-adjustment:${adjustmentId}`;

class Refused extends Error {
  constructor(readonly reason: AdjustmentFailure) {
    super(reason);
  }
}

/** The latest promo expiry day the policy allows for credit added at `now` (calendar days, UTC). */
export function latestPromoExpiryDay(policy: GrantPolicy, now: Date): string {
  return new Date(now.getTime() + policy.promoExpiryDays * 86_400_000).toISOString().slice(0, 10);
}

/** Why these numbers cannot be added at `now` under `policy`, if they cannot. */
function amountProblem(policy: GrantPolicy, proposal: Pick<CreditProposal, "tokens" | "bucket">, expiresAt: string | null, now: Date): AdjustmentFailure | null {
  if (proposal.tokens > policy.capTokens) return "above_cap";
  if (proposal.bucket === "promo") {
    if (!expiresAt || expiresAt <= now.toISOString()) return "expiry_past";
    if (expiresAt.slice(0, 10) > latestPromoExpiryDay(policy, now)) return "expiry_too_far";
  }
  return null;
}

/** Locks the account's row on PostgreSQL so one person's concurrent adjustments are counted one after another. */
async function lockAccount(trx: DbExecutor, accountId: string) {
  const query = trx.selectFrom("users").select("id").where("id", "=", accountId);
  return (dialectOf(trx) === "postgres" ? query.forUpdate() : query).executeTakeFirst();
}

/** What `actorId` added alone to `accountId` since `since`: the sum the auto-approve limit also bounds. */
async function selfAppliedSince(trx: DbExecutor, actorId: string, accountId: string, since: string): Promise<number> {
  const row = await trx
    .selectFrom("credit_adjustments")
    .select((eb) => eb.fn.sum<number>("tokens").as("total"))
    .where("proposed_by", "=", actorId)
    .where("account_id", "=", accountId)
    .where("status", "=", "applied")
    .where("approved_by", "is", null)
    .where("created_at", ">", since)
    .executeTakeFirstOrThrow();
  return Number(row.total ?? 0);
}

/**
 * Records a positive adjustment: applied at once when a staff member stays within the auto-approve
 * limit (this one plus what they added alone to this account in the last 24 hours), otherwise
 * pending until another staff member approves it.
 */
export async function proposeCreditAdjustment(
  db: DbExecutor,
  actor: AdjustmentActor,
  accountId: string,
  proposal: CreditProposal,
  now: Date = new Date(),
): Promise<ProposeResult> {
  if (!hasRole(actor.role, "support")) return { ok: false, reason: "forbidden" };
  if (!Number.isSafeInteger(proposal.tokens) || proposal.tokens <= 0) throw new Error("a credit proposal adds a positive whole number of tokens");
  if (accountId === actor.id) return { ok: false, reason: "own_account" };
  const policy = await getGrantPolicy(db);
  const expiresAt = proposal.bucket === "promo" && proposal.expiresOn ? `${proposal.expiresOn}T23:59:59.999Z` : null;
  const problem = amountProblem(policy, proposal, expiresAt, now);
  if (problem) return { ok: false, reason: problem };
  const iso = now.toISOString();
  try {
    return await inTransaction(db, async (trx) => {
      if (!(await lockAccount(trx, accountId))) throw new Refused("not_found");
      if (await trx.selectFrom("credit_adjustments").select("id").where("id", "=", proposal.adjustmentId).executeTakeFirst()) throw new Refused("unchanged");
      const alreadyAlone = await selfAppliedSince(trx, actor.id, accountId, new Date(now.getTime() - ROLLING_WINDOW_MS).toISOString());
      const appliesAlone = hasRole(actor.role, "staff") && alreadyAlone + proposal.tokens <= policy.autoApproveLimitTokens;
      await trx
        .insertInto("credit_adjustments")
        .values({
          id: proposal.adjustmentId,
          account_id: accountId,
          tokens: proposal.tokens,
          bucket: proposal.bucket,
          expires_at: expiresAt,
          reason: proposal.reason,
          status: appliesAlone ? "applied" : "pending",
          version: 1,
          proposed_by: actor.id,
          approved_by: null,
          decided_by: appliesAlone ? actor.id : null,
          decided_at: appliesAlone ? iso : null,
          decision_reason: null,
          ledger_entry_id: null,
          created_at: iso,
          updated_at: iso,
        })
        .execute();
      const details = { adjustmentId: proposal.adjustmentId, tokens: proposal.tokens, bucket: proposal.bucket, expiresAt, reason: proposal.reason };
      if (!appliesAlone) {
        await recordAudit(trx, { actorId: actor.id, action: "credit_adjustment.propose", targetType: "user", targetId: accountId, details: { ...details, selfAppliedLast24h: alreadyAlone }, ip: actor.ip }, now);
        return { ok: true, outcome: "pending", adjustmentId: proposal.adjustmentId } as const;
      }
      const entryId = await credit(trx, { id: proposal.adjustmentId, accountId, tokens: proposal.tokens, bucket: proposal.bucket, expiresAt, reason: proposal.reason }, actor.id, now);
      await recordAudit(trx, { actorId: actor.id, action: "staff.credit_adjust", targetType: "user", targetId: accountId, details: { ...details, entryId }, ip: actor.ip }, now);
      return { ok: true, outcome: "applied", adjustmentId: proposal.adjustmentId } as const;
    });
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.reason };
    // The same form sent twice at once: the primary key stopped the second insert.
    if (await db.selectFrom("credit_adjustments").select("id").where("id", "=", proposal.adjustmentId).executeTakeFirst()) return { ok: false, reason: "unchanged" };
    throw error;
  }
}

export type AdjustmentDecision = { type: "approve" } | { type: "reject"; reason: string };

/**
 * A second staff member's decision on the version of a pending adjustment they saw. Approving
 * re-checks the policy in force now; rejecting is open to any staff member and to the proposer.
 */
export async function decideCreditAdjustment(
  db: DbExecutor,
  actor: AdjustmentActor,
  input: { adjustmentId: string; expectedVersion: number; decision: AdjustmentDecision },
  now: Date = new Date(),
): Promise<DecideResult> {
  const iso = now.toISOString();
  const policy = await getGrantPolicy(db);
  try {
    return await inTransaction(db, async (trx) => {
      const query = trx.selectFrom("credit_adjustments").selectAll().where("id", "=", input.adjustmentId);
      const adjustment = await (dialectOf(trx) === "postgres" ? query.forUpdate() : query).executeTakeFirst();
      if (!adjustment) throw new Refused("not_found");
      const approving = input.decision.type === "approve";
      const mayDecide = hasRole(actor.role, "staff") || (!approving && adjustment.proposed_by === actor.id);
      if (!mayDecide) throw new Refused("forbidden");
      if (adjustment.status !== "pending") throw new Refused("not_pending");
      if (adjustment.version !== input.expectedVersion) throw new Refused("stale");
      if (adjustment.account_id === actor.id) throw new Refused("own_account");
      const tokens = Number(adjustment.tokens);
      if (approving) {
        if (adjustment.proposed_by === actor.id) throw new Refused("same_approver");
        if (await appointedEachOther(trx, adjustment.proposed_by, actor.id)) throw new Refused("not_independent");
        const problem = amountProblem(policy, { tokens, bucket: adjustment.bucket }, adjustment.expires_at, now);
        if (problem) throw new Refused(problem);
      }
      const status: CreditAdjustmentStatus = approving ? "applied" : "rejected";
      const decisionReason = input.decision.type === "reject" ? input.decision.reason : null;
      const moved = await trx
        .updateTable("credit_adjustments")
        .set({ status, approved_by: approving ? actor.id : null, decided_by: actor.id, decided_at: iso, decision_reason: decisionReason, version: adjustment.version + 1, updated_at: iso })
        .where("id", "=", adjustment.id)
        .where("version", "=", adjustment.version)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw new Refused("stale");
      const details: Record<string, unknown> = { adjustmentId: adjustment.id, tokens, bucket: adjustment.bucket, expiresAt: adjustment.expires_at, proposedBy: adjustment.proposed_by, reason: adjustment.reason };
      if (approving) {
        details.entryId = await credit(trx, { id: adjustment.id, accountId: adjustment.account_id, tokens, bucket: adjustment.bucket, expiresAt: adjustment.expires_at, reason: adjustment.reason }, actor.id, now);
      } else {
        details.decisionReason = decisionReason;
      }
      await recordAudit(trx, { actorId: actor.id, action: approving ? "credit_adjustment.approve" : "credit_adjustment.reject", targetType: "user", targetId: adjustment.account_id, details, ip: actor.ip }, now);
      return { ok: true, outcome: status === "applied" ? "applied" : "rejected" } as const;
    });
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.reason };
    // Two approvers racing: the loser's conditional update or the ledger's unique key failed.
    const fresh = await db.selectFrom("credit_adjustments").select(["status", "version"]).where("id", "=", input.adjustmentId).executeTakeFirst();
    if (fresh && (fresh.status !== "pending" || fresh.version !== input.expectedVersion)) return { ok: false, reason: "not_pending" };
    throw error;
  }
}

async function credit(
  trx: DbExecutor,
  adjustment: { id: string; accountId: string; tokens: number; bucket: LedgerBucket; expiresAt: string | null; reason: string },
  actorId: string,
  now: Date,
): Promise<string> {
  const entry = await creditAccount(trx, {
    accountId: adjustment.accountId,
    kind: "adjustment",
    bucket: adjustment.bucket,
    tokens: adjustment.tokens,
    idempotencyKey: adjustmentLedgerKey(adjustment.id),
    referenceType: ADJUSTMENT_LEDGER_REFERENCE,
    referenceId: adjustment.id,
    expiresAt: adjustment.expiresAt,
    note: adjustment.reason,
    actorId,
    now,
  });
  if (entry.duplicate) throw new Error(`adjustment ${adjustment.id} was already credited`);
  await trx.updateTable("credit_adjustments").set({ ledger_entry_id: entry.entryId }).where("id", "=", adjustment.id).execute();
  return entry.entryId;
}

export interface PendingAdjustment {
  id: string;
  accountId: string;
  accountEmail: string;
  tokens: number;
  bucket: LedgerBucket;
  expiresAt: string | null;
  reason: string;
  version: number;
  proposedBy: string;
  proposerEmail: string | null;
  createdAt: string;
}

/** Pending adjustments, oldest first: all of them for the staff queue, or one account's. */
export async function listPendingAdjustments(db: DbExecutor, filter: { accountId?: string; limit?: number } = {}): Promise<PendingAdjustment[]> {
  let query = db
    .selectFrom("credit_adjustments")
    .innerJoin("users as account", "account.id", "credit_adjustments.account_id")
    .leftJoin("users as proposer", "proposer.id", "credit_adjustments.proposed_by")
    .select([
      "credit_adjustments.id",
      "credit_adjustments.account_id",
      "account.email as account_email",
      "credit_adjustments.tokens",
      "credit_adjustments.bucket",
      "credit_adjustments.expires_at",
      "credit_adjustments.reason",
      "credit_adjustments.version",
      "credit_adjustments.proposed_by",
      "proposer.email as proposer_email",
      "credit_adjustments.created_at",
    ])
    .where("credit_adjustments.status", "=", "pending");
  if (filter.accountId) query = query.where("credit_adjustments.account_id", "=", filter.accountId);
  const rows = await query.orderBy("credit_adjustments.created_at").orderBy("credit_adjustments.id").limit(filter.limit ?? 100).execute();
  return rows.map((row) => ({
    id: row.id,
    accountId: row.account_id,
    accountEmail: row.account_email,
    tokens: Number(row.tokens),
    bucket: row.bucket,
    expiresAt: row.expires_at,
    reason: row.reason,
    version: Number(row.version),
    proposedBy: row.proposed_by,
    proposerEmail: row.proposer_email,
    createdAt: row.created_at,
  }));
}

/** Runs `work` in a transaction, or inside the caller's one when `db` already is a transaction. */
async function inTransaction<T>(db: DbExecutor, work: (trx: DbExecutor) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}
