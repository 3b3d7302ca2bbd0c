// Every route module in app/routes/, as every persona, against the rules table: deny by default.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { saveEvidence } from "~/domain/evidence/index.server";
import { getGrantPolicy } from "~/domain/grant-policy.server";
import { creditAccount } from "~/domain/ledger.server";
import { startSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { call, cookieHeader, createUser, type RouteOutcome } from "./helpers";
import { createClaimFor, createEvidenceFor, createKeyRowFor } from "./support-fixtures";
import { OWNED_RESOURCE_ROUTES, PERSONAS, ROUTE_RULES, pathFromFile, type AccessFixtures, type Expectation, type Persona } from "./route-access.rules";

const ROUTES_DIR = join(process.cwd(), "app/routes");
const routeFiles = readdirSync(ROUTES_DIR).filter((file) => /\.(tsx?|jsx?)$/.test(file)).sort();

type RouteFunction = Parameters<typeof call>[0];
interface RouteModule {
  loader?: RouteFunction;
  action?: RouteFunction;
}

let fixtures: AccessFixtures;
const personaIds = {} as Record<Exclude<Persona, "anonymous">, string>;

async function creditVictim(accountId: string): Promise<string> {
  const credit = await creditAccount(getDb(), { accountId, kind: "purchase", bucket: "paid", tokens: 777_000, idempotencyKey: `access-${accountId}`, referenceType: "test", referenceId: accountId });
  return credit.entryId;
}

beforeAll(async () => {
  const victim = await createUser({ role: "developer" });
  const evidence = await createEvidenceFor(victim.id);
  fixtures = { victim: { id: victim.id, email: victim.email, evidenceId: evidence.id, keyId: await createKeyRowFor(victim.id), claimId: await createClaimFor(victim.id), ledgerEntryId: await creditVictim(victim.id) } };
  for (const persona of PERSONAS) {
    if (persona !== "anonymous") personaIds[persona] = (await createUser({ role: persona })).id;
  }
});

/** A fresh session per call, so a route that logs out cannot disturb the next check. */
async function cookieFor(persona: Persona): Promise<string | undefined> {
  if (persona === "anonymous") return undefined;
  return cookieHeader([await startSession(personaIds[persona], { ip: "192.0.2.10", userAgent: "access-test" }, "passed")]);
}

function describeOutcome(outcome: RouteOutcome): string {
  return `${outcome.status}${outcome.location ? ` → ${outcome.location}` : ""}`;
}

function meets(outcome: RouteOutcome, expectation: Expectation): boolean {
  const isRedirect = outcome.status >= 300 && outcome.status < 400;
  const toLogin = isRedirect && (outcome.location ?? "").startsWith("/login?redirectTo=");
  if (typeof expectation === "number") return outcome.status === expectation;
  if (expectation === "ok") return outcome.status === 200;
  if (expectation === "login") return toLogin;
  if (expectation === "forbidden") return outcome.status === 403;
  if (expectation === "notFound") return outcome.status === 404;
  if (expectation === "allowed") return !toLogin && outcome.status !== 403 && outcome.status !== 404 && outcome.status < 500;
  const target = expectation.slice("redirect:".length);
  return isRedirect && (outcome.location ?? "").startsWith(target);
}

describe("route access rules", () => {
  it("has a rule for every route file, covering each loader and action it exports (deny by default)", async () => {
    const problems: string[] = [];
    for (const file of routeFiles) {
      const rule = ROUTE_RULES[file];
      if (!rule) {
        problems.push(`${file}: no rule in route-access.rules.ts`);
        continue;
      }
      const module = (await import(join(ROUTES_DIR, file))) as RouteModule;
      if (module.loader && !rule.loader) problems.push(`${file}: exports a loader without expectations`);
      if (module.action && !rule.action) problems.push(`${file}: exports an action without expectations`);
    }
    for (const file of Object.keys(ROUTE_RULES)) {
      if (!routeFiles.includes(file)) problems.push(`${file}: rule for a route that no longer exists`);
    }
    expect(problems).toEqual([]);
  });

  for (const file of routeFiles) {
    it(`${file}: every persona gets what the rules say`, async () => {
      const rule = ROUTE_RULES[file];
      if (!rule) return; // reported by the completeness test above
      const module = (await import(join(ROUTES_DIR, file))) as RouteModule;
      const params = rule.params?.(fixtures) ?? {};
      const path = rule.path?.(fixtures) ?? pathFromFile(file, params);
      const mismatches: string[] = [];
      for (const persona of PERSONAS) {
        if (module.loader && rule.loader) {
          const outcome = await call(module.loader, path, { cookie: await cookieFor(persona), params });
          if (!meets(outcome, rule.loader[persona])) mismatches.push(`loader as ${persona}: expected ${rule.loader[persona]}, got ${describeOutcome(outcome)}`);
        }
        if (module.action && rule.action) {
          const form = rule.action.form?.(fixtures) ?? {};
          const outcome = await call(module.action, path, { cookie: await cookieFor(persona), params, form });
          const expected = rule.action.expect[persona];
          if (!meets(outcome, expected)) mismatches.push(`action as ${persona}: expected ${expected}, got ${describeOutcome(outcome)}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});

describe("a developer sees only their own data", () => {
  it.skipIf(OWNED_RESOURCE_ROUTES.length === 0)("gets 404 for another account's evidence, claim, key or ledger", async () => {
    const mismatches: string[] = [];
    for (const { file, params } of OWNED_RESOURCE_ROUTES) {
      const module = (await import(join(ROUTES_DIR, file))) as RouteModule;
      const filled = params(fixtures);
      const path = pathFromFile(file, filled);
      if (!module.loader) continue;
      const outcome = await call(module.loader, path, { cookie: await cookieFor("developer"), params: filled });
      if (outcome.status !== 404) mismatches.push(`${file}: expected 404, got ${describeOutcome(outcome)}`);
    }
    expect(mismatches).toEqual([]);
    const key = await getDb().selectFrom("api_keys").select("revoked_at").where("id", "=", fixtures.victim.keyId).executeTakeFirstOrThrow();
    expect(key.revoked_at, "another account's key must survive every attempt").toBeNull();
  });
});

describe("another account's ledger", () => {
  it("never shows through the credit page, even with that account's entry id as the cursor", async () => {
    const { loader } = await import("~/routes/account.credit");
    const outcome = await call(loader, `/account/credit?before=${fixtures.victim.ledgerEntryId}`, { cookie: await cookieFor("developer") });
    expect(outcome.status).toBe(200);
    expect(outcome.data.balance.total).toBe(0);
    expect(outcome.data.page.entries).toEqual([]);
  });
});

describe("roles and amounts come from the server, never from a form", () => {
  it("ignores a role sent with the sign-up form", async () => {
    const { action } = await import("~/routes/signup");
    const email = `role-smuggler-${newId("x").slice(2, 10)}@example.com`;
    await call(action, "/signup", { form: { email, password: "a perfectly fine passphrase 9", role: "admin" } });
    const user = await getDb().selectFrom("users").select("role").where("email", "=", email).executeTakeFirstOrThrow();
    expect(user.role).toBe("developer");
  });

  it("ignores an amount sent with a claim: the offer is the server's computation", async () => {
    const developer = await createUser();
    const days = ["2024-04-10", "2024-05-10", "2024-06-10"].map((day) => ({ day, model: "gpt-4o", inputTokens: 1_500_000, outputTokens: 500_000, costMicros: 1_000_000, requests: 100 }));
    await saveEvidence(getDb(), {
      userId: developer.id,
      fileName: "usage.csv",
      outcome: {
        kind: "completions_csv", status: "accepted", reasons: [], flags: [], fileSha256: newId("sha"), fileBytes: 100, fingerprint: newId("fp"),
        orgId: `org-${newId("o").slice(2)}`, periodStart: "2024-04-10", periodEnd: "2024-06-10", rowCount: 3,
        inputTokens: 4_500_000, outputTokens: 1_500_000, costMicros: 3_000_000, days,
        summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
      },
    });
    const { action } = await import("~/routes/account.claim");
    const cookie = cookieHeader([await startSession(developer.id, { ip: null, userAgent: null }, "passed")]);
    await call(action, "/account/claim", { cookie, form: { intent: "claim", tokens: "999999999", offeredTokens: "999999999", amount: "999999999" } });
    const claim = await getDb().selectFrom("claims").select(["offered_tokens", "granted_tokens"]).where("account_id", "=", developer.id).executeTakeFirstOrThrow();
    expect(Number(claim.offered_tokens)).not.toBe(999_999_999);
    expect(Number(claim.offered_tokens)).toBeLessThanOrEqual((await getGrantPolicy(getDb())).capTokens);
    const credited = await getDb().selectFrom("ledger_entries").select("amount").where("account_id", "=", developer.id).execute();
    expect(credited.every((entry) => Number(entry.amount) !== 999_999_999)).toBe(true);
  });

  it("ignores a role sent with a support action", async () => {
    const { action } = await import("~/routes/support.accounts.$accountId");
    const path = `/support/accounts/${fixtures.victim.id}`;
    await call(action, path, { cookie: await cookieFor("support"), params: { accountId: fixtures.victim.id }, form: { intent: "send_password_reset", reason: "user asked by phone", role: "admin" } });
    const victim = await getDb().selectFrom("users").select("role").where("id", "=", fixtures.victim.id).executeTakeFirstOrThrow();
    expect(victim.role).toBe("developer");
  });
});
