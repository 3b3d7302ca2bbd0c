// Two portal processes on one PostgreSQL database, as a provider runs Ferry behind a load balancer:
// concurrent gateway debits through both, two staff members deciding one claim on different
// instances, one Stripe event delivered to both; then `ledger:verify` on the shared database.
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { totpCodeAt, totpStep } from "~/domain/totp";
import { enrolTotpWithKnownSecret } from "~/domain/two-factor.server";
import { resetEnvForTests } from "~/lib/env.server";
import { submitClaim } from "~/domain/claims.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage } from "~/domain/evidence/types";
import { getBalance, verifyLedger } from "~/domain/ledger.server";
import { providerProfiles } from "~/providers";
import { startServer, type ServerProcess } from "../fixtures/server-process";
import { STAND_IN_SECRET_KEY, STAND_IN_WEBHOOK_SECRET, startStripeStandIn, type StripeStandIn } from "../integration/stripe-stand-in";
import { APP_SECRET, freshDatabase, inParallel, PASSWORD, PortalSession, postgresSkipNotice, postUsage, runLedgerVerify, seedPaidAccount, serverEnv, type FreshDatabase, type UsageReport } from "./harness";

const noPostgres = postgresSkipNotice("scale-out test (two servers on one PostgreSQL database)");

let database: FreshDatabase;
let stripeStandIn: StripeStandIn;
let instances: ServerProcess[] = [];

beforeAll(async () => {
  if (noPostgres) return;
  // Unmigrated: both instances start at once and migrate the same database concurrently.
  database = await freshDatabase("postgres", { migrate: false });
  stripeStandIn = await startStripeStandIn();
  const env = serverEnv(database.url, { STRIPE_SECRET_KEY: STAND_IN_SECRET_KEY, STRIPE_WEBHOOK_SECRET: STAND_IN_WEBHOOK_SECRET, STRIPE_API_BASE_URL: stripeStandIn.url });
  const started = await Promise.allSettled([startServer({ label: "instance A", env }), startServer({ label: "instance B", env })]);
  instances = started.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
}, 300_000);

afterAll(async () => {
  for (const instance of instances) await instance.stop();
  await stripeStandIn?.close();
  await database?.drop();
}, 120_000);

const M = 1_000_000;

/** A developer whose accepted evidence makes an offer above the auto-approve limit: the claim waits for staff. */
async function pendingClaim(monthlyTokens: number) {
  const user = await createAccount(database.db, { email: `claimant-${randomBytes(4).toString("hex")}@example.com`, password: PASSWORD, role: "developer", verified: true });
  const days: DayUsage[] = ["2024-04-10", "2024-05-10", "2024-06-10"].map((day) => ({ day, model: "gpt-4o", inputTokens: monthlyTokens * 0.75, outputTokens: monthlyTokens * 0.25, costMicros: 12 * M, requests: 1200 }));
  await saveEvidence(database.db, {
    userId: user.id,
    fileName: "usage.csv",
    outcome: {
      kind: "completions_csv",
      status: "accepted",
      reasons: [],
      flags: [],
      fileSha256: randomBytes(32).toString("hex"),
      fileBytes: 2048,
      fingerprint: randomBytes(32).toString("hex"),
      orgId: `org-${randomBytes(12).toString("hex")}`,
      periodStart: "2024-04-10",
      periodEnd: "2024-06-10",
      rowCount: 3,
      inputTokens: monthlyTokens * 3 * 0.75,
      outputTokens: monthlyTokens * 3 * 0.25,
      costMicros: 36 * M,
      days,
      summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
    },
  });
  const submitted = await submitClaim(database.db, user.id);
  if (!submitted.ok || submitted.status !== "pending") throw new Error(`expected a pending claim, got ${JSON.stringify(submitted)}`);
  return { accountId: user.id, claimId: submitted.claimId };
}

// Operators log in with a second factor: the authenticator secret is sealed with the servers'
// APP_SECRET, so this process uses the same one.
process.env.APP_SECRET = APP_SECRET;
resetEnvForTests();
const STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/** A staff member with an enrolled authenticator, logged in on `baseUrl` with password and code. */
async function staffSession(baseUrl: string): Promise<PortalSession> {
  const user = await createAccount(database.db, { email: `staff-${randomBytes(4).toString("hex")}@example.com`, password: PASSWORD, role: "staff", verified: true });
  await enrolTotpWithKnownSecret(database.db, user.id, STAFF_TOTP_SECRET);
  const session = await PortalSession.logIn(baseUrl, user.email);
  const response = await session.post("/login/second-factor", { code: totpCodeAt(STAFF_TOTP_SECRET, totpStep(new Date())), redirectTo: "/staff/claims" });
  await response.arrayBuffer();
  if (response.status !== 302) throw new Error(`second factor for ${user.email} on ${baseUrl} answered ${response.status}`);
  return session;
}

describe.skipIf(noPostgres)("two instances on one PostgreSQL database", () => {
  it("debits through both never overspend; replays count once", async () => {
    const [a, b] = instances as [ServerProcess, ServerProcess];
    const credit = 10_000;
    const account = await seedPaidAccount(database.db, credit);
    const reports: UsageReport[] = Array.from({ length: 120 }, (_, index) => ({ request_id: `scale-${index}`, key_id: account.keyId, model: "gpt-4o-mini", input_tokens: 70, output_tokens: 30 }));
    // Each report goes to both instances at once: the gateway's retry landing on the other node.
    const deliveries = reports.flatMap((report, index) => (index % 2 ? [[a, report], [b, report]] : [[b, report], [a, report]]) as Array<[ServerProcess, UsageReport]>);
    const outcomes = await inParallel(deliveries, 24, ([instance, report]) => postUsage(instance.url, report, { retry: true }));
    for (const instance of [a, b]) expect(instance.child.exitCode, instance.output()).toBeNull();
    for (const outcome of outcomes) expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);

    const firsts = new Map<string, { debited_tokens: number; shortfall_tokens: number }>();
    for (const { body } of outcomes) {
      expect(body.remaining_tokens).toBeGreaterThanOrEqual(0);
      if (!body.duplicate) {
        expect(firsts.has(body.request_id), `${body.request_id} debited twice`).toBe(false);
        firsts.set(body.request_id, body);
      }
    }
    expect(firsts.size).toBe(reports.length);
    for (const { body } of outcomes) {
      const first = firsts.get(body.request_id)!;
      expect(body).toMatchObject({ debited_tokens: first.debited_tokens, shortfall_tokens: first.shortfall_tokens });
    }
    const debited = [...firsts.values()].reduce((sum, body) => sum + body.debited_tokens, 0);
    const shortfall = [...firsts.values()].reduce((sum, body) => sum + body.shortfall_tokens, 0);
    expect(debited).toBe(credit);
    expect(debited + shortfall).toBe(reports.length * 100);
    expect(await getBalance(database.db, account.accountId)).toMatchObject({ paid: 0, total: 0 });
    const rows = await database.db.selectFrom("ledger_debits").select("reference_id").where("account_id", "=", account.accountId).execute();
    expect(rows).toHaveLength(reports.length);
  });

  it("two staff members approving one claim on different instances grant once", async () => {
    const [a, b] = instances as [ServerProcess, ServerProcess];
    const offer = 20 * M;
    const { accountId, claimId } = await pendingClaim(offer);
    const [first, second] = await Promise.all([staffSession(a.url), staffSession(b.url)]);
    const decide = async (session: PortalSession) => {
      const response = await session.post(`/staff/claims/${claimId}`, { intent: "approve", version: "1" });
      await response.arrayBuffer();
      return response.status;
    };
    const statuses = await Promise.all([decide(first), decide(second)]);
    expect(statuses.sort()).toEqual([200, 409]);

    const claim = await database.db.selectFrom("claims").select(["status", "granted_tokens"]).where("id", "=", claimId).executeTakeFirstOrThrow();
    expect(claim).toMatchObject({ status: "approved", granted_tokens: offer });
    const grants = await database.db.selectFrom("ledger_entries").select(["amount"]).where("account_id", "=", accountId).where("kind", "=", "grant").execute();
    expect(grants.map((entry) => Number(entry.amount))).toEqual([offer]);
    expect((await getBalance(database.db, accountId)).promo).toBe(offer);
  });

  it("one Stripe event delivered to both instances credits once", async () => {
    const [a, b] = instances as [ServerProcess, ServerProcess];
    const buyer = await seedPaidAccount(database.db, 1);
    const session = await PortalSession.logIn(a.url, buyer.email);
    const checkout = await session.post("/account/billing", { packId: providerProfiles.glm.creditPacks[0]!.id });
    await checkout.arrayBuffer();
    expect(checkout.status).toBe(303);
    const sessionId = checkout.headers.get("location")!.split("/").pop()!;
    const paid = stripeStandIn.markPaid(sessionId);
    const payload = JSON.stringify({
      id: `evt_ops_${randomBytes(8).toString("hex")}`,
      object: "event",
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      type: "checkout.session.completed",
      data: { object: paid },
      livemode: false,
      pending_webhooks: 2,
      request: { id: null, idempotency_key: null },
    });
    const signature = new Stripe(STAND_IN_SECRET_KEY).webhooks.generateTestHeaderString({ payload, secret: STAND_IN_WEBHOOK_SECRET });
    const deliver = async (instance: ServerProcess) => {
      const response = await fetch(`${instance.url}/webhooks/stripe`, { method: "POST", headers: { "Content-Type": "application/json", "Stripe-Signature": signature }, body: payload });
      return { status: response.status, body: (await response.json()) as { status: string } };
    };
    const outcomes = await Promise.all([deliver(a), deliver(b), deliver(a), deliver(b)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([200, 200, 200, 200]);
    expect(outcomes.map((outcome) => outcome.body.status).sort()).toEqual(["duplicate", "duplicate", "duplicate", "processed"]);
    const purchases = await database.db.selectFrom("ledger_entries").select("amount").where("account_id", "=", buyer.accountId).where("kind", "=", "purchase").execute();
    expect(purchases).toHaveLength(2); // the seed's single token, and this pack
    const pack = await database.db.selectFrom("purchases").select(["state", "tokens"]).where("account_id", "=", buyer.accountId).executeTakeFirstOrThrow();
    expect(pack.state).toBe("paid");
    expect((await getBalance(database.db, buyer.accountId)).paid).toBe(1 + Number(pack.tokens));
  });

  it("leaves a ledger that ledger:verify finds clean", async () => {
    expect((await verifyLedger(database.db)).ok).toBe(true);
    const verified = await runLedgerVerify(database.url);
    expect(verified.code, verified.output).toBe(0);
    expect(verified.output).toContain("OK:");
  });
});
