// The demo seed: every screen has something to show, the data went through the domain (the ledger
// verifies), a second run changes nothing, and a production start can never seed.
import { describe, expect, it } from "vitest";
import { seedDemoAccounts, DEMO_ACCOUNTS, demoApiKey, DEMO_GATEWAY_TOKEN } from "~/domain/demo-seed.server";
import { listAccountClaims } from "~/domain/claims.server";
import { getBalance, verifyLedger } from "~/domain/ledger.server";
import { listApiKeys } from "~/domain/api-keys.server";
import { listPurchases } from "~/domain/billing.server";
import { listPendingAdjustments } from "~/domain/credit-adjustments.server";
import { getDailyUsage } from "~/domain/usage-daily.server";
import { authorizeApiKey, recordUsage } from "~/domain/gateway.server";
import { findUserByEmail } from "~/domain/accounts.server";
import { getDb } from "~/lib/db.server";
import { parseEnv } from "~/lib/env.server";
import { currentProvider } from "~/lib/provider.server";

const db = () => getDb();

async function idOf(email: string): Promise<string> {
  const user = await findUserByEmail(db(), email);
  if (!user) throw new Error(`${email} was not seeded`);
  return user.id;
}

async function tableCounts() {
  const count = async (table: "users" | "evidence" | "claims" | "ledger_entries" | "api_keys" | "purchases" | "credit_adjustments" | "audit_log" | "mail_outbox") =>
    Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  const tables = ["users", "evidence", "claims", "ledger_entries", "api_keys", "purchases", "credit_adjustments", "audit_log", "mail_outbox"] as const;
  return Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await count(table)] as const)));
}

describe("npm run demo's seed", () => {
  it("seeds a claim in every state, keys, a week of usage, a purchase and a credit proposal, through the domain", async () => {
    const lines: string[] = [];
    await seedDemoAccounts(db(), { log: (line) => lines.push(line) });

    const statusOf = async (email: string) => (await listAccountClaims(db(), await idOf(email)))[0]?.status;
    expect(await statusOf("developer@demo.ferry")).toBe("auto_approved");
    expect(await statusOf("in-review@demo.ferry")).toBe("pending");
    expect(await statusOf("needs-info@demo.ferry")).toBe("needs_info");
    expect(await statusOf("rejected@demo.ferry")).toBe("rejected");
    expect(await statusOf("newcomer@demo.ferry")).toBeUndefined();

    const developer = await idOf("developer@demo.ferry");
    const keys = await listApiKeys(db(), developer);
    expect(keys.map((key) => key.name).sort()).toEqual(["Demo key (published)", "Laptop"]);
    const purchases = await listPurchases(db(), developer);
    expect(purchases).toHaveLength(1);
    expect(purchases[0]!.state).toBe("paid");
    const balance = await getBalance(db(), developer);
    expect(balance.paid).toBeGreaterThan(0);
    expect(balance.promo).toBeGreaterThan(0);
    const week = await getDailyUsage(db(), developer, { days: 7 });
    expect(week.every((day) => day.tokens > 0)).toBe(true);
    expect(await listPendingAdjustments(db(), { accountId: developer })).toHaveLength(1);

    expect((await verifyLedger(db())).ok).toBe(true);
    expect(lines.join("\n")).toContain(demoApiKey(currentProvider().keyPrefix));
  });

  it("runs again without error and changes nothing", async () => {
    const before = await tableCounts();
    await seedDemoAccounts(db());
    expect(await tableCounts()).toEqual(before);
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it("publishes a demo key the gateway accepts and debits, as the README's curl does", async () => {
    const profile = currentProvider();
    const key = demoApiKey(profile.keyPrefix);
    const authorized = await authorizeApiKey(db(), profile, { apiKey: key, model: "gpt-4o-mini" });
    expect(authorized.ok).toBe(true);
    const before = await getBalance(db(), await idOf("developer@demo.ferry"));
    const used = await recordUsage(db(), profile, { requestId: "readme-curl-1", apiKey: key, model: "glm-4-flash", inputTokens: 1200, outputTokens: 300 });
    expect(used.ok && used.debited_tokens).toBe(1500);
    expect((await getBalance(db(), await idOf("developer@demo.ferry"))).total).toBe(before.total - 1500);
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it("has its demo accounts and gateway token only in demo mode; a production start refuses DEMO", () => {
    const production = { NODE_ENV: "production", APP_SECRET: "x".repeat(40), MAIL_TRANSPORT: "log-redacted" };
    expect(() => parseEnv({ ...production, DEMO: "1" })).toThrow(/DEMO/);
    expect(parseEnv(production).GATEWAY_TOKENS).not.toContain(DEMO_GATEWAY_TOKEN);
    expect(parseEnv({ ...production, GATEWAY_TOKENS: "a-real-token-of-24-characters-or-more" }).GATEWAY_TOKENS).toEqual(["a-real-token-of-24-characters-or-more"]);
    expect(parseEnv({ NODE_ENV: "development", DEMO: "1" }).GATEWAY_TOKENS).toEqual([DEMO_GATEWAY_TOKEN]);
    expect(parseEnv({ NODE_ENV: "development" }).GATEWAY_TOKENS).toEqual([]);
    expect(DEMO_ACCOUNTS.filter((account) => account.role === "developer").length).toBeGreaterThanOrEqual(4);
  });
});
