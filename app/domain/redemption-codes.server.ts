// Redemption codes for outreach campaigns (issue 17). Staff create a batch; its codes are shown
// once, at creation, and only their SHA-256 is kept. A batch worth more in total than the grant
// policy's large-grant limit waits for a second, different staff member before its codes work.
// A redemption is one transaction: a conditional decrement of the code's uses left, a row unique
// per (code, account) and per (campaign, account), and the ledger credit keyed by the redemption,
// so racing redemptions of the last use give exactly one credit, whatever the database.
import { z } from "zod";
import type { CodeBatchStatus, LedgerBucket, Role } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { hitRateLimits, RATE_LIMITS } from "~/lib/rate-limit.server";
import { hasRole } from "~/lib/roles";
import { recordAudit } from "./audit.server";
import { toSafeCsv } from "./csv-export.server";
import { hasAcceptedEvidence } from "./evidence/store.server";
import { needsSecondApproval } from "./grant-policy";
import { getGrantPolicy } from "./grant-policy.server";
import { creditAccount } from "./ledger.server";
import { generateRedemptionCode, hashRedemptionCode, parseRedemptionCode } from "./redemption-code-format.server";
import { appointedEachOther } from "./user-roles.server";

export const REDEMPTION_LEDGER_REFERENCE = "redemption_code";
export const redemptionLedgerKey = (redemptionId: string) => `redemption:${redemptionId}`;

/** Largest batch created at once: the codes are generated, hashed and returned in one request. */
export const MAX_CODES_PER_BATCH = 5000;
export const MAX_USES_PER_CODE = 100_000;

export interface CodeActor {
  id: string;
  role: Role;
  ip?: string | null;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "codes.errors.date").refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), "codes.errors.date");
const wholeNumber = (min: number, max: number, message: string) => z.coerce.number({ invalid_type_error: message }).int(message).min(min, message).max(max, message);
const checkbox = z.preprocess((value) => value === "on" || value === "true" || value === true, z.boolean());
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());

/** The batch form, parsed once; the policy-dependent limits are checked by `createCodeBatch`. */
export const codeBatchSchema = z
  .object({
    count: wholeNumber(1, MAX_CODES_PER_BATCH, "codes.errors.count"),
    tokens: wholeNumber(1, Number.MAX_SAFE_INTEGER, "codes.errors.tokens"),
    bucket: z.enum(["promo", "paid"]),
    usesPerCode: wholeNumber(1, MAX_USES_PER_CODE, "codes.errors.uses"),
    /** Promo credit lasts this many days after redemption… */
    creditDays: optional(wholeNumber(1, 3650, "codes.errors.creditDays")),
    /** …or until the end of this day (UTC). */
    creditUntil: optional(day),
    /** Codes can be redeemed until the end of this day (UTC). */
    codeExpiresOn: optional(day),
    requiresEvidence: checkbox,
    newAccountsOnly: checkbox,
    campaign: optional(z.string().trim().max(80, "codes.errors.campaign")),
  })
  .superRefine((batch, ctx) => {
    if (batch.bucket === "promo" && (batch.creditDays === undefined) === (batch.creditUntil === undefined)) {
      ctx.addIssue({ code: "custom", path: ["creditDays"], message: "codes.errors.creditExpiry" });
    }
    if (batch.bucket === "paid" && (batch.creditDays !== undefined || batch.creditUntil !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["creditDays"], message: "codes.errors.paidExpiry" });
    }
    if (batch.creditUntil && batch.codeExpiresOn && batch.codeExpiresOn > batch.creditUntil) {
      ctx.addIssue({ code: "custom", path: ["codeExpiresOn"], message: "codes.errors.codeAfterCredit" });
    }
  });
export type CodeBatchInput = z.infer<typeof codeBatchSchema>;

export type BatchFailure = "forbidden" | "not_found" | "above_cap" | "expiry_past" | "expiry_too_far" | "too_large" | "not_pending" | "same_approver" | "not_independent" | "already_disabled";

export type CreateBatchResult =
  | { ok: true; batchId: string; status: CodeBatchStatus; codes: string[]; csv: string }
  | { ok: false; reason: BatchFailure };

const endOfDay = (value: string) => `${value}T23:59:59.999Z`;

/** Total tokens a batch can hand out: count × uses × tokens. */
export function batchTotalTokens(batch: { count: number; usesPerCode: number; tokens: number }): number {
  return batch.count * batch.usesPerCode * batch.tokens;
}

/**
 * Creates a batch and its codes. The plain codes exist only in the result (and its CSV): show
 * them once and let the creator download them; nothing can show them again.
 */
export async function createCodeBatch(db: DbExecutor, actor: CodeActor, input: CodeBatchInput, now: Date = new Date()): Promise<CreateBatchResult> {
  if (!hasRole(actor.role, "staff")) return { ok: false, reason: "forbidden" };
  const policy = await getGrantPolicy(db);
  if (input.tokens > policy.capTokens) return { ok: false, reason: "above_cap" };
  const total = batchTotalTokens(input);
  if (!Number.isSafeInteger(total)) return { ok: false, reason: "too_large" };
  const today = now.toISOString().slice(0, 10);
  const latestPromoDay = new Date(now.getTime() + policy.promoExpiryDays * 86_400_000).toISOString().slice(0, 10);
  if (input.codeExpiresOn && input.codeExpiresOn < today) return { ok: false, reason: "expiry_past" };
  if (input.bucket === "promo") {
    if (input.creditUntil && input.creditUntil < today) return { ok: false, reason: "expiry_past" };
    if (input.creditUntil && input.creditUntil > latestPromoDay) return { ok: false, reason: "expiry_too_far" };
    if (input.creditDays && input.creditDays > policy.promoExpiryDays) return { ok: false, reason: "expiry_too_far" };
  }
  const iso = now.toISOString();
  const batchId = newId("cdb");
  const campaign = input.campaign ? input.campaign : null;
  const status: CodeBatchStatus = needsSecondApproval(policy, total) ? "pending_approval" : "active";
  const codes = Array.from({ length: input.count }, () => generateRedemptionCode());
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("code_batches")
      .values({
        id: batchId,
        campaign,
        campaign_key: campaign ? `campaign:${campaign.toLowerCase()}` : `batch:${batchId}`,
        tokens: input.tokens,
        bucket: input.bucket,
        code_count: input.count,
        uses_per_code: input.usesPerCode,
        credit_days: input.bucket === "promo" ? (input.creditDays ?? null) : null,
        credit_expires_at: input.bucket === "promo" && input.creditUntil ? endOfDay(input.creditUntil) : null,
        code_expires_at: input.codeExpiresOn ? endOfDay(input.codeExpiresOn) : null,
        requires_evidence: input.requiresEvidence ? 1 : 0,
        new_accounts_only: input.newAccountsOnly ? 1 : 0,
        status,
        created_by: actor.id,
        approved_by: null,
        approved_at: null,
        disabled_by: null,
        disabled_at: null,
        created_at: iso,
        updated_at: iso,
      })
      .execute();
    // Chunks keep each INSERT under SQLite's bound-parameter limit.
    for (let start = 0; start < codes.length; start += 500) {
      const rows = codes.slice(start, start + 500).map((code) => {
        const parsed = parseRedemptionCode(code);
        if (!parsed.ok) throw new Error("a generated code failed its own check");
        return { id: newId("rco"), batch_id: batchId, code_hash: hashRedemptionCode(parsed.body), uses_left: input.usesPerCode, created_at: iso };
      });
      await trx.insertInto("redemption_codes").values(rows).execute();
    }
    await recordAudit(
      trx,
      {
        actorId: actor.id,
        action: "code_batch.create",
        targetType: "code_batch",
        targetId: batchId,
        details: { campaign, count: input.count, tokens: input.tokens, bucket: input.bucket, usesPerCode: input.usesPerCode, totalTokens: total, needsApproval: status === "pending_approval" },
        ip: actor.ip,
      },
      now,
    );
  });
  return { ok: true, batchId, status, codes, csv: codesCsv(campaign, input, codes) };
}

/** The creator's one download: formula-safe CSV of the plain codes. */
function codesCsv(campaign: string | null, input: CodeBatchInput, codes: string[]): string {
  return toSafeCsv(
    ["code", "tokens", "bucket", "uses", "campaign", "code_expires"],
    codes.map((code) => [code, input.tokens, input.bucket, input.usesPerCode, campaign ?? "", input.codeExpiresOn ?? ""]),
  );
}

export type BatchDecisionResult = { ok: true } | { ok: false; reason: BatchFailure };

/** A second staff member's approval of a large batch: never the creator, never someone they appointed (or who appointed them). */
export async function approveCodeBatch(db: DbExecutor, actor: CodeActor, batchId: string, now: Date = new Date()): Promise<BatchDecisionResult> {
  if (!hasRole(actor.role, "staff")) return { ok: false, reason: "forbidden" };
  const iso = now.toISOString();
  return inTransaction(db, async (trx) => {
    const batch = await trx.selectFrom("code_batches").select(["id", "status", "created_by", "tokens", "code_count", "uses_per_code"]).where("id", "=", batchId).executeTakeFirst();
    if (!batch) return { ok: false, reason: "not_found" } as const;
    if (batch.status !== "pending_approval") return { ok: false, reason: "not_pending" } as const;
    if (batch.created_by === actor.id) return { ok: false, reason: "same_approver" } as const;
    if (await appointedEachOther(trx, batch.created_by, actor.id)) return { ok: false, reason: "not_independent" } as const;
    const moved = await trx
      .updateTable("code_batches")
      .set({ status: "active", approved_by: actor.id, approved_at: iso, updated_at: iso })
      .where("id", "=", batchId)
      .where("status", "=", "pending_approval")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return { ok: false, reason: "not_pending" } as const;
    const totalTokens = Number(batch.tokens) * Number(batch.code_count) * Number(batch.uses_per_code);
    await recordAudit(trx, { actorId: actor.id, action: "code_batch.approve", targetType: "code_batch", targetId: batchId, details: { createdBy: batch.created_by, totalTokens }, ip: actor.ip }, now);
    return { ok: true } as const;
  });
}

/** Stops a batch's codes for good (credit already given stays). Any staff member, pending or active. */
export async function disableCodeBatch(db: DbExecutor, actor: CodeActor, batchId: string, now: Date = new Date()): Promise<BatchDecisionResult> {
  if (!hasRole(actor.role, "staff")) return { ok: false, reason: "forbidden" };
  const iso = now.toISOString();
  return inTransaction(db, async (trx) => {
    const batch = await trx.selectFrom("code_batches").select(["id", "campaign"]).where("id", "=", batchId).executeTakeFirst();
    if (!batch) return { ok: false, reason: "not_found" } as const;
    const moved = await trx
      .updateTable("code_batches")
      .set({ status: "disabled", disabled_by: actor.id, disabled_at: iso, updated_at: iso })
      .where("id", "=", batchId)
      .where("status", "!=", "disabled")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return { ok: false, reason: "already_disabled" } as const;
    await recordAudit(trx, { actorId: actor.id, action: "code_batch.disable", targetType: "code_batch", targetId: batchId, details: { campaign: batch.campaign }, ip: actor.ip }, now);
    return { ok: true } as const;
  });
}

export interface CodeBatchView {
  id: string;
  campaign: string | null;
  tokens: number;
  bucket: LedgerBucket;
  codeCount: number;
  usesPerCode: number;
  totalTokens: number;
  creditDays: number | null;
  creditExpiresAt: string | null;
  codeExpiresAt: string | null;
  requiresEvidence: boolean;
  newAccountsOnly: boolean;
  status: CodeBatchStatus;
  createdBy: string;
  creatorEmail: string | null;
  approverEmail: string | null;
  createdAt: string;
  /** Uses taken so far, and accounts that redeemed. */
  usesRedeemed: number;
  tokensRedeemed: number;
}

/** Batches, newest first, with their redemption progress. Never the codes. */
export async function listCodeBatches(db: DbExecutor, options: { limit?: number } = {}): Promise<CodeBatchView[]> {
  const rows = await db
    .selectFrom("code_batches")
    .leftJoin("users as creator", "creator.id", "code_batches.created_by")
    .leftJoin("users as approver", "approver.id", "code_batches.approved_by")
    .selectAll("code_batches")
    .select(["creator.email as creator_email", "approver.email as approver_email"])
    .select((eb) => [
      eb.selectFrom("code_redemptions").select((inner) => inner.fn.countAll<number>().as("n")).whereRef("code_redemptions.batch_id", "=", "code_batches.id").as("redeemed"),
      eb.selectFrom("code_redemptions").select((inner) => inner.fn.sum<number>("tokens").as("t")).whereRef("code_redemptions.batch_id", "=", "code_batches.id").as("redeemed_tokens"),
    ])
    .orderBy("code_batches.created_at", "desc")
    .orderBy("code_batches.id", "desc")
    .limit(options.limit ?? 50)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    campaign: row.campaign,
    tokens: Number(row.tokens),
    bucket: row.bucket,
    codeCount: Number(row.code_count),
    usesPerCode: Number(row.uses_per_code),
    totalTokens: Number(row.tokens) * Number(row.code_count) * Number(row.uses_per_code),
    creditDays: row.credit_days === null ? null : Number(row.credit_days),
    creditExpiresAt: row.credit_expires_at,
    codeExpiresAt: row.code_expires_at,
    requiresEvidence: Number(row.requires_evidence) === 1,
    newAccountsOnly: Number(row.new_accounts_only) === 1,
    status: row.status,
    createdBy: row.created_by,
    creatorEmail: row.creator_email,
    approverEmail: row.approver_email,
    createdAt: row.created_at,
    usesRedeemed: Number(row.redeemed ?? 0),
    tokensRedeemed: Number(row.redeemed_tokens ?? 0),
  }));
}

// ---------------------------------------------------------------------------------------------
// Redemption

/** What a developer is told: enough to act on, nothing about other accounts or the batch. */
export type RedeemFailure = "rate_limited" | "malformed" | "unknown" | "expired" | "used_up" | "disabled" | "not_active" | "not_eligible" | "already_redeemed";

export type RedeemResult =
  | { ok: true; redemptionId: string; tokens: number; bucket: LedgerBucket; expiresAt: string | null }
  | { ok: false; reason: RedeemFailure; retryAfterSeconds?: number };

class Refused extends Error {
  constructor(readonly reason: RedeemFailure) {
    super(reason);
  }
}

export async function redeemCode(db: DbExecutor, input: { accountId: string; code: string; ip?: string | null }, now: Date = new Date()): Promise<RedeemResult> {
  const limit = await hitRateLimits(db, [[RATE_LIMITS.codeRedeemPerAccount, input.accountId], [RATE_LIMITS.codeRedeemPerIp, input.ip]], now);
  if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };
  const parsed = parseRedemptionCode(input.code);
  if (!parsed.ok) return { ok: false, reason: "malformed" };
  const found = await db
    .selectFrom("redemption_codes")
    .innerJoin("code_batches", "code_batches.id", "redemption_codes.batch_id")
    .select([
      "redemption_codes.id as code_id",
      "redemption_codes.uses_left",
      "code_batches.id as batch_id",
      "code_batches.campaign",
      "code_batches.campaign_key",
      "code_batches.tokens",
      "code_batches.bucket",
      "code_batches.credit_days",
      "code_batches.credit_expires_at",
      "code_batches.code_expires_at",
      "code_batches.requires_evidence",
      "code_batches.new_accounts_only",
      "code_batches.status",
      "code_batches.created_at",
    ])
    .where("redemption_codes.code_hash", "=", hashRedemptionCode(parsed.body))
    .executeTakeFirst();
  if (!found) return { ok: false, reason: "unknown" };
  const iso = now.toISOString();
  if (found.status === "disabled") return { ok: false, reason: "disabled" };
  if (found.status !== "active") return { ok: false, reason: "not_active" };
  if ((found.code_expires_at && found.code_expires_at <= iso) || (found.credit_expires_at && found.credit_expires_at <= iso)) return { ok: false, reason: "expired" };
  const already = await db.selectFrom("code_redemptions").select("id").where("campaign_key", "=", found.campaign_key).where("account_id", "=", input.accountId).executeTakeFirst();
  if (already) return { ok: false, reason: "already_redeemed" };
  if (Number(found.new_accounts_only) === 1) {
    const account = await db.selectFrom("users").select("created_at").where("id", "=", input.accountId).executeTakeFirst();
    if (!account || account.created_at <= found.created_at) return { ok: false, reason: "not_eligible" };
  }
  if (Number(found.requires_evidence) === 1 && !(await hasAcceptedEvidence(db, input.accountId))) return { ok: false, reason: "not_eligible" };
  if (Number(found.uses_left) <= 0) return { ok: false, reason: "used_up" };

  const tokens = Number(found.tokens);
  const expiresAt =
    found.bucket === "paid" ? null : (found.credit_expires_at ?? new Date(now.getTime() + Number(found.credit_days ?? 0) * 86_400_000).toISOString());
  const redemptionId = newId("red");
  try {
    await inTransaction(db, async (trx) => {
      // The only gate that counts: a use is taken only while one is left and the batch is active.
      const taken = await trx
        .updateTable("redemption_codes")
        .set((eb) => ({ uses_left: eb("uses_left", "-", 1) }))
        .where("id", "=", found.code_id)
        .where("uses_left", ">", 0)
        .where("batch_id", "in", (eb) => eb.selectFrom("code_batches").select("id").where("id", "=", found.batch_id).where("status", "=", "active"))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) throw new Refused("used_up");
      await trx
        .insertInto("code_redemptions")
        .values({ id: redemptionId, code_id: found.code_id, batch_id: found.batch_id, campaign_key: found.campaign_key, account_id: input.accountId, tokens, ledger_entry_id: null, created_at: iso })
        .execute();
      const entry = await creditAccount(trx, {
        accountId: input.accountId,
        kind: "grant",
        bucket: found.bucket,
        tokens,
        idempotencyKey: redemptionLedgerKey(redemptionId),
        referenceType: REDEMPTION_LEDGER_REFERENCE,
        referenceId: redemptionId,
        expiresAt,
        note: found.campaign,
        actorId: input.accountId,
        now,
      });
      await trx.updateTable("code_redemptions").set({ ledger_entry_id: entry.entryId }).where("id", "=", redemptionId).execute();
      await recordAudit(trx, { actorId: input.accountId, action: "code.redeem", targetType: "code_batch", targetId: found.batch_id, details: { redemptionId, tokens, bucket: found.bucket, entryId: entry.entryId }, ip: input.ip }, now);
    });
  } catch (error) {
    if (error instanceof Refused) {
      const batch = await db.selectFrom("code_batches").select("status").where("id", "=", found.batch_id).executeTakeFirst();
      return { ok: false, reason: batch?.status === "disabled" ? "disabled" : error.reason };
    }
    // The same account racing itself: the unique (campaign, account) row stopped the second.
    const again = await db.selectFrom("code_redemptions").select("id").where("campaign_key", "=", found.campaign_key).where("account_id", "=", input.accountId).executeTakeFirst();
    if (again) return { ok: false, reason: "already_redeemed" };
    throw error;
  }
  return { ok: true, redemptionId, tokens, bucket: found.bucket, expiresAt };
}

/** Runs `work` in a transaction, or inside the caller's one when `db` already is a transaction. */
async function inTransaction<T>(db: DbExecutor, work: (trx: DbExecutor) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}
