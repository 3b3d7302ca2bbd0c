// The credit ledger, the only writer of credit: append-only entries in integer tokens, with the
// cached balance of the account (and of each promo grant) updated in the same transaction.
// Every write locks the account's balance row first, so writers of one account are serialized on
// PostgreSQL (row lock) as on SQLite (one connection), and a debit never takes more than is left.
import { sql, type CompiledQuery, type Transaction } from "kysely";
import { z } from "zod";
import { ORGANIZATION_ROLE, type Database, type LedgerBucket, type LedgerEntryKind } from "~/lib/db-schema";
import { dialectOf, type Db, type DbExecutor } from "~/lib/db.server";
import { newLedgerEntryId } from "./ledger/entry-id.server";
import { debitEntries, planDebit, type DebitOperation, type DebitPlan, type PromoSource, type StoredDebit } from "./ledger/plan";
import { alongsideStatements, debitHookStatements, type Alongside } from "./ledger/debit-hooks.server";
import { postgresBatcherFor, runDebitBatch } from "./ledger/postgres-batch.server";
import { ledgerFastPath, sqliteFastPathFor } from "./ledger/sqlite-fast-path.server";
import { writeUsageDetail, type UsageDetail } from "./usage/record.server";

/** The same idempotency key was used again for a different operation (other account, amount…). */
export class LedgerConflictError extends Error {
  constructor(
    readonly idempotencyKey: string,
    detail: string,
  ) {
    super(`Ledger idempotency key "${idempotencyKey}" was already used for a different operation: ${detail}`);
    this.name = "LedgerConflictError";
  }
}

/** A caller passed something the ledger refuses (a bug in the caller, never a user's typo). */
export class LedgerInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerInputError";
  }
}

type Trx = Transaction<Database>;

/**
 * The condition of `ledger_entries_key_unless_usage` (migration 0027), the unique index of the
 * entries' keys: usage entries are outside it (their debit's key is unique in `ledger_debits`).
 * A lookup by key names it so that the index is used (SQLite uses a partial index only when the
 * query's WHERE implies the index's, PostgreSQL's ON CONFLICT target needs it), with the value
 * inlined, as neither database proves the implication from a bound parameter.
 */
const NOT_USAGE = ["kind", "<>", sql.lit<LedgerEntryKind>("usage")] as const;
/** Keys of usage debits (`usageKey`): no credit may take one (migration 0027). */
const USAGE_KEY_PREFIX = "usage:";

const MAX_TOKENS = Number.MAX_SAFE_INTEGER;
const positiveTokens = z.number().int().positive().max(MAX_TOKENS);
const text = (max: number) => z.string().trim().min(1).max(max);
// `#` is reserved: the second and later entries of one operation are keyed `<key>#2`, `<key>#3`…
const idempotencyKeyField = (max: number) => text(max).refine((value) => !value.includes("#"), "must not contain #");
const isoInstant = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO-8601 date")
  .transform((value) => new Date(value).toISOString());

function parseInput<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new LedgerInputError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Credits

export interface CreditInput {
  accountId: string;
  kind: "grant" | "purchase" | "adjustment";
  bucket: LedgerBucket;
  /** Positive integer. */
  tokens: number;
  idempotencyKey: string;
  referenceType: string;
  referenceId: string;
  /** Required for promo credit (it expires), refused for paid credit. */
  expiresAt?: string | null;
  note?: string | null;
  actorId?: string | null;
  /** The time of the operation; defaults to now. */
  now?: Date;
}

const creditSchema = z
  .object({
    accountId: text(100),
    kind: z.enum(["grant", "purchase", "adjustment"]),
    bucket: z.enum(["promo", "paid"]),
    tokens: positiveTokens,
    // `usage:` is the usage debits' (their entries are outside the unique index of keys).
    idempotencyKey: idempotencyKeyField(200).refine((value) => !value.startsWith(USAGE_KEY_PREFIX), `must not start with ${USAGE_KEY_PREFIX}`),
    referenceType: text(50),
    referenceId: text(200),
    expiresAt: isoInstant.nullish(),
    note: z.string().max(2000).nullish(),
    actorId: z.string().max(100).nullish(),
    now: z.date().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.bucket === "promo" && !value.expiresAt) {
      ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "promo credit needs an expiry" });
    }
    if (value.bucket === "paid" && value.expiresAt) {
      ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "paid credit does not expire" });
    }
  });

/** Adds credit once per idempotency key: a replay returns the first entry, a different replay throws. */
export async function creditAccount(db: DbExecutor, input: CreditInput): Promise<{ entryId: string; duplicate: boolean }> {
  const credit = parseInput(creditSchema, input);
  const at = (credit.now ?? new Date()).toISOString();
  const expiresAt = credit.expiresAt ?? null;
  return inLedgerTransaction(db, async (trx) => {
    await lockBalance(trx, credit.accountId, at);
    const existing = await trx
      .selectFrom("ledger_entries")
      .select(["id", "account_id", "kind", "bucket", "amount", "reference_type", "reference_id", "expires_at"])
      .where("idempotency_key", "=", credit.idempotencyKey)
      .where(...NOT_USAGE)
      .executeTakeFirst();
    if (existing) {
      const differences = [
        existing.account_id !== credit.accountId && "account",
        existing.kind !== credit.kind && "kind",
        existing.bucket !== credit.bucket && "bucket",
        Number(existing.amount) !== credit.tokens && "tokens",
        existing.reference_type !== credit.referenceType && "referenceType",
        existing.reference_id !== credit.referenceId && "referenceId",
        existing.expires_at !== expiresAt && "expiresAt",
      ].filter(Boolean);
      if (differences.length) throw new LedgerConflictError(credit.idempotencyKey, `different ${differences.join(", ")}`);
      return { entryId: existing.id, duplicate: true };
    }
    if (expiresAt !== null && expiresAt <= at) throw new LedgerInputError("expiresAt: promo credit must expire in the future");

    const entryId = newLedgerEntryId();
    await trx
      .insertInto("ledger_entries")
      .values({
        id: entryId,
        account_id: credit.accountId,
        kind: credit.kind,
        bucket: credit.bucket,
        amount: credit.tokens,
        idempotency_key: credit.idempotencyKey,
        reference_type: credit.referenceType,
        reference_id: credit.referenceId,
        expires_at: expiresAt,
        grant_entry_id: null,
        note: credit.note ?? null,
        actor_id: credit.actorId ?? null,
        created_at: at,
      })
      .execute();
    if (credit.bucket === "promo") {
      await trx
        .insertInto("ledger_promo_grants")
        .values({
          grant_entry_id: entryId,
          account_id: credit.accountId,
          amount: credit.tokens,
          remaining: credit.tokens,
          expires_at: expiresAt!,
          closed_at: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    await trx
      .updateTable("account_balances")
      .set((eb) => ({ [credit.bucket]: eb(credit.bucket, "+", credit.tokens), updated_at: at }))
      .where("account_id", "=", credit.accountId)
      .execute();
    return { entryId, duplicate: false };
  });
}

// ---------------------------------------------------------------------------------------------
// Debits: usage reported by the gateway, and reversing entries (refunds, corrections)

export interface DebitUsageInput {
  accountId: string;
  /** The gateway's request id: one debit per request, whatever the retries. */
  requestId: string;
  /** Non-negative integer. */
  tokens: number;
  referenceType?: string;
  now?: Date;
  /** Usage record and daily roll-up, written with the debit (not on a replay). */
  usage?: UsageDetail;
  /**
   * The caller's own write, run in the debit's transaction when the debit is new (key counters):
   * a compiled statement, or an item for a batch writer that merges a group commit's items.
   */
  alongside?: Alongside;
  /**
   * What the debit hooks (ledger/debit-hooks.server.ts) need to write with it in the same
   * transaction. The ledger passes it on unread.
   */
  detail?: Readonly<Record<string, unknown>>;
}

export interface DebitUsageResult {
  debited: number;
  /** What could not be taken because the credit ran out. */
  shortfall: number;
  /** Spendable credit left (unexpired promo + paid). */
  balanceAfter: number;
  duplicate: boolean;
}

export const USAGE_REFERENCE_TYPE = "gateway_request";

/**
 * The idempotency key of the usage debit for one gateway request. `%` and `#` in the request id
 * are percent-encoded, so no request id can produce another's key or a split part's `…#2`.
 */
export function usageKey(requestId: string): string {
  return `${USAGE_KEY_PREFIX}${requestId.replace(/[%#]/g, (char) => (char === "%" ? "%25" : "%23"))}`;
}

/**
 * Debits what a request used: promo credit that expires soonest first (expired skipped), then
 * paid; never below zero. Idempotent per requestId: a replay returns the first result.
 */
export async function debitUsage(db: DbExecutor, input: DebitUsageInput): Promise<DebitUsageResult> {
  const { accountId, requestId, tokens } = input;
  if (typeof accountId !== "string" || accountId.length === 0 || accountId.length > 100) throw new LedgerInputError("accountId: required");
  if (typeof requestId !== "string" || requestId.length === 0 || requestId.length > 150) throw new LedgerInputError("requestId: 1 to 150 characters");
  if (!Number.isSafeInteger(tokens) || tokens < 0) throw new LedgerInputError("tokens: a non-negative integer");
  const referenceType = input.referenceType ?? USAGE_REFERENCE_TYPE;
  if (typeof referenceType !== "string" || referenceType.length === 0 || referenceType.length > 50) throw new LedgerInputError("referenceType: 1 to 50 characters");
  const at = (input.now ?? new Date()).toISOString();
  const operation: DebitOperation = {
    key: usageKey(requestId),
    accountId,
    kind: "usage",
    bucket: null,
    requested: tokens,
    referenceType,
    referenceId: requestId,
    note: null,
    actorId: null,
    at,
    usage: input.usage,
    alongside: input.alongside,
    detail: input.detail,
  };

  if (ledgerFastPath.enabled && dialectOf(db) === "postgres") {
    const outcome = db.isTransaction ? (await runDebitBatch(db, [operation]))[0]! : await postgresBatcherFor(db as Db).debit(operation);
    if (outcome.kind === "unknown_account") throw new LedgerInputError(`accountId: no account ${accountId}`);
    if (outcome.kind === "replay") return replayedUsage(operation, outcome.existing);
    return { debited: outcome.debited, shortfall: outcome.shortfall, balanceAfter: outcome.balanceAfter, duplicate: false };
  }

  const fastPath = sqliteFastPathFor(db);
  if (fastPath) {
    const outcome = await fastPath.debit(operation);
    if (outcome.kind === "done") return outcome.result;
    if (outcome.kind === "replay") return replayedUsage(operation, outcome.existing);
  }

  return inLedgerTransaction(db, async (trx) => {
    const balance = await lockBalance(trx, accountId, at);
    const existing = await findDebit(trx, operation.key);
    if (existing) return replayedUsage(operation, existing);
    const sources = balance.promo > 0 ? await usableGrants(trx, accountId, at) : [];
    const plan = planDebit(sources, balance.paid, tokens);
    const balanceAfter = sumRemaining(sources) + balance.paid - plan.debited;
    await writeDebit(trx, operation, plan, balanceAfter);
    if (operation.usage) await writeUsageDetail(trx, operation.usage, { requestId, accountId, at, debited: plan.debited, shortfall: plan.shortfall });
    if (input.alongside) for (const statement of alongsideStatements(trx, [input.alongside])) await trx.executeQuery(statement);
    const written = { accountId, requestId, tokens, debited: plan.debited, shortfall: plan.shortfall, balanceAfter, at, detail: input.detail, usage: input.usage };
    for (const statement of debitHookStatements(trx, [written])) await trx.executeQuery(statement);
    return { debited: plan.debited, shortfall: plan.shortfall, balanceAfter, duplicate: false };
  });
}

export interface ReverseCreditInput {
  accountId: string;
  idempotencyKey: string;
  /** Positive integer: how much credit to take back. */
  tokens: number;
  bucket: LedgerBucket;
  referenceType: string;
  referenceId: string;
  /** For promo: take from this grant only (default: soonest-expiring unexpired grants first). */
  grantEntryId?: string | null;
  note?: string | null;
  actorId?: string | null;
  now?: Date;
}

export interface ReverseCreditResult {
  reversed: number;
  /** What could not be taken back because it was already spent (or expired). */
  unreversed: number;
  balanceAfter: number;
  duplicate: boolean;
}

const reverseSchema = z.object({
  accountId: text(100),
  idempotencyKey: idempotencyKeyField(190),
  tokens: positiveTokens,
  bucket: z.enum(["promo", "paid"]),
  referenceType: text(50),
  referenceId: text(200),
  grantEntryId: z.string().min(1).max(100).nullish(),
  note: z.string().max(2000).nullish(),
  actorId: z.string().max(100).nullish(),
  now: z.date().optional(),
});

/**
 * Takes credit back with negative `adjustment` entries (refunds, corrections), never below zero:
 * the part already spent is reported as `unreversed`. Idempotent by key like every ledger write.
 */
export async function reverseCredit(db: DbExecutor, input: ReverseCreditInput): Promise<ReverseCreditResult> {
  const reversal = parseInput(reverseSchema, input);
  if (reversal.bucket === "paid" && reversal.grantEntryId) throw new LedgerInputError("grantEntryId: only for promo credit");
  const at = (reversal.now ?? new Date()).toISOString();
  const operation: DebitOperation = {
    key: reversal.idempotencyKey,
    accountId: reversal.accountId,
    kind: "reversal",
    bucket: reversal.bucket,
    requested: reversal.tokens,
    referenceType: reversal.referenceType,
    referenceId: reversal.referenceId,
    note: reversal.note ?? null,
    actorId: reversal.actorId ?? null,
    at,
  };
  return inLedgerTransaction(db, async (trx) => {
    const balance = await lockBalance(trx, reversal.accountId, at);
    const existing = await findDebit(trx, operation.key);
    if (existing) {
      const differences = [
        existing.kind !== "reversal" && "kind",
        existing.account_id !== operation.accountId && "account",
        existing.bucket !== operation.bucket && "bucket",
        Number(existing.requested) !== operation.requested && "tokens",
        existing.reference_type !== operation.referenceType && "referenceType",
        existing.reference_id !== operation.referenceId && "referenceId",
      ].filter(Boolean);
      if (differences.length) throw new LedgerConflictError(operation.key, `different ${differences.join(", ")}`);
      return {
        reversed: Number(existing.debited),
        unreversed: Number(existing.shortfall),
        balanceAfter: Number(existing.balance_after),
        duplicate: true,
      };
    }
    // (A usage entry's key is its debit's, found above, or has a `#` no reversal key has.)
    const clash = await trx.selectFrom("ledger_entries").select("id").where("idempotency_key", "=", operation.key).where(...NOT_USAGE).executeTakeFirst();
    if (clash) throw new LedgerConflictError(operation.key, "already used by a credit entry");

    const usable = balance.promo > 0 ? await usableGrants(trx, reversal.accountId, at) : [];
    let plan: DebitPlan;
    if (reversal.bucket === "paid") {
      plan = planDebit([], balance.paid, reversal.tokens);
    } else if (reversal.grantEntryId) {
      const grant = await trx
        .selectFrom("ledger_promo_grants")
        .select(["grant_entry_id as grantEntryId", "remaining"])
        .where("grant_entry_id", "=", reversal.grantEntryId)
        .where("account_id", "=", reversal.accountId)
        .executeTakeFirst();
      if (!grant) throw new LedgerInputError("grantEntryId: no such promo grant on this account");
      plan = planDebit([{ grantEntryId: grant.grantEntryId, remaining: Number(grant.remaining) }], 0, reversal.tokens);
    } else {
      plan = planDebit(usable, 0, reversal.tokens);
    }
    // Spendable after: unexpired promo left + paid left (a reversal from an expired grant changes neither).
    const takenFromUsable = plan.promo.reduce(
      (sum, part) => sum + (usable.some((source) => source.grantEntryId === part.grantEntryId) ? part.tokens : 0),
      0,
    );
    const balanceAfter = sumRemaining(usable) - takenFromUsable + balance.paid - plan.paid;
    await writeDebit(trx, operation, plan, balanceAfter);
    return { reversed: plan.debited, unreversed: plan.shortfall, balanceAfter, duplicate: false };
  });
}

/** Same as `reverseCredit`: a debit that is a correction or refund, not usage. */
export const debitAccount = reverseCredit;

function replayedUsage(operation: DebitOperation, existing: StoredDebit): DebitUsageResult {
  if (existing.kind !== "usage" || existing.account_id !== operation.accountId || Number(existing.requested) !== operation.requested) {
    throw new LedgerConflictError(operation.key, "a different account or number of tokens");
  }
  return {
    debited: Number(existing.debited),
    shortfall: Number(existing.shortfall),
    balanceAfter: Number(existing.balance_after),
    duplicate: true,
  };
}

async function findDebit(trx: Trx, key: string): Promise<StoredDebit | undefined> {
  return trx
    .selectFrom("ledger_debits")
    .select(["account_id", "kind", "bucket", "requested", "debited", "shortfall", "balance_after", "reference_type", "reference_id"])
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

async function writeDebit(trx: Trx, operation: DebitOperation, plan: DebitPlan, balanceAfter: number): Promise<void> {
  const entries = debitEntries(operation, plan, newLedgerEntryId);
  if (entries.length) await trx.insertInto("ledger_entries").values(entries).execute();
  for (const part of plan.promo) {
    await trx
      .updateTable("ledger_promo_grants")
      .set((eb) => ({ remaining: eb("remaining", "-", part.tokens), updated_at: operation.at }))
      .where("grant_entry_id", "=", part.grantEntryId)
      .execute();
  }
  const promoTaken = plan.debited - plan.paid;
  if (plan.debited > 0) {
    await trx
      .updateTable("account_balances")
      .set((eb) => ({ promo: eb("promo", "-", promoTaken), paid: eb("paid", "-", plan.paid), updated_at: operation.at }))
      .where("account_id", "=", operation.accountId)
      .execute();
  }
  await trx
    .insertInto("ledger_debits")
    .values({
      idempotency_key: operation.key,
      account_id: operation.accountId,
      kind: operation.kind,
      bucket: operation.bucket,
      requested: operation.requested,
      debited: plan.debited,
      shortfall: plan.shortfall,
      balance_after: balanceAfter,
      reference_type: operation.referenceType,
      reference_id: operation.referenceId,
      created_at: operation.at,
    })
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Expiry

const EXPIRY_BATCH = 500;

/** The idempotency key of the expiry entry of one promo grant. */
export function expiryKey(grantEntryId: string): string {
  return `expiry:${grantEntryId}`;
}

/**
 * Posts one `expiry` entry per promo grant whose expiry has come (expires_at <= now) for what is
 * left of it, and closes the grant. Safe to run twice or concurrently: a closed grant is skipped
 * under the account's lock, and the entry's key is `expiry:<grantEntryId>`.
 */
export async function expirePromoCredit(db: DbExecutor, now: Date = new Date()): Promise<{ expiredGrants: number; tokens: number }> {
  const at = now.toISOString();
  let expiredGrants = 0;
  let tokens = 0;
  type Cursor = { expiresAt: string; grantEntryId: string };
  let after: Cursor | null = null;
  for (;;) {
    const cursor: Cursor | null = after;
    const due = await db
      .selectFrom("ledger_promo_grants")
      .select(["grant_entry_id", "account_id", "expires_at"])
      .where("closed_at", "is", null)
      .where("expires_at", "<=", at)
      .$if(cursor !== null, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb("expires_at", ">", cursor!.expiresAt),
            eb.and([eb("expires_at", "=", cursor!.expiresAt), eb("grant_entry_id", ">", cursor!.grantEntryId)]),
          ]),
        ),
      )
      .orderBy("expires_at")
      .orderBy("grant_entry_id")
      .limit(EXPIRY_BATCH)
      .execute();
    for (const grant of due) {
      const expired = await inLedgerTransaction(db, (trx) => expireGrant(trx, grant.grant_entry_id, grant.account_id, at));
      if (expired > 0) {
        expiredGrants += 1;
        tokens += expired;
      }
    }
    if (due.length < EXPIRY_BATCH) break;
    const last: { expires_at: string; grant_entry_id: string } = due[due.length - 1]!;
    after = { expiresAt: last.expires_at, grantEntryId: last.grant_entry_id };
  }
  return { expiredGrants, tokens };
}

async function expireGrant(trx: Trx, grantEntryId: string, accountId: string, at: string): Promise<number> {
  await lockBalance(trx, accountId, at);
  const grant = await trx
    .selectFrom("ledger_promo_grants")
    .select(["remaining", "expires_at", "closed_at"])
    .where("grant_entry_id", "=", grantEntryId)
    .executeTakeFirstOrThrow();
  if (grant.closed_at !== null || grant.expires_at > at) return 0;
  const left = Number(grant.remaining);
  let posted = 0;
  if (left > 0) {
    const inserted = await trx
      .insertInto("ledger_entries")
      .values({
        id: newLedgerEntryId(),
        account_id: accountId,
        kind: "expiry",
        bucket: "promo",
        amount: -left,
        idempotency_key: expiryKey(grantEntryId),
        reference_type: "promo_grant",
        reference_id: grantEntryId,
        expires_at: null,
        grant_entry_id: grantEntryId,
        note: null,
        actor_id: null,
        created_at: at,
      })
      .onConflict((conflict) => conflict.column("idempotency_key").where(...NOT_USAGE).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted) {
      posted = left;
      await trx
        .updateTable("account_balances")
        .set((eb) => ({ promo: eb("promo", "-", left), updated_at: at }))
        .where("account_id", "=", accountId)
        .execute();
    }
  }
  await trx
    .updateTable("ledger_promo_grants")
    .set((eb) => ({ remaining: eb("remaining", "-", posted), closed_at: at, updated_at: at }))
    .where("grant_entry_id", "=", grantEntryId)
    .execute();
  return posted;
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface PromoGrantBalance {
  entryId: string;
  remaining: number;
  expiresAt: string;
}

/**
 * Who owns a ledger: a person's account, or an organization (issue #17). Both are rows in `users`
 * (an organization's has role 'organization'), so every ledger table, the SQLite fast path and the
 * PostgreSQL batch function key them alike by `account_id`; this names the kind for the callers.
 */
export type LedgerOwnerType = "account" | "organization";

export async function ledgerOwnerType(db: DbExecutor, accountId: string): Promise<LedgerOwnerType> {
  const row = await db.selectFrom("users").select("role").where("id", "=", accountId).executeTakeFirst();
  return row?.role === ORGANIZATION_ROLE ? "organization" : "account";
}

export interface Balance {
  /** Spendable now: unexpired promo + paid. */
  total: number;
  promo: number;
  paid: number;
  /** Unexpired promo grants with something left, soonest expiry first (the order they are spent in). */
  promoGrants: PromoGrantBalance[];
}

export async function getBalance(db: DbExecutor, accountId: string, now: Date = new Date()): Promise<Balance> {
  const at = now.toISOString();
  const [row, grants] = await Promise.all([
    db.selectFrom("account_balances").select(["paid"]).where("account_id", "=", accountId).executeTakeFirst(),
    db
      .selectFrom("ledger_promo_grants")
      .select(["grant_entry_id", "remaining", "expires_at"])
      .where("account_id", "=", accountId)
      .where("remaining", ">", 0)
      .where("expires_at", ">", at)
      .orderBy("expires_at")
      .orderBy("grant_entry_id")
      .execute(),
  ]);
  const promoGrants = grants.map((grant) => ({ entryId: grant.grant_entry_id, remaining: Number(grant.remaining), expiresAt: grant.expires_at }));
  const promo = promoGrants.reduce((sum, grant) => sum + grant.remaining, 0);
  const paid = Number(row?.paid ?? 0);
  return { total: promo + paid, promo, paid, promoGrants };
}

export interface LedgerEntryView {
  id: string;
  kind: LedgerEntryKind;
  bucket: LedgerBucket;
  amount: number;
  referenceType: string;
  referenceId: string;
  expiresAt: string | null;
  grantEntryId: string | null;
  note: string | null;
  createdAt: string;
}

export interface LedgerPage {
  entries: LedgerEntryView[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** An account's entries, newest first, a page at a time (keyset on created_at, id). */
export async function listEntries(
  db: DbExecutor,
  accountId: string,
  options: { limit?: number; before?: string | null } = {},
): Promise<LedgerPage> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 500);
  let cursor: { created_at: string; id: string } | undefined;
  if (options.before) {
    cursor = await db
      .selectFrom("ledger_entries")
      .select(["created_at", "id"])
      .where("id", "=", options.before)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (!cursor) return { entries: [], nextCursor: null };
  }
  const rows = await db
    .selectFrom("ledger_entries")
    .selectAll()
    .where("account_id", "=", accountId)
    .$if(cursor !== undefined, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("created_at", "<", cursor!.created_at),
          eb.and([eb("created_at", "=", cursor!.created_at), eb("id", "<", cursor!.id)]),
        ]),
      ),
    )
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  return {
    entries: page.map((row) => ({
      id: row.id,
      kind: row.kind,
      bucket: row.bucket,
      amount: Number(row.amount),
      referenceType: row.reference_type,
      referenceId: row.reference_id,
      expiresAt: row.expires_at,
      grantEntryId: row.grant_entry_id,
      note: row.note,
      createdAt: row.created_at,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Verification

export type LedgerMismatch =
  | { type: "account_balance"; accountId: string; bucket: LedgerBucket; cached: number; sumOfEntries: number }
  | { type: "grant_remaining"; grantEntryId: string; accountId: string; cached: number; sumOfEntries: number }
  | { type: "missing_grant"; grantEntryId: string; accountId: string }
  | { type: "closed_grant_not_empty"; grantEntryId: string; accountId: string; remaining: number }
  | { type: "negative"; accountId: string; what: string; value: number }
  /** Entries of an account without a balance row (every write of an entry locks that row first). */
  | { type: "no_balance_row"; accountId: string }
  /**
   * Entries sharing one idempotency key. The database keeps only the keys of entries other than
   * usage unique (migration 0027); a usage entry's key is unique through its debit's.
   */
  | { type: "shared_key"; idempotencyKey: string; entries: number };

export interface LedgerVerification {
  ok: boolean;
  accounts: number;
  entries: number;
  grants: number;
  mismatches: LedgerMismatch[];
}

/**
 * Proves the caches: every account's cached balance per bucket equals the sum of its entries,
 * every promo grant's remaining equals its amount plus what consumed it, nothing is negative,
 * and no two entries share an idempotency key.
 */
export async function verifyLedger(db: DbExecutor): Promise<LedgerVerification> {
  const [sums, balances, grants, grantSums, positivePromo, counted, sharedKeys] = await Promise.all([
    db
      .selectFrom("ledger_entries")
      .select(["account_id", "bucket", (eb) => eb.fn.sum<number>("amount").as("total")])
      .groupBy(["account_id", "bucket"])
      .execute(),
    db.selectFrom("account_balances").select(["account_id", "promo", "paid"]).execute(),
    db.selectFrom("ledger_promo_grants").select(["grant_entry_id", "account_id", "amount", "remaining", "closed_at"]).execute(),
    db
      .selectFrom("ledger_entries")
      .select(["grant_entry_id", (eb) => eb.fn.sum<number>("amount").as("total")])
      .where("grant_entry_id", "is not", null)
      .groupBy("grant_entry_id")
      .execute(),
    db
      .selectFrom("ledger_entries")
      .select(["id", "account_id", "amount"])
      .where("bucket", "=", "promo")
      .where("amount", ">", 0)
      .execute(),
    db.selectFrom("ledger_entries").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    db
      .selectFrom("ledger_entries")
      .select(["idempotency_key", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("idempotency_key")
      .having((eb) => eb.fn.countAll(), ">", 1)
      .orderBy("idempotency_key")
      .limit(1000)
      .execute(),
  ]);

  const mismatches: LedgerMismatch[] = [];
  const sumByAccount = new Map<string, { promo: number; paid: number }>();
  for (const row of sums) {
    const entry = sumByAccount.get(row.account_id) ?? { promo: 0, paid: 0 };
    entry[row.bucket] = Number(row.total ?? 0);
    sumByAccount.set(row.account_id, entry);
  }
  const cachedByAccount = new Map(balances.map((row) => [row.account_id, { promo: Number(row.promo), paid: Number(row.paid) }]));
  for (const accountId of sumByAccount.keys()) {
    if (!cachedByAccount.has(accountId)) mismatches.push({ type: "no_balance_row", accountId });
  }
  for (const accountId of new Set([...sumByAccount.keys(), ...cachedByAccount.keys()])) {
    const summed = sumByAccount.get(accountId) ?? { promo: 0, paid: 0 };
    const cached = cachedByAccount.get(accountId) ?? { promo: 0, paid: 0 };
    for (const bucket of ["promo", "paid"] as const) {
      if (summed[bucket] !== cached[bucket]) {
        mismatches.push({ type: "account_balance", accountId, bucket, cached: cached[bucket], sumOfEntries: summed[bucket] });
      }
      if (cached[bucket] < 0) mismatches.push({ type: "negative", accountId, what: `balance.${bucket}`, value: cached[bucket] });
    }
  }

  const consumedByGrant = new Map(grantSums.map((row) => [row.grant_entry_id!, Number(row.total ?? 0)]));
  const grantById = new Map(grants.map((row) => [row.grant_entry_id, row]));
  for (const grant of grants) {
    const expected = Number(grant.amount) + (consumedByGrant.get(grant.grant_entry_id) ?? 0);
    const remaining = Number(grant.remaining);
    if (expected !== remaining) {
      mismatches.push({ type: "grant_remaining", grantEntryId: grant.grant_entry_id, accountId: grant.account_id, cached: remaining, sumOfEntries: expected });
    }
    if (remaining < 0) mismatches.push({ type: "negative", accountId: grant.account_id, what: `grant ${grant.grant_entry_id}`, value: remaining });
    if (grant.closed_at !== null && remaining !== 0) {
      mismatches.push({ type: "closed_grant_not_empty", grantEntryId: grant.grant_entry_id, accountId: grant.account_id, remaining });
    }
  }
  for (const entry of positivePromo) {
    const grant = grantById.get(entry.id);
    if (!grant || Number(grant.amount) !== Number(entry.amount)) {
      mismatches.push({ type: "missing_grant", grantEntryId: entry.id, accountId: entry.account_id });
    }
  }
  for (const grantEntryId of consumedByGrant.keys()) {
    if (!grantById.has(grantEntryId)) mismatches.push({ type: "missing_grant", grantEntryId, accountId: "?" });
  }

  for (const row of sharedKeys) mismatches.push({ type: "shared_key", idempotencyKey: row.idempotency_key, entries: Number(row.n) });

  return {
    ok: mismatches.length === 0,
    accounts: new Set([...sumByAccount.keys(), ...cachedByAccount.keys()]).size,
    entries: Number(counted.n),
    grants: grants.length,
    mismatches,
  };
}

// ---------------------------------------------------------------------------------------------
// Transactions and locks

/**
 * Locks the account's balance row for the rest of the transaction (creating it at zero if need
 * be) and returns it. An upsert rather than SELECT … FOR UPDATE: one statement, it takes the row
 * lock on PostgreSQL and the write lock on SQLite before anything is read.
 */
async function lockBalance(trx: Trx, accountId: string, at: string): Promise<{ promo: number; paid: number }> {
  const row = await trx
    .insertInto("account_balances")
    .values({ account_id: accountId, promo: 0, paid: 0, created_at: at, updated_at: at })
    .onConflict((conflict) => conflict.column("account_id").doUpdateSet((eb) => ({ updated_at: eb.ref("excluded.updated_at") })))
    .returning(["promo", "paid"])
    .executeTakeFirstOrThrow();
  return { promo: Number(row.promo), paid: Number(row.paid) };
}

/** Unexpired promo grants with something left, in the order they are spent. */
async function usableGrants(trx: Trx, accountId: string, at: string): Promise<PromoSource[]> {
  const rows = await trx
    .selectFrom("ledger_promo_grants")
    .select(["grant_entry_id", "remaining"])
    .where("account_id", "=", accountId)
    .where("remaining", ">", 0)
    .where("expires_at", ">", at)
    .orderBy("expires_at")
    .orderBy("grant_entry_id")
    .execute();
  return rows.map((row) => ({ grantEntryId: row.grant_entry_id, remaining: Number(row.remaining) }));
}

function sumRemaining(sources: readonly PromoSource[]): number {
  return sources.reduce((sum, source) => sum + source.remaining, 0);
}

const RETRYABLE_CODES = new Set([
  "23505", // unique_violation: a concurrent writer used the same key; the retry sees its row
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "SQLITE_BUSY",
  "SQLITE_CONSTRAINT_UNIQUE",
  "SQLITE_CONSTRAINT_PRIMARYKEY",
]);
const UNIQUE_CODES = new Set(["23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Runs `work` in a transaction of its own, or inside the caller's when `db` already is one (then
 * the caller commits, and a failure rolls back the caller's work too). Races on a unique key are
 * retried: the second attempt finds the winner's row and answers as a replay.
 */
async function inLedgerTransaction<T>(db: DbExecutor, work: (trx: Trx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as Trx);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      const code = errorCode(error);
      if (!code || !RETRYABLE_CODES.has(code)) throw error;
      if (attempt >= 3) {
        if (UNIQUE_CODES.has(code)) throw new LedgerConflictError("?", `idempotency key collision (${String((error as Error).message)})`);
        throw error;
      }
    }
  }
}
