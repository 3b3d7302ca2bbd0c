// The support console's one search box. A query is classified into the kinds of identifier it
// could be; each kind has one finder; hits are merged per account, exact matches first.
// A whole pasted API key is only ever hashed: it is neither stored nor logged (see `auditQuery`).
import { z } from "zod";
import { ORGANIZATION_ROLE, type Role } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { startsWith } from "~/lib/like.server";
import { KEY_CHECKSUM_LENGTH, KEY_RANDOM_LENGTH, VISIBLE_RANDOM_CHARS } from "./api-key-format";
import { hashApiKey } from "./api-keys.server";
import { recordAudit } from "./audit.server";
import { findPurchaseByPaymentReference } from "./billing.server";
import { getClaim } from "./claims.server";
import { USAGE_REFERENCE_TYPE, usageKey } from "./ledger.server";
import { searchOrganizationsByName } from "./organizations.server";

export const SEARCH_KINDS = [
  "account_id",
  "api_key",
  "api_key_prefix",
  "claim_id",
  "purchase",
  "evidence_id",
  "org_id",
  "ledger_request",
  "email",
  "organization",
] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const SEARCH_PAGE_SIZE = 20;
/** Each finder returns at most this many accounts; more means "refine your query". */
export const FINDER_LIMIT = 200;

export const searchQuerySchema = z.object({
  q: z.string().trim().min(2, "support.errors.searchTooShort").max(200, "support.errors.searchTooLong"),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

export interface SearchContext {
  /** The provider's API key prefix, e.g. `glmsk`. */
  keyPrefix: string;
}

const ID_PREFIX: Partial<Record<string, SearchKind>> = {
  usr: "account_id",
  evd: "evidence_id",
  clm: "claim_id",
  pur: "purchase",
};
/** Stripe Checkout Session (`cs_test_…`, `cs_live_…`) and PaymentIntent (`pi_…`) ids, as stored on purchases. */
const STRIPE_REFERENCE = /^(cs_(test|live)_|pi_)[0-9A-Za-z_]{6,250}$/;
const PREFIXED_ID = /^([a-z]{2,5})_[0-9a-z]{4,40}$/;
const ORG_ID = /^org-[A-Za-z0-9]{3,64}$/;
const EMAIL_PART = /^[a-z0-9.!#$%&'*+/=?^_`{|}~@-]+$/i;

/** Gateway request ids are the gateway's own: any single token of printable characters. */
const REQUEST_ID = /^[\x21-\x7e]{4,190}$/;
/** A key as lists show it: `glmsk_7Hq2…a9Zx` (or with "..."). */
const SHOWN_KEY = /^(\S+?)(?:…|\.\.\.)([0-9A-Za-z]{4})$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Every kind of identifier the query could be, most specific first. */
export function classifyQuery(query: string, context: SearchContext): SearchKind[] {
  const q = query.trim();
  const kinds: SearchKind[] = [];
  if (looksLikeWholeKey(q, context)) return ["api_key"];
  if (q.startsWith(`${context.keyPrefix}_`)) kinds.push("api_key_prefix");
  const prefixed = PREFIXED_ID.exec(q.toLowerCase());
  if (prefixed) {
    const kind = ID_PREFIX[prefixed[1]!];
    if (kind) kinds.push(kind);
  }
  if (STRIPE_REFERENCE.test(q)) kinds.push("purchase");
  if (ORG_ID.test(q)) kinds.push("org_id");
  if (REQUEST_ID.test(q) && !q.includes("@")) kinds.push("ledger_request");
  if (q.includes("@") || EMAIL_PART.test(q)) kinds.push("email");
  // An organization's name (any words; a member's address is found by the e-mail finder).
  if (!q.includes("@")) kinds.push("organization");
  return [...new Set(kinds)];
}

/** One reason an account was found. `matched` is safe to show and to log. */
export interface SearchHit {
  accountId: string;
  kind: SearchKind;
  matched: string;
  exact: boolean;
}

type Finder = (db: DbExecutor, query: string, context: SearchContext) => Promise<SearchHit[]>;

export async function findByAccountId(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const id = query.trim().toLowerCase();
  const row = await db.selectFrom("users").select("id").where("id", "=", id).executeTakeFirst();
  return row ? [{ accountId: row.id, kind: "account_id", matched: row.id, exact: true }] : [];
}

/** Whole address, or the beginning of one. */
export async function findByEmail(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const email = query.trim().toLowerCase();
  const rows = await db
    .selectFrom("users")
    .select(["id", "email"])
    .where(startsWith(db, "email", email))
    // An organization's ledger row has a placeholder address: it is found by name or member instead.
    .where("role", "!=", ORGANIZATION_ROLE)
    .orderBy("email")
    .limit(FINDER_LIMIT + 1)
    .execute();
  const people = rows.map((row) => ({ accountId: row.id, kind: "email" as const, matched: row.email, exact: row.email === email }));
  // The organizations those people belong to, matched on the member's address.
  const organizations = rows.length
    ? await db
        .selectFrom("organization_members as m")
        .innerJoin("organizations as o", "o.id", "m.organization_id")
        .select(["o.ledger_account_id", "m.user_id"])
        .where("m.user_id", "in", rows.slice(0, FINDER_LIMIT).map((row) => row.id))
        .execute()
    : [];
  const emailOf = new Map(rows.map((row) => [row.id, row.email]));
  return [...people, ...organizations.map((row) => ({ accountId: row.ledger_account_id, kind: "email" as const, matched: emailOf.get(row.user_id)!, exact: emailOf.get(row.user_id) === email }))];
}

/** Accounts whose evidence names the OpenAI organization (whole id or its beginning). */
export async function findByOrgId(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const orgId = query.trim();
  const rows = await db
    .selectFrom("evidence")
    .select(["user_id", "org_id"])
    .where(startsWith(db, "org_id", orgId))
    .distinct()
    .orderBy("org_id")
    .limit(FINDER_LIMIT + 1)
    .execute();
  return rows.map((row) => ({ accountId: row.user_id, kind: "org_id" as const, matched: row.org_id ?? "", exact: row.org_id === orgId }));
}

export async function findByEvidenceId(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const id = query.trim().toLowerCase();
  const row = await db.selectFrom("evidence").select(["id", "user_id"]).where("id", "=", id).executeTakeFirst();
  return row ? [{ accountId: row.user_id, kind: "evidence_id", matched: row.id, exact: true }] : [];
}

/** A whole pasted key: only its SHA-256 is compared, as the gateway does. */
export async function findByWholeKey(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const row = await db.selectFrom("api_keys").select(["user_id", "visible_prefix", "last_four"]).where("key_hash", "=", hashApiKey(query.trim())).executeTakeFirst();
  return row ? [{ accountId: row.user_id, kind: "api_key", matched: `${row.visible_prefix}…${row.last_four}`, exact: true }] : [];
}

/**
 * The visible beginning of a key (`glmsk_7Hq2`, or shorter), optionally with its last four
 * (`glmsk_7Hq2…a9Zx`). A longer piece of a key is cut to the visible part.
 */
export async function findByKeyPrefix(db: DbExecutor, query: string, context: SearchContext): Promise<SearchHit[]> {
  const shown = SHOWN_KEY.exec(query.trim());
  const prefix = (shown ? shown[1]! : query.trim()).slice(0, context.keyPrefix.length + 1 + VISIBLE_RANDOM_CHARS);
  let lookup = db.selectFrom("api_keys").select(["user_id", "visible_prefix", "last_four"]).where(startsWith(db, "visible_prefix", prefix));
  if (shown) lookup = lookup.where("last_four", "=", shown[2]!);
  const rows = await lookup.orderBy("visible_prefix").limit(FINDER_LIMIT + 1).execute();
  return rows.map((row) => ({
    accountId: row.user_id,
    kind: "api_key_prefix" as const,
    matched: `${row.visible_prefix}…${row.last_four}`,
    exact: row.visible_prefix === prefix,
  }));
}

/** A gateway request id: its usage entry, or the debit record when nothing could be taken. */
export async function findByLedgerRequest(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const requestId = query.trim();
  const entries = await db
    .selectFrom("ledger_entries")
    .select("account_id")
    .where("reference_type", "=", USAGE_REFERENCE_TYPE)
    .where("reference_id", "=", requestId)
    .execute();
  const debit = await db.selectFrom("ledger_debits").select("account_id").where("idempotency_key", "=", usageKey(requestId)).executeTakeFirst();
  const ids = new Set([...entries.map((row) => row.account_id), ...(debit ? [debit.account_id] : [])]);
  return [...ids].map((accountId) => ({ accountId, kind: "ledger_request" as const, matched: requestId, exact: true }));
}

export async function findByClaimId(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const claim = await getClaim(db, query.trim().toLowerCase());
  return claim ? [{ accountId: claim.accountId, kind: "claim_id", matched: claim.id, exact: true }] : [];
}

/** A purchase id, a Stripe Checkout Session id or a PaymentIntent id. */
export async function findByPurchase(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const purchase = await findPurchaseByPaymentReference(db, query.trim());
  return purchase ? [{ accountId: purchase.accountId, kind: "purchase", matched: query.trim(), exact: true }] : [];
}

const FINDERS: Record<SearchKind, Finder> = {
  claim_id: findByClaimId,
  purchase: findByPurchase,
  api_key: findByWholeKey,
  api_key_prefix: findByKeyPrefix,
  ledger_request: findByLedgerRequest,
  account_id: findByAccountId,
  email: findByEmail,
  org_id: findByOrgId,
  evidence_id: findByEvidenceId,
  organization: async (db, query) => (await searchOrganizationsByName(db, query, FINDER_LIMIT + 1)).map((hit) => ({ ...hit, kind: "organization" as const })),
};

export interface SearchResultAccount {
  accountId: string;
  /** A person's address, or an organization's name. */
  email: string;
  role: Role | typeof ORGANIZATION_ROLE;
  verified: boolean;
  disabled: boolean;
  createdAt: string;
  exact: boolean;
  matches: Array<{ kind: SearchKind; matched: string; exact: boolean }>;
}

export interface SearchOutcome {
  kinds: SearchKind[];
  accounts: SearchResultAccount[];
  total: number;
  page: number;
  pageCount: number;
  /** Some finder had more candidates than it returns: the query should be more precise. */
  truncated: boolean;
}

const KEY_TAIL_LENGTH = KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH;

function keyTail(query: string, context: SearchContext): string | null {
  const q = query.trim();
  return q.startsWith(`${context.keyPrefix}_`) ? q.slice(context.keyPrefix.length + 1) : null;
}

/** The whole secret key: searched by hash, never put in a URL or a log. */
export function looksLikeWholeKey(query: string, context: SearchContext): boolean {
  const tail = keyTail(query, context);
  return tail !== null && tail.length === KEY_TAIL_LENGTH && /^[0-9A-Za-z]+$/.test(tail);
}

/** More of a key than lists ever show: part of the secret, treated like the whole key. */
export function containsKeySecret(query: string, context: SearchContext): boolean {
  const tail = keyTail(query, context);
  return tail !== null && !SHOWN_KEY.test(query.trim()) && tail.length > VISIBLE_RANDOM_CHARS;
}

/** What may be written to the audit log or shown back for a query: a key is cut to its visible parts. */
export function auditQuery(query: string, context: SearchContext): string {
  const q = query.trim();
  if (!containsKeySecret(q, context)) return q;
  const visible = q.slice(0, context.keyPrefix.length + 1 + VISIBLE_RANDOM_CHARS);
  return looksLikeWholeKey(q, context) ? `${visible}…${q.slice(-4)}` : `${visible}…`;
}

export async function searchAccounts(
  db: DbExecutor,
  input: { q: string; page: number },
  context: SearchContext,
): Promise<SearchOutcome> {
  const kinds = classifyQuery(input.q, context);
  let truncated = false;
  const byAccount = new Map<string, SearchHit[]>();
  for (const kind of kinds) {
    const hits = await FINDERS[kind](db, input.q, context);
    if (hits.length > FINDER_LIMIT) truncated = true;
    for (const hit of hits.slice(0, FINDER_LIMIT)) {
      const list = byAccount.get(hit.accountId) ?? [];
      if (!list.some((known) => known.kind === hit.kind && known.matched === hit.matched)) list.push(hit);
      byAccount.set(hit.accountId, list);
    }
  }
  const ids = [...byAccount.keys()];
  const users = ids.length
    ? await db
        .selectFrom("users")
        .select(["id", "email", "role", "email_verified_at", "disabled_at", "created_at"])
        .where("id", "in", ids)
        .execute()
    : [];
  const orgIds = users.filter((user) => user.role === ORGANIZATION_ROLE).map((user) => user.id);
  const orgNames = new Map(
    orgIds.length ? (await db.selectFrom("organizations").select(["ledger_account_id", "name"]).where("ledger_account_id", "in", orgIds).execute()).map((row) => [row.ledger_account_id, row.name]) : [],
  );
  const kindRank = (kind: SearchKind) => kinds.indexOf(kind);
  const accounts: SearchResultAccount[] = users.map((user) => {
    const matches = (byAccount.get(user.id) ?? [])
      .map(({ kind, matched, exact }) => ({ kind, matched, exact }))
      .sort((a, b) => Number(b.exact) - Number(a.exact) || kindRank(a.kind) - kindRank(b.kind));
    return {
      accountId: user.id,
      email: orgNames.get(user.id) ?? user.email,
      role: user.role,
      verified: user.email_verified_at !== null,
      disabled: user.disabled_at !== null,
      createdAt: user.created_at,
      exact: matches.some((match) => match.exact),
      matches,
    };
  });
  accounts.sort(
    (a, b) =>
      Number(b.exact) - Number(a.exact) ||
      kindRank(a.matches[0]!.kind) - kindRank(b.matches[0]!.kind) ||
      a.email.localeCompare(b.email),
  );
  const total = accounts.length;
  const pageCount = Math.max(1, Math.ceil(total / SEARCH_PAGE_SIZE));
  const page = Math.min(input.page, pageCount);
  return {
    kinds,
    accounts: accounts.slice((page - 1) * SEARCH_PAGE_SIZE, page * SEARCH_PAGE_SIZE),
    total,
    page,
    pageCount,
    truncated,
  };
}

/** Every search is audited: who searched, for what (a whole key redacted), how many accounts came back. */
export async function auditSearch(
  db: DbExecutor,
  actor: { id: string; ip?: string | null },
  query: string,
  outcome: Pick<SearchOutcome, "kinds" | "total" | "page">,
  context: SearchContext,
): Promise<void> {
  await recordAudit(db, {
    actorId: actor.id,
    action: "support.search",
    targetType: "search",
    details: { query: auditQuery(query, context), kinds: outcome.kinds, results: outcome.total, page: outcome.page },
    ip: actor.ip,
  });
}
