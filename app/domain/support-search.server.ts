// The support console's one search box. A query is classified into the kinds of identifier it
// could be; each kind has one finder; hits are merged per account, exact matches first.
// A whole pasted API key is only ever hashed: it is neither stored nor logged (see `auditQuery`).
import { z } from "zod";
import type { Role } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { startsWith } from "~/lib/like.server";
import { recordAudit } from "./audit.server";

export const SEARCH_KINDS = [
  "account_id",
  "email",
  "org_id",
  "evidence_id",
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
};
const PREFIXED_ID = /^([a-z]{2,5})_[0-9a-z]{4,40}$/;
const ORG_ID = /^org-[A-Za-z0-9]{3,64}$/;
const EMAIL_PART = /^[a-z0-9.!#$%&'*+/=?^_`{|}~@-]+$/i;

/** Every kind of identifier the query could be, most specific first. */
export function classifyQuery(query: string, _context: SearchContext): SearchKind[] {
  const q = query.trim();
  const kinds: SearchKind[] = [];
  const prefixed = PREFIXED_ID.exec(q.toLowerCase());
  if (prefixed) {
    const kind = ID_PREFIX[prefixed[1]!];
    if (kind) kinds.push(kind);
  }
  if (ORG_ID.test(q)) kinds.push("org_id");
  if (q.includes("@") || EMAIL_PART.test(q)) kinds.push("email");
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
    .where(startsWith("email", email))
    .orderBy("email")
    .limit(FINDER_LIMIT + 1)
    .execute();
  return rows.map((row) => ({ accountId: row.id, kind: "email" as const, matched: row.email, exact: row.email === email }));
}

/** Accounts whose evidence names the OpenAI organization (whole id or its beginning). */
export async function findByOrgId(db: DbExecutor, query: string): Promise<SearchHit[]> {
  const orgId = query.trim();
  const rows = await db
    .selectFrom("evidence")
    .select(["user_id", "org_id"])
    .where(startsWith("org_id", orgId))
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

const FINDERS: Record<SearchKind, Finder> = {
  account_id: findByAccountId,
  email: findByEmail,
  org_id: findByOrgId,
  evidence_id: findByEvidenceId,
};

export interface SearchResultAccount {
  accountId: string;
  email: string;
  role: Role;
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

function keyShape(context: SearchContext): RegExp {
  return new RegExp(`^${context.keyPrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}_[0-9A-Za-z]{12,}$`);
}

/** A secret-looking key (longer than any visible prefix): searched by hash, never put in a URL or a log. */
export function looksLikeWholeKey(query: string, context: SearchContext): boolean {
  return keyShape(context).test(query.trim());
}

/** What may be written to the audit log or shown back for a query: a whole key is cut to its visible parts. */
export function auditQuery(query: string, context: SearchContext): string {
  const q = query.trim();
  if (looksLikeWholeKey(q, context)) return `${q.slice(0, context.keyPrefix.length + 5)}…${q.slice(-4)}`;
  return q;
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
  const kindRank = (kind: SearchKind) => kinds.indexOf(kind);
  const accounts: SearchResultAccount[] = users.map((user) => {
    const matches = (byAccount.get(user.id) ?? [])
      .map(({ kind, matched, exact }) => ({ kind, matched, exact }))
      .sort((a, b) => Number(b.exact) - Number(a.exact) || kindRank(a.kind) - kindRank(b.kind));
    return {
      accountId: user.id,
      email: user.email,
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
