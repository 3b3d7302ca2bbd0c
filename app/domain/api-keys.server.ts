// API keys: create, list, revoke, roll. The key is returned once by create/roll and never stored:
// only its SHA-256, the visible prefix and the last four characters are kept.
import { randomBytes } from "node:crypto";
import { sha256Hex } from "~/lib/crypto.server";
import type { ApiKeysTable } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { formatDateTime, isLocale } from "~/lib/i18n";
import { translator } from "~/lib/i18n.server";
import { newId } from "~/lib/ids.server";
import { sendMail } from "~/lib/mail.server";
import { recordAudit } from "./audit.server";
import { appUrl } from "./accounts.server";
import { assembleKey, BASE62, KEY_RANDOM_LENGTH, visibleParts } from "./api-key-format";

export const MAX_ACTIVE_KEYS = 20;
export const MAX_ROLL_GRACE_HOURS = 7 * 24;
/** Creating or rolling a key needs a password entry at most this long ago. */
export const KEY_REAUTH_MAX_AGE_MS = 10 * 60 * 1000;

export type ApiKeyStatus = "active" | "rolling" | "expired" | "revoked";

export interface ApiKeySummary {
  id: string;
  name: string;
  visiblePrefix: string;
  lastFour: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  rolledToId: string | null;
  status: ApiKeyStatus;
}

export type ApiKeyFailure = "not_found" | "too_many_keys" | "already_created" | "not_active";
export type ApiKeyResult<T> = ({ ok: true } & T) | { ok: false; reason: ApiKeyFailure };

/** `prefix_` + 32 unbiased base62 characters from the CSPRNG + checksum. */
export function generateApiKey(prefix: string): string {
  let random = "";
  while (random.length < KEY_RANDOM_LENGTH) {
    for (const byte of randomBytes(48)) {
      // 248 = 4 × 62: bytes above it are dropped so every character is equally likely.
      if (byte < 248 && random.length < KEY_RANDOM_LENGTH) random += BASE62[byte % 62];
    }
  }
  return assembleKey(prefix, random);
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

export function keyStatus(row: Pick<ApiKeysTable, "revoked_at" | "expires_at" | "rolled_at">, now: Date): ApiKeyStatus {
  if (row.revoked_at) return "revoked";
  if (row.expires_at && row.expires_at <= now.toISOString()) return "expired";
  if (row.rolled_at) return "rolling";
  return "active";
}

function toSummary(row: ApiKeysTable, now: Date): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    visiblePrefix: row.visible_prefix,
    lastFour: row.last_four,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    rolledToId: row.rolled_to_id,
    status: keyStatus(row, now),
  };
}

export async function listApiKeys(db: DbExecutor, accountId: string, now: Date = new Date()): Promise<ApiKeySummary[]> {
  const rows = await db.selectFrom("api_keys").selectAll().where("user_id", "=", accountId).orderBy("created_at", "desc").execute();
  return rows.map((row) => toSummary(row, now));
}

/** One of the account's keys; another account's key id is simply not found. */
export async function getApiKey(db: DbExecutor, accountId: string, keyId: string, now: Date = new Date()): Promise<ApiKeySummary | undefined> {
  const row = await db.selectFrom("api_keys").selectAll().where("id", "=", keyId).where("user_id", "=", accountId).executeTakeFirst();
  return row ? toSummary(row, now) : undefined;
}

/** Keys that count against the limit: usable and not already being replaced by a roll. */
async function countActiveKeys(db: DbExecutor, accountId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom("api_keys")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("user_id", "=", accountId)
    .where("revoked_at", "is", null)
    .where("rolled_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now.toISOString())]))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface CreateApiKeyInput {
  accountId: string;
  name: string;
  prefix: string;
  expiresAt?: Date | null;
  /** The one-time token of the form that asked, so a resubmission cannot create a second key. */
  creationToken?: string;
  ip?: string | null;
  now?: Date;
  /**
   * The random part of the key, chosen by the caller: only the demo seed passes one (its key is
   * published, and demo mode never runs in production). Everyone else gets a random key.
   */
  publishedDemoRandom?: string;
  /**
   * An organization's key: `accountId` is the organization's ledger owner and this is the member
   * who creates it (audited as the actor, mailed the notice, counted against their budget).
   */
  createdBy?: string;
}

interface NewKeyRow {
  key: string;
  row: ApiKeysTable;
}

const DEMO_RANDOM = new RegExp(`^[0-9A-Za-z]{${KEY_RANDOM_LENGTH}}$`);

function buildKeyRow(input: CreateApiKeyInput, now: Date): NewKeyRow {
  if (input.publishedDemoRandom !== undefined && !DEMO_RANDOM.test(input.publishedDemoRandom)) throw new Error("a demo key's random part is 32 base62 characters");
  const key = input.publishedDemoRandom !== undefined ? assembleKey(input.prefix, input.publishedDemoRandom) : generateApiKey(input.prefix);
  const { visiblePrefix, lastFour } = visibleParts(key, input.prefix);
  return {
    key,
    row: {
      id: newId("key"),
      user_id: input.accountId,
      name: input.name,
      key_hash: hashApiKey(key),
      visible_prefix: visiblePrefix,
      last_four: lastFour,
      creation_token_hash: input.creationToken ? sha256Hex(`key-form:${input.creationToken}`) : null,
      created_at: now.toISOString(),
      last_used_at: null,
      expires_at: input.expiresAt ? input.expiresAt.toISOString() : null,
      revoked_at: null,
      rolled_at: null,
      rolled_to_id: null,
      created_by: input.createdBy ?? null,
    },
  };
}

async function creationTokenUsed(db: DbExecutor, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const row = await db.selectFrom("api_keys").select("id").where("creation_token_hash", "=", sha256Hex(`key-form:${token}`)).executeTakeFirst();
  return row !== undefined;
}

async function noticeNewKey(db: DbExecutor, accountId: string, row: ApiKeysTable, rolledFrom: ApiKeysTable | null) {
  // An organization's key is announced to the member who created it, not to the organization's row.
  const user = await db.selectFrom("users").select(["email", "locale"]).where("id", "=", row.created_by ?? accountId).executeTakeFirstOrThrow();
  const t = translator(user.locale);
  const locale = isLocale(user.locale) ? user.locale : "en";
  const until = rolledFrom?.revoked_at ?? rolledFrom?.expires_at ?? null;
  const values = {
    name: row.name,
    key: `${row.visible_prefix}…${row.last_four}`,
    created: formatDateTime(row.created_at, locale),
    url: appUrl(row.created_by ? "/account/organization" : "/account/keys"),
    helpUrl: appUrl("/help#contact"),
    old: rolledFrom ? `${rolledFrom.visible_prefix}…${rolledFrom.last_four}` : "",
    until: until ? formatDateTime(until, locale) : "",
  };
  await sendMail(db, {
    to: user.email,
    subject: t("keys.mail.subject", values),
    text: rolledFrom ? t("keys.mail.rolledBody", values) : t("keys.mail.createdBody", values),
  });
}

/**
 * Serializes key writers of one account: a no-op UPDATE of the user row holds its row lock on
 * PostgreSQL until the transaction ends (SQLite's write lock already serializes). Without it two
 * concurrent creations both count 19 keys and both insert.
 */
async function lockAccountKeys(trx: DbExecutor, accountId: string): Promise<void> {
  await trx.updateTable("users").set((eb) => ({ updated_at: eb.ref("updated_at") })).where("id", "=", accountId).execute();
}

/** Creates a key and returns it: the only moment the caller ever sees the whole key. */
export async function createApiKey(
  db: DbExecutor,
  input: CreateApiKeyInput,
): Promise<ApiKeyResult<{ key: string; apiKey: ApiKeySummary }>> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    await lockAccountKeys(trx, input.accountId);
    if (await creationTokenUsed(trx, input.creationToken)) return { ok: false, reason: "already_created" } as const;
    if ((await countActiveKeys(trx, input.accountId, now)) >= MAX_ACTIVE_KEYS) return { ok: false, reason: "too_many_keys" } as const;
    const { key, row } = buildKeyRow(input, now);
    await trx.insertInto("api_keys").values(row).execute();
    const details = input.createdBy ? { name: row.name, expiresAt: row.expires_at, ownerAccountId: input.accountId } : { name: row.name, expiresAt: row.expires_at };
    await recordAudit(trx, { actorId: input.createdBy ?? input.accountId, action: "api_key.create", targetType: "api_key", targetId: row.id, details, ip: input.ip ?? null }, now);
    await noticeNewKey(trx, input.accountId, row, null);
    return { ok: true, key, apiKey: toSummary(row, now) } as const;
  });
}

/** Revokes a key; revoking it again changes nothing. The gateway refuses it on its next call. */
export async function revokeApiKey(
  db: DbExecutor,
  input: { accountId: string; keyId: string; ip?: string | null; now?: Date; actorId?: string; reason?: string },
): Promise<ApiKeyResult<{ alreadyRevoked: boolean }>> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom("api_keys").selectAll().where("id", "=", input.keyId).where("user_id", "=", input.accountId).executeTakeFirst();
    if (!row) return { ok: false, reason: "not_found" } as const;
    if (row.revoked_at) return { ok: true, alreadyRevoked: true } as const;
    await trx.updateTable("api_keys").set({ revoked_at: now.toISOString() }).where("id", "=", row.id).where("revoked_at", "is", null).execute();
    // Support or staff may revoke on the owner's behalf: the audit entry names who did it and why.
    const onBehalf = input.actorId !== undefined && input.actorId !== input.accountId;
    await recordAudit(
      trx,
      {
        actorId: input.actorId ?? input.accountId,
        action: "api_key.revoke",
        targetType: "api_key",
        targetId: row.id,
        details: onBehalf ? { accountId: input.accountId, reason: input.reason ?? null } : undefined,
        ip: input.ip ?? null,
      },
      now,
    );
    return { ok: true, alreadyRevoked: false } as const;
  });
}

/**
 * Replaces a key: the new key works at once, the old one until `graceHours` from now (0 = revoked now,
 * at most 7 days, never later than its own expiry). Credit lives on the account, so nothing resets.
 */
export async function rollApiKey(
  db: DbExecutor,
  input: { accountId: string; keyId: string; graceHours: number; prefix: string; creationToken?: string; ip?: string | null; now?: Date },
): Promise<ApiKeyResult<{ key: string; apiKey: ApiKeySummary; previous: ApiKeySummary }>> {
  const now = input.now ?? new Date();
  const graceHours = Math.min(Math.max(0, Math.floor(input.graceHours)), MAX_ROLL_GRACE_HOURS);
  return db.transaction().execute(async (trx) => {
    await lockAccountKeys(trx, input.accountId);
    const old = await trx.selectFrom("api_keys").selectAll().where("id", "=", input.keyId).where("user_id", "=", input.accountId).executeTakeFirst();
    if (!old) return { ok: false, reason: "not_found" } as const;
    if (keyStatus(old, now) !== "active") return { ok: false, reason: "not_active" } as const;
    if (await creationTokenUsed(trx, input.creationToken)) return { ok: false, reason: "already_created" } as const;
    const { key, row } = buildKeyRow({ accountId: input.accountId, name: old.name, prefix: input.prefix, creationToken: input.creationToken, expiresAt: old.expires_at ? new Date(old.expires_at) : null }, now);
    await trx.insertInto("api_keys").values(row).execute();
    const graceEnd = new Date(now.getTime() + graceHours * 3_600_000).toISOString();
    const oldEnd = old.expires_at && old.expires_at < graceEnd ? old.expires_at : graceEnd;
    const update = graceHours === 0 ? { revoked_at: now.toISOString() } : { expires_at: oldEnd };
    await trx.updateTable("api_keys").set({ ...update, rolled_at: now.toISOString(), rolled_to_id: row.id }).where("id", "=", old.id).execute();
    const previous = { ...old, ...update, rolled_at: now.toISOString(), rolled_to_id: row.id };
    await recordAudit(trx, { actorId: input.accountId, action: "api_key.roll", targetType: "api_key", targetId: old.id, details: { newKeyId: row.id, graceHours }, ip: input.ip ?? null }, now);
    await noticeNewKey(trx, input.accountId, row, previous);
    return { ok: true, key, apiKey: toSummary(row, now), previous: toSummary(previous, now) } as const;
  });
}

/** Revokes every key of the account that still works (offered with a password reset); returns how many. */
export async function revokeAllApiKeys(db: DbExecutor, input: { accountId: string; ip?: string | null; reason: string; now?: Date }): Promise<number> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    await lockAccountKeys(trx, input.accountId);
    const live = await trx
      .selectFrom("api_keys")
      .select("id")
      .where("user_id", "=", input.accountId)
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now.toISOString())]))
      .execute();
    if (live.length === 0) return 0;
    const ids = live.map((row) => row.id);
    await trx.updateTable("api_keys").set({ revoked_at: now.toISOString() }).where("id", "in", ids).execute();
    for (const id of ids) {
      await recordAudit(trx, { actorId: input.accountId, action: "api_key.revoke", targetType: "api_key", targetId: id, details: { reason: input.reason }, ip: input.ip ?? null }, now);
    }
    return ids.length;
  });
}

/**
 * Revokes every key of an account and forgets the names its owner gave them (account deletion);
 * the caller's transaction holds the audit entry. Returns how many keys were still active.
 */
export async function revokeAllKeysForDeletion(trx: DbExecutor, accountId: string, now: Date = new Date()): Promise<number> {
  const revoked = await trx.updateTable("api_keys").set({ revoked_at: now.toISOString() }).where("user_id", "=", accountId).where("revoked_at", "is", null).executeTakeFirst();
  await trx.updateTable("api_keys").set({ name: "—" }).where("user_id", "=", accountId).execute();
  return Number(revoked.numUpdatedRows);
}
