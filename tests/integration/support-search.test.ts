// The support search box: every kind of identifier, no match, ambiguity, pages, and the audit
// entry each search writes (a whole key never reaches the log or a URL).
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { classifyQuery, searchAccounts, SEARCH_PAGE_SIZE } from "~/domain/support-search.server";
import { getDb } from "~/lib/db.server";
import { currentProvider } from "~/lib/provider.server";
import { action as searchAction, loader as searchLoader } from "~/routes/support._index";
import { call, cookieHeader, createUser } from "./helpers";
import { createClaimFor, createEvidenceFor, createPurchaseFor } from "./support-fixtures";
import { startSession } from "~/lib/auth.server";

const context = { keyPrefix: currentProvider().keyPrefix };
const search = (q: string, page = 1) => searchAccounts(getDb(), { q, page }, context);

let developer: Awaited<ReturnType<typeof createUser>>;
let other: Awaited<ReturnType<typeof createUser>>;
let supportCookie: string;
let supportId: string;
let wholeKey: string;
let keyPrefix: string;
let keyLastFour: string;
let orgId: string;
let evidenceId: string;
let claimId: string;
let purchase: Awaited<ReturnType<typeof createPurchaseFor>>;

beforeAll(async () => {
  developer = await createUser({ email: "zoe.search@example.com" });
  other = await createUser({ email: "zoe.searchlight@example.com" });
  const evidence = await createEvidenceFor(developer.id);
  orgId = evidence.orgId;
  evidenceId = evidence.id;
  claimId = await createClaimFor(developer.id);
  purchase = await createPurchaseFor(developer.id);
  const created = await createApiKey(getDb(), { accountId: developer.id, name: "prod", prefix: context.keyPrefix });
  if (!created.ok) throw new Error("key not created");
  wholeKey = created.key;
  keyPrefix = created.apiKey.visiblePrefix;
  keyLastFour = created.apiKey.lastFour;
  await creditAccount(getDb(), { accountId: developer.id, kind: "purchase", bucket: "paid", tokens: 1000, idempotencyKey: "test-credit-1", referenceType: "test", referenceId: "1" });
  await debitUsage(getDb(), { accountId: developer.id, requestId: "req-gw-7781", tokens: 10 });
  const agent = await createUser({ role: "support" });
  supportId = agent.id;
  supportCookie = cookieHeader([await startSession(agent.id, { ip: "192.0.2.1", userAgent: "test" }, "passed")]);
});

describe("classifying a query", () => {
  it("guesses every kind a query can be, most specific first", () => {
    expect(classifyQuery("alice@example.com", context)).toEqual(["email"]);
    expect(classifyQuery("org-abc123XYZ", context)).toEqual(["org_id", "ledger_request", "email", "organization"]);
    expect(classifyQuery(`${context.keyPrefix}_7Hq2`, context)[0]).toBe("api_key_prefix");
    expect(classifyQuery("clm_0123456789abcdefghjk", context)[0]).toBe("claim_id");
    expect(classifyQuery("cs_test_a1B2c3D4e5F6", context)[0]).toBe("purchase");
    // Any words without an "@" may be an organization's name (issue #17).
    expect(classifyQuery("日本語 with spaces", context)).toEqual(["organization"]);
  });
});

describe("finding an account", () => {
  const cases: Array<[string, () => string, string]> = [
    ["whole e-mail", () => "zoe.search@example.com", "email"],
    ["account id", () => developer.id, "account_id"],
    ["OpenAI org id", () => orgId, "org_id"],
    ["evidence id", () => evidenceId, "evidence_id"],
    ["claim id", () => claimId, "claim_id"],
    ["purchase id", () => purchase.id, "purchase"],
    ["Stripe Checkout Session id", () => purchase.sessionId, "purchase"],
    ["Stripe PaymentIntent id", () => purchase.paymentIntentId, "purchase"],
    ["ledger request id", () => "req-gw-7781", "ledger_request"],
    ["API key prefix", () => keyPrefix, "api_key_prefix"],
    ["key as lists show it", () => `${keyPrefix}…${keyLastFour}`, "api_key_prefix"],
    ["whole pasted key", () => wholeKey, "api_key"],
  ];
  for (const [label, query, kind] of cases) {
    it(`by ${label}`, async () => {
      const outcome = await search(query());
      expect(outcome.accounts.map((account) => account.accountId)).toEqual([developer.id]);
      expect(outcome.accounts[0]!.matches[0]).toMatchObject({ kind, exact: true });
    });
  }

  it("by the beginning of an e-mail, exact matches first", async () => {
    const prefix = await search("zoe.search");
    expect(prefix.accounts.map((account) => account.email)).toEqual(["zoe.search@example.com", "zoe.searchlight@example.com"]);
    expect(prefix.accounts.every((account) => !account.exact)).toBe(true);
    const exact = await search("zoe.searchlight@example.com");
    expect(exact.accounts.map((account) => account.accountId)).toEqual([other.id]);
  });

  it("takes the query literally: % and _ are not wildcards, and org ids keep their case", async () => {
    const literal = await createUser({ email: "under_score@example.com" });
    await createUser({ email: "underxscore@example.com" });
    expect((await search("under_s")).accounts.map((account) => account.accountId)).toEqual([literal.id]);
    expect((await search("under%")).total).toBe(0);
    expect((await search(orgId.toUpperCase().replace("ORG-", "org-"))).accounts.some((account) => account.accountId === developer.id)).toBe(orgId === orgId.toUpperCase().replace("ORG-", "org-"));
  });

  it("answers no match plainly", async () => {
    for (const query of ["nobody-here@example.com", "clm_zzzzzzzzzzzzzzzzzzzz", `${context.keyPrefix}_${"A".repeat(38)}`, "org-doesnotexist"]) {
      const outcome = await search(query);
      expect(outcome.total, query).toBe(0);
      expect(outcome.accounts).toEqual([]);
    }
  });

  it("resolves an ambiguous query to every account it fits, the exact match first", async () => {
    // One account's e-mail begins with another account's OpenAI org id.
    const sharedOrg = "org-ambiguous42";
    const owner = await createUser();
    await createEvidenceFor(owner.id, { orgId: sharedOrg });
    const lookalike = await createUser({ email: `${sharedOrg}-team@example.com` });
    const outcome = await search(sharedOrg);
    expect(outcome.kinds).toEqual(expect.arrayContaining(["org_id", "email"]));
    expect(outcome.accounts.map((account) => account.accountId)).toEqual([owner.id, lookalike.id]);
    expect(outcome.accounts[0]).toMatchObject({ exact: true });
    expect(outcome.accounts[1]).toMatchObject({ exact: false, matches: [{ kind: "email" }] });
  });

  it("pages through many accounts", async () => {
    for (let i = 0; i < SEARCH_PAGE_SIZE + 3; i++) await createUser({ email: `pager-${String(i).padStart(2, "0")}@example.com` });
    const first = await search("pager-");
    expect(first).toMatchObject({ total: SEARCH_PAGE_SIZE + 3, page: 1, pageCount: 2 });
    expect(first.accounts).toHaveLength(SEARCH_PAGE_SIZE);
    const second = await search("pager-", 2);
    expect(second.accounts.map((account) => account.email)).toEqual(["pager-20@example.com", "pager-21@example.com", "pager-22@example.com"]);
  });
});

describe("the search page", () => {
  async function lastSearchAudit() {
    return getDb()
      .selectFrom("audit_log")
      .selectAll()
      .where("actor_id", "=", supportId)
      .where("action", "=", "support.search")
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
  }

  it("audits every search: who, what, how many", async () => {
    const outcome = await call(searchLoader, `/support?q=${encodeURIComponent(orgId)}`, { cookie: supportCookie });
    expect(outcome.status).toBe(200);
    expect(outcome.data.outcome.total).toBe(1);
    const entry = await lastSearchAudit();
    expect(JSON.parse(entry.details)).toMatchObject({ query: orgId, results: 1 });
    expect(entry.ip).not.toBeNull();
  });

  it("audits a search that finds nothing too", async () => {
    await call(searchLoader, "/support?q=ghost%40example.com", { cookie: supportCookie });
    expect(JSON.parse((await lastSearchAudit()).details)).toMatchObject({ query: "ghost@example.com", results: 0 });
  });

  it("sends a typed query to a shareable address, but searches a pasted key in place: no key in a URL, the page or the log", async () => {
    const typed = await call(searchAction, "/support", { cookie: supportCookie, form: { q: "zoe.search" } });
    expect(typed.status).toBe(302);
    expect(typed.location).toBe("/support?q=zoe.search");

    const pasted = await call(searchAction, "/support", { cookie: supportCookie, form: { q: wholeKey } });
    expect(pasted.status).toBe(200);
    expect(pasted.data.outcome.accounts[0].accountId).toBe(developer.id);
    expect(JSON.stringify(pasted.data)).not.toContain(wholeKey);
    const entry = await lastSearchAudit();
    expect(entry.details).not.toContain(wholeKey);
    expect(entry.details).not.toContain(wholeKey.slice(keyPrefix.length));
    expect(JSON.parse(entry.details).query).toBe(`${keyPrefix}…${keyLastFour}`);
    const everywhere = await getDb().selectFrom("audit_log").select("details").execute();
    expect(everywhere.some((row) => row.details.includes(wholeKey))).toBe(false);
  });

  it("refuses a one-letter query with a clear message, searching nothing", async () => {
    const before = await getDb().selectFrom("audit_log").select("id").where("actor_id", "=", supportId).execute();
    const outcome = await call(searchLoader, "/support?q=a", { cookie: supportCookie });
    expect(outcome.status).toBe(400);
    expect(outcome.data.error).toBe("support.errors.searchTooShort");
    const after = await getDb().selectFrom("audit_log").select("id").where("actor_id", "=", supportId).execute();
    expect(after.length).toBe(before.length);
  });
});
