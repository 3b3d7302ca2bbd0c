// The gateway's two questions, on every LLM request: is this key good (one indexed read), and
// what did the request use (one short write transaction, the ledger's debit; plus, at most once a
// minute per key, a one-row last-used update). No sessions, no HTML, nothing cached: a revoked
// key is refused on the very next call.
import type SQLite from "better-sqlite3";
import type { CompiledQuery } from "kysely";
import { sqliteHandleOf, type DbExecutor } from "~/lib/db.server";
import { resolveModelName } from "~/providers/model-names";
import type { ProviderProfile } from "~/providers/types";
import { checkKeyFormat, type KeyFormatFailure } from "./api-key-format";
import { hashApiKey } from "./api-keys.server";
import { keyTokenCounter } from "./key-limits/counters.server";
import { countsRequests, enforceKeyLimits, KEY_LIMIT_SELECTION, type KeyLimitRow } from "./key-limits/enforce.server";
import { windowsAt } from "./key-limits/limits";
import { memberBudgetRefusal, memberBudgetState } from "./key-limits/member-budget.server";
import { debitUsage, LedgerConflictError, usageKey } from "./ledger.server";

export type GatewayErrorCode =
  | "unauthorized"
  | "invalid_request"
  | "malformed_key"
  | "foreign_key"
  | "bad_checksum"
  | "unknown_key"
  | "key_revoked"
  | "key_expired"
  | "insufficient_credit"
  | "tokens_owed"
  | "account_disabled"
  | "request_conflict"
  | "request_id_taken"
  | "key_mismatch"
  | "cached_exceeds_input"
  | "model_not_found"
  | "rate_limited"
  | "budget_exhausted"
  | "model_not_allowed"
  | "ip_not_allowed";

export const GATEWAY_ERROR_STATUS: Record<GatewayErrorCode, number> = {
  unauthorized: 401,
  invalid_request: 400,
  malformed_key: 401,
  foreign_key: 401,
  bad_checksum: 401,
  unknown_key: 401,
  key_revoked: 401,
  key_expired: 401,
  insufficient_credit: 402,
  tokens_owed: 402,
  account_disabled: 403,
  request_conflict: 409,
  request_id_taken: 409,
  key_mismatch: 422,
  cached_exceeds_input: 422,
  model_not_found: 404,
  rate_limited: 429,
  budget_exhausted: 429,
  model_not_allowed: 403,
  ip_not_allowed: 403,
};

export const GATEWAY_ERROR_MESSAGES: Record<GatewayErrorCode, string> = {
  unauthorized: "Missing or invalid service token.",
  invalid_request: "The request body is not valid.",
  malformed_key: "The API key does not have the expected format.",
  foreign_key: "The API key was not issued for this provider.",
  bad_checksum: "The API key's checksum does not match.",
  unknown_key: "No such API key.",
  key_revoked: "The API key was revoked.",
  key_expired: "The API key has expired.",
  insufficient_credit: "The account has no credit left.",
  tokens_owed: "The account owes tokens after a refund; it can be used again once they are paid off.",
  account_disabled: "The account is disabled.",
  request_conflict: "This request_id was already reported with different numbers.",
  request_id_taken: "This request_id was already reported for another account; request ids must be unique across accounts.",
  cached_exceeds_input: "cached_input_tokens is part of input_tokens: it cannot be larger.",
  key_mismatch: "key_id and api_key name different keys; send one of them.",
  model_not_found: "This OpenAI model has no equivalent at this provider.",
  rate_limited: "The key's requests or tokens per minute are used up; retry after retry_after_ms.",
  budget_exhausted: "The key's daily or monthly token budget is used up (see budget and resets_at).",
  model_not_allowed: "The key may not use this model (or the request named no model).",
  ip_not_allowed: "The key may not be used from this client address (or the request gave none).",
};

export interface GatewayFailure {
  ok: false;
  code: GatewayErrorCode;
  /** Extra machine-readable fields for the error body (never the key). */
  context?: Record<string, unknown>;
}

const KEY_FORMAT_CODES: Record<KeyFormatFailure, GatewayErrorCode> = {
  malformed: "malformed_key",
  foreign_prefix: "foreign_key",
  bad_checksum: "bad_checksum",
};

interface KeyRow extends KeyLimitRow {
  id: string;
  user_id: string;
  /** The organization member who created the key; null for an account's own key. */
  created_by: string | null;
  revoked_at: string | null;
  expires_at: string | null;
  disabled_at: string | null;
  paid: number | null;
  promo_live: number | null;
  owed: number | null;
}

interface UsageKeyRow {
  id: string;
  user_id: string;
  last_used_at: string | null;
}

/**
 * The few statements the gateway runs, built once per database. On SQLite they are better-sqlite3
 * prepared statements (no query building, no async hop); elsewhere Kysely queries compiled once
 * and re-run with new parameters. Both run the same SQL, compiled by Kysely from one definition.
 */
interface GatewayStatements {
  keyByHash(keyHash: string, now: string): Promise<KeyRow | undefined> | KeyRow | undefined;
  usageKeyByHash(keyHash: string): Promise<UsageKeyRow | undefined> | UsageKeyRow | undefined;
  usageKeyById(keyId: string): Promise<UsageKeyRow | undefined> | UsageKeyRow | undefined;
  touch(keyId: string, now: string): Promise<unknown> | unknown;
}

const NOW_SLOT = "\u0000now";
const KEY_SLOT = "\u0000key";

function compileStatements(db: DbExecutor) {
  const keyByHash = db
    .selectFrom("api_keys as k")
    .innerJoin("users as u", "u.id", "k.user_id")
    .leftJoin("account_balances as b", "b.account_id", "k.user_id")
    .leftJoin("api_key_limits as l", "l.key_id", "k.id")
    .leftJoin("api_key_counters as c", "c.key_id", "k.id")
    .select(KEY_LIMIT_SELECTION)
    .select([
      "k.id",
      "k.user_id",
      "k.created_by",
      "k.revoked_at",
      "k.expires_at",
      "u.disabled_at",
      "b.paid",
      // Promo credit past its expiry stays in the cached balance until the expiry job posts it,
      // so the live promo credit is summed from the open grants (an index range on one account).
      (eb) =>
        eb
          .selectFrom("ledger_promo_grants as g")
          .select((inner) => inner.fn.sum<number>("g.remaining").as("s"))
          .whereRef("g.account_id", "=", "k.user_id")
          .where("g.remaining", ">", 0)
          .where("g.expires_at", ">", NOW_SLOT)
          .as("promo_live"),
      // Tokens a refund could not take back (billing): while any are owed, usage is refused.
      (eb) =>
        eb
          .selectFrom("billing_debts as d")
          .select((inner) => inner.fn.sum<number>(inner("d.tokens", "-", inner.ref("d.settled_tokens"))).as("o"))
          .whereRef("d.account_id", "=", "k.user_id")
          .as("owed"),
    ])
    .where("k.key_hash", "=", KEY_SLOT)
    .compile() as CompiledQuery<KeyRow>;
  const usageKeyByHash = db.selectFrom("api_keys").select(["id", "user_id", "last_used_at"]).where("key_hash", "=", KEY_SLOT).compile() as CompiledQuery<UsageKeyRow>;
  const usageKeyById = db.selectFrom("api_keys").select(["id", "user_id", "last_used_at"]).where("id", "=", KEY_SLOT).compile() as CompiledQuery<UsageKeyRow>;
  const touch = db.updateTable("api_keys").set({ last_used_at: NOW_SLOT }).where("id", "=", KEY_SLOT).compile();
  return { keyByHash, usageKeyByHash, usageKeyById, touch };
}

function bind(parameters: readonly unknown[], key: string, now = ""): unknown[] {
  return parameters.map((value) => (value === NOW_SLOT ? now : value === KEY_SLOT ? key : value));
}

function portableStatements(db: DbExecutor): GatewayStatements {
  const compiled = compileStatements(db);
  const first = async <R>(query: CompiledQuery<R>, key: string, now?: string) => (await db.executeQuery<R>({ ...query, parameters: bind(query.parameters, key, now) })).rows[0];
  return {
    keyByHash: (keyHash, now) => first(compiled.keyByHash, keyHash, now),
    usageKeyByHash: (keyHash) => first(compiled.usageKeyByHash, keyHash),
    usageKeyById: (keyId) => first(compiled.usageKeyById, keyId),
    touch: (keyId, now) => db.executeQuery({ ...compiled.touch, parameters: bind(compiled.touch.parameters, keyId, now) }),
  };
}

function sqliteStatements(raw: SQLite.Database, db: DbExecutor, portable: GatewayStatements): GatewayStatements {
  const compiled = compileStatements(db);
  const prepared = {
    keyByHash: raw.prepare(compiled.keyByHash.sql),
    usageKeyByHash: raw.prepare(compiled.usageKeyByHash.sql),
    usageKeyById: raw.prepare(compiled.usageKeyById.sql),
    touch: raw.prepare(compiled.touch.sql),
  };
  // While a Kysely transaction is open on the shared connection, queue behind it like any query
  // instead of reading its uncommitted rows.
  const busy = () => raw.inTransaction;
  return {
    keyByHash: (keyHash, now) => (busy() ? portable.keyByHash(keyHash, now) : (prepared.keyByHash.get(...bind(compiled.keyByHash.parameters, keyHash, now)) as KeyRow | undefined)),
    usageKeyByHash: (keyHash) => (busy() ? portable.usageKeyByHash(keyHash) : (prepared.usageKeyByHash.get(...bind(compiled.usageKeyByHash.parameters, keyHash)) as UsageKeyRow | undefined)),
    usageKeyById: (keyId) => (busy() ? portable.usageKeyById(keyId) : (prepared.usageKeyById.get(...bind(compiled.usageKeyById.parameters, keyId)) as UsageKeyRow | undefined)),
    touch: (keyId, now) => (busy() ? portable.touch(keyId, now) : prepared.touch.run(...bind(compiled.touch.parameters, keyId, now))),
  };
}

const statementCache = new WeakMap<DbExecutor, GatewayStatements>();

function statementsFor(db: DbExecutor): GatewayStatements {
  let statements = statementCache.get(db);
  if (!statements) {
    const portable = portableStatements(db);
    const raw = sqliteHandleOf(db);
    statements = raw ? sqliteStatements(raw, db, portable) : portable;
    if (!raw && !db.isTransaction) statements = rememberingUsageKeys(statements);
    statementCache.set(db, statements);
  }
  return statements;
}

/** Keys remembered per process for usage reports (a round trip each on PostgreSQL otherwise). */
export const USAGE_KEYS_REMEMBERED = 10_000;

/**
 * A key's id, hash and account never change and keys are never deleted (revoked ones are still
 * charged for what they used), so a usage report's key lookup is remembered; only `last_used_at`
 * moves, and the remembered row follows this process's own touches (another process's touch at
 * worst makes this one touch once more in the minute). Authorize is not remembered here: it must
 * see a revoke at once. Not inside a transaction, whose rows may yet be rolled back.
 */
function rememberingUsageKeys(statements: GatewayStatements): GatewayStatements {
  const remembered = new Map<string, UsageKeyRow>();
  // A key looked up by hash and by id is one row object, remembered under both (`id:` always).
  const remember = (slot: string, found: UsageKeyRow | undefined) => {
    if (!found) return found;
    while (remembered.size >= USAGE_KEYS_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    const row = remembered.get(`id:${found.id}`) ?? found;
    remembered.set(`id:${row.id}`, row);
    remembered.set(slot, row);
    return row;
  };
  const lookUp = async (slot: string, load: () => Promise<UsageKeyRow | undefined> | UsageKeyRow | undefined) => remembered.get(slot) ?? remember(slot, await load());
  return {
    ...statements,
    usageKeyByHash: (keyHash) => lookUp(`hash:${keyHash}`, () => statements.usageKeyByHash(keyHash)),
    usageKeyById: (keyId) => lookUp(`id:${keyId}`, () => statements.usageKeyById(keyId)),
    async touch(keyId, now) {
      await statements.touch(keyId, now);
      const row = remembered.get(`id:${keyId}`);
      if (row) row.last_used_at = now;
    },
  };
}

export interface AuthorizedKey {
  ok: true;
  account_id: string;
  key_id: string;
  remaining_tokens: number;
  key_expires_at: string | null;
  /** The provider model to call when the request named an OpenAI model (or the name as given). */
  provider_model: string | null;
  /**
   * True when an answer for this key must not be reused (the metering proxy's authorize cache
   * skips it): a requests-per-minute limit took a counter slot, or a token rate, a budget or an
   * organization member's budget can run out from one request to the next.
   */
  counts_requests: boolean;
}

/** The provider model for a requested name; undefined when it is an OpenAI name without one. */
function resolveModel(profile: Pick<ProviderProfile, "modelMap">, model: string | undefined): string | null | undefined {
  if (!model) return null;
  const resolution = resolveModelName(profile.modelMap, model);
  return resolution.kind === "not_found" ? undefined : resolution.provider;
}

function remainingOf(row: KeyRow): number {
  return Math.max(0, Number(row.paid ?? 0) + Number(row.promo_live ?? 0));
}

/** Whether a key may be used now: checksum and prefix first, then one indexed read. */
export async function authorizeApiKey(
  db: DbExecutor,
  profile: Pick<ProviderProfile, "keyPrefix" | "modelMap" | "keyLimitDefaults">,
  input: { apiKey: string; model?: string; clientIp?: string },
  now: Date = new Date(),
): Promise<AuthorizedKey | GatewayFailure> {
  const format = checkKeyFormat(input.apiKey, profile.keyPrefix);
  if (!format.ok) return { ok: false, code: KEY_FORMAT_CODES[format.reason] };
  const row = await statementsFor(db).keyByHash(hashApiKey(input.apiKey), now.toISOString());
  if (!row) return { ok: false, code: "unknown_key" };
  const ids = { account_id: row.user_id, key_id: row.id };
  if (row.revoked_at) return { ok: false, code: "key_revoked", context: ids };
  if (row.expires_at && row.expires_at <= now.toISOString()) return { ok: false, code: "key_expired", context: ids };
  if (row.disabled_at) return { ok: false, code: "account_disabled", context: ids };
  if (Number(row.owed ?? 0) > 0) return { ok: false, code: "tokens_owed", context: { ...ids, owed_tokens: Number(row.owed) } };
  const remaining = remainingOf(row);
  if (remaining <= 0) return { ok: false, code: "insufficient_credit", context: { ...ids, remaining_tokens: 0 } };
  const providerModel = resolveModel(profile, input.model);
  if (providerModel === undefined) return { ok: false, code: "model_not_found", context: { ...ids, model: input.model } };
  if (row.created_by !== null) {
    // An organization's key: its creator must still be a member, within their monthly budget.
    const windows = windowsAt(now);
    const member = await memberBudgetState(db, row.user_id, row.created_by, windows);
    if (!member.member) return { ok: false, code: "key_revoked", context: ids };
    const overBudget = memberBudgetRefusal(member, windows);
    if (overBudget) return { ok: false, code: overBudget.code, context: { ...ids, ...overBudget.context } };
  }
  const refusal = await enforceKeyLimits(db, profile.keyLimitDefaults, row, { model: input.model, providerModel, clientIp: input.clientIp }, now);
  if (refusal) return { ok: false, code: refusal.code, context: { ...ids, ...refusal.context } };
  return { ok: true, ...ids, remaining_tokens: remaining, key_expires_at: row.expires_at, provider_model: providerModel, counts_requests: row.created_by !== null || countsRequests(profile.keyLimitDefaults, row) };
}

export interface UsageReport {
  requestId: string;
  keyId?: string;
  apiKey?: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Part of inputTokens read from the provider's prompt cache (0 when not reported). */
  cachedInputTokens?: number;
  /** The model that served the request; when absent, the model map's answer for `model`. */
  providerModel?: string;
}

export interface RecordedUsage {
  ok: true;
  request_id: string;
  account_id: string;
  key_id: string;
  model: string;
  tokens: number;
  debited_tokens: number;
  shortfall_tokens: number;
  remaining_tokens: number;
  duplicate: boolean;
}

/** last_used_at is kept to the minute: a busy key does not rewrite its row on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Debits a request's tokens once per request id. A key revoked or expired after the request was
 * authorized is still charged: the tokens were used. Never below zero; the rest is the shortfall.
 */
export async function recordUsage(
  db: DbExecutor,
  profile: Pick<ProviderProfile, "keyPrefix" | "modelMap">,
  report: UsageReport,
  now: Date = new Date(),
): Promise<RecordedUsage | GatewayFailure> {
  if ((report.cachedInputTokens ?? 0) > report.inputTokens) return { ok: false, code: "cached_exceeds_input" };
  const statements = statementsFor(db);
  let key: UsageKeyRow | undefined;
  if (report.apiKey !== undefined) {
    const format = checkKeyFormat(report.apiKey, profile.keyPrefix);
    if (!format.ok) return { ok: false, code: KEY_FORMAT_CODES[format.reason] };
    key = await statements.usageKeyByHash(hashApiKey(report.apiKey));
    if (key && report.keyId !== undefined && report.keyId !== key.id) return { ok: false, code: "key_mismatch" };
  } else if (report.keyId !== undefined) {
    key = await statements.usageKeyById(report.keyId);
  }
  if (!key) return { ok: false, code: "unknown_key" };
  const tokens = report.inputTokens + report.outputTokens;
  const found = key;
  try {
    const usage = {
      keyId: found.id,
      model: report.model,
      providerModel: report.providerModel ?? resolveModel(profile, report.model) ?? null,
      inputTokens: report.inputTokens,
      cachedInputTokens: report.cachedInputTokens ?? 0,
      outputTokens: report.outputTokens,
    };
    // The key counters' tokens, merged with the other debits' of a PostgreSQL group commit into one upsert.
    const alongside = { writer: keyTokenCounter, item: { keyId: found.id, tokens, windows: windowsAt(now), now: now.toISOString() } };
    const debit = await debitUsage(db, { accountId: found.user_id, requestId: report.requestId, tokens, now, usage, alongside });
    if (!debit.duplicate && isStale(found.last_used_at, now)) await statements.touch(found.id, now.toISOString());
    return {
      ok: true,
      request_id: report.requestId,
      account_id: found.user_id,
      key_id: found.id,
      model: report.model,
      tokens,
      debited_tokens: debit.debited,
      shortfall_tokens: debit.shortfall,
      remaining_tokens: debit.balanceAfter,
      duplicate: debit.duplicate,
    };
  } catch (error) {
    if (error instanceof LedgerConflictError) return conflictOf(db, report.requestId, found.user_id);
    throw error;
  }
}

/** A reused request id: the same account with other numbers, or another account altogether. */
async function conflictOf(db: DbExecutor, requestId: string, accountId: string): Promise<GatewayFailure> {
  const first = await db.selectFrom("ledger_debits").select("account_id").where("idempotency_key", "=", usageKey(requestId)).executeTakeFirst();
  const code = first && first.account_id !== accountId ? "request_id_taken" : "request_conflict";
  return { ok: false, code, context: { request_id: requestId } };
}

function isStale(lastUsedAt: string | null, now: Date): boolean {
  return lastUsedAt === null || Date.parse(lastUsedAt) <= now.getTime() - LAST_USED_RESOLUTION_MS;
}
