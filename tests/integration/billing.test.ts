// Paid top-ups end to end below the browser: the real stripe-node client against a loopback
// stand-in, webhooks signed with stripe-node's own test header, the ledger underneath.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPurchaseByPaymentReference, getOwedTokens, listPurchases } from "~/domain/billing.server";
import { creditAccount, debitUsage, getBalance, verifyLedger } from "~/domain/ledger.server";
import { getDb } from "~/lib/db.server";
import { resetEnvForTests } from "~/lib/env.server";
import { currentProvider } from "~/lib/provider.server";
import { action as billingAction, loader as billingLoader } from "~/routes/account.billing";
import { loader as successLoader } from "~/routes/account.billing_.success";
import { action as loginAction } from "~/routes/login";
import { action as webhookAction } from "~/routes/webhooks.stripe";
import { call, cookieHeader, createUser } from "./helpers";
import { STAND_IN_SECRET_KEY, STAND_IN_WEBHOOK_SECRET, startStripeStandIn, type StandInSession, type StripeStandIn } from "./stripe-stand-in";

let standIn: StripeStandIn;
// Only used to sign test payloads, exactly as Stripe would.
const signer = new Stripe(STAND_IN_SECRET_KEY);

beforeAll(async () => {
  standIn = await startStripeStandIn();
  process.env.STRIPE_SECRET_KEY = STAND_IN_SECRET_KEY;
  process.env.STRIPE_WEBHOOK_SECRET = STAND_IN_WEBHOOK_SECRET;
  process.env.STRIPE_API_BASE_URL = standIn.url;
  resetEnvForTests();
});

afterAll(async () => {
  delete process.env.STRIPE_SECRET_KEY;
  delete process.env.STRIPE_WEBHOOK_SECRET;
  delete process.env.STRIPE_API_BASE_URL;
  resetEnvForTests();
  await standIn?.close();
});

const pack = () => currentProvider().creditPacks[0]!;

async function logIn(options: { verified?: boolean } = {}) {
  const user = await createUser({ verified: options.verified ?? true });
  const outcome = await call(loginAction, "/login", { form: { email: user.email, password: user.password } });
  return { user, cookie: cookieHeader(outcome.setCookies) };
}

/** Buys a pack through the billing page's action; returns the stand-in's session. */
async function buy(cookie: string, packId = pack().id): Promise<StandInSession> {
  const outcome = await call(billingAction, "/account/billing", { form: { packId }, cookie });
  expect(outcome.status).toBe(303);
  const id = outcome.location!.split("/").pop()!;
  const session = standIn.sessions.get(id);
  expect(session, `redirected to ${outcome.location}`).toBeDefined();
  expect(outcome.location).toBe(session!.url);
  return session!;
}

let eventCounter = 0;
function eventFor(type: string, object: unknown, id = `evt_test_${Date.now()}_${++eventCounter}`) {
  return JSON.stringify({
    id,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });
}

function signed(payload: string, options: { secret?: string; timestamp?: number } = {}) {
  return signer.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? STAND_IN_WEBHOOK_SECRET,
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
}

async function deliver(payload: string, signature: string | null = signed(payload)) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (signature !== null) headers["Stripe-Signature"] = signature;
  return call(webhookAction, "/webhooks/stripe", { method: "POST", body: payload, headers });
}

function chargeFor(session: StandInSession, amountRefunded: number) {
  return {
    id: `ch_test_${session.id.slice(8)}`,
    object: "charge",
    amount: session.amount_total,
    amount_refunded: amountRefunded,
    currency: session.currency,
    payment_intent: session.payment_intent,
    refunded: amountRefunded >= session.amount_total,
    metadata: session.metadata,
    status: "succeeded",
  };
}

async function purchaseEntries(accountId: string) {
  return getDb().selectFrom("ledger_entries").selectAll().where("account_id", "=", accountId).where("kind", "=", "purchase").execute();
}

describe("checkout", () => {
  it("creates a Checkout Session through stripe-node with the purchase's idempotency key, amount, currency and metadata", async () => {
    const { user, cookie } = await logIn();
    const before = standIn.requests.length;
    const session = await buy(cookie);
    const request = standIn.requests.slice(before).find((recorded) => recorded.path === "/v1/checkout/sessions")!;
    const [purchase] = await listPurchases(getDb(), user.id);

    expect(purchase).toMatchObject({ state: "pending", tokens: pack().tokens, amount: pack().priceMinor, currency: pack().currency, checkoutSessionId: session.id });
    const row = await getDb().selectFrom("purchases").select("idempotency_key").where("id", "=", purchase!.id).executeTakeFirstOrThrow();
    expect(request.method).toBe("POST");
    expect(request.idempotencyKey).toBe(row.idempotency_key);
    expect(request.authorization).toBe(`Bearer ${STAND_IN_SECRET_KEY}`);
    expect(request.body).toMatchObject({
      mode: "payment",
      client_reference_id: purchase!.id,
      customer_email: user.email,
      metadata: { account_id: user.id, pack_id: pack().id, purchase_id: purchase!.id },
      payment_intent_data: { metadata: { account_id: user.id, pack_id: pack().id, purchase_id: purchase!.id } },
      line_items: [{ quantity: "1", price_data: { currency: pack().currency, unit_amount: String(pack().priceMinor) } }],
    });
    expect(request.body.success_url).toBe("http://ferry.test/account/billing/success?session_id={CHECKOUT_SESSION_ID}");
    expect(session.amount_total).toBe(pack().priceMinor);
  });

  it("refuses an unknown pack, an unverified account, and changes nothing", async () => {
    const { user, cookie } = await logIn();
    const before = standIn.requests.length;
    const unknown = await call(billingAction, "/account/billing", { form: { packId: "free-lunch" }, cookie });
    expect(unknown.status).toBe(400);
    expect(unknown.data.formError).toBe("billing.errors.unknownPack");
    const missing = await call(billingAction, "/account/billing", { form: {}, cookie });
    expect(missing.status).toBe(400);

    const unverified = await logIn({ verified: false });
    const refused = await call(billingAction, "/account/billing", { form: { packId: pack().id }, cookie: unverified.cookie });
    expect(refused.status).toBe(403);

    expect(standIn.requests.length).toBe(before);
    expect(await listPurchases(getDb(), user.id)).toEqual([]);
    expect(await listPurchases(getDb(), unverified.user.id)).toEqual([]);
  });

  it("says top-ups are off without STRIPE_SECRET_KEY and the rest of the page works", async () => {
    const { cookie } = await logIn();
    delete process.env.STRIPE_SECRET_KEY;
    resetEnvForTests();
    try {
      const page = await call(billingLoader, "/account/billing", { cookie });
      expect(page.status).toBe(200);
      expect(page.data).toMatchObject({ enabled: false, balance: { total: 0 }, purchases: [] });
      const bought = await call(billingAction, "/account/billing", { form: { packId: pack().id }, cookie });
      expect(bought.status).toBe(409);
      const hook = await deliver(eventFor("checkout.session.completed", {}));
      expect(hook.status).toBe(404);
    } finally {
      process.env.STRIPE_SECRET_KEY = STAND_IN_SECRET_KEY;
      resetEnvForTests();
    }
  });

  it("keeps the purchase out of the way when Stripe cannot be reached", async () => {
    const { user, cookie } = await logIn();
    process.env.STRIPE_API_BASE_URL = "http://127.0.0.1:9"; // discard port: connection refused
    resetEnvForTests();
    try {
      const outcome = await call(billingAction, "/account/billing", { form: { packId: pack().id }, cookie });
      expect(outcome.status).toBe(502);
      expect(outcome.data.formError).toBe("billing.errors.stripeUnavailable");
    } finally {
      process.env.STRIPE_API_BASE_URL = standIn.url;
      resetEnvForTests();
    }
    const [purchase] = await listPurchases(getDb(), user.id);
    expect(purchase!.state).toBe("failed");
    expect((await getBalance(getDb(), user.id)).total).toBe(0);
  });
});

describe("webhook fulfilment", () => {
  it("credits the paid bucket once for the same event delivered three times", async () => {
    const { user, cookie } = await logIn();
    const session = standIn.markPaid((await buy(cookie)).id);
    const payload = eventFor("checkout.session.completed", session);
    const outcomes = [await deliver(payload), await deliver(payload), await deliver(payload)];
    expect(outcomes.map((outcome) => outcome.status)).toEqual([200, 200, 200]);
    expect(outcomes.map((outcome) => outcome.data.status)).toEqual(["processed", "duplicate", "duplicate"]);

    const balance = await getBalance(getDb(), user.id);
    expect(balance).toMatchObject({ paid: pack().tokens, promo: 0, total: pack().tokens });
    expect(await purchaseEntries(user.id)).toHaveLength(1);
    const [purchase] = await listPurchases(getDb(), user.id);
    expect(purchase).toMatchObject({ state: "paid", paymentIntentId: session.payment_intent });
    const page = await call(billingLoader, "/account/billing", { cookie });
    expect(page.data.purchases[0]).toMatchObject({ state: "paid", tokens: pack().tokens });
  });

  it("credits once for two different events about one session, whatever their order", async () => {
    const { user, cookie } = await logIn();
    const session = standIn.markPaid((await buy(cookie)).id);
    const succeeded = await deliver(eventFor("checkout.session.async_payment_succeeded", session));
    const completed = await deliver(eventFor("checkout.session.completed", session));
    expect(succeeded.data).toMatchObject({ status: "processed", outcome: "credited" });
    expect(completed.data).toMatchObject({ status: "processed", outcome: "already_credited" });
    expect((await getBalance(getDb(), user.id)).paid).toBe(pack().tokens);
    expect(await purchaseEntries(user.id)).toHaveLength(1);
  });

  it("waits for a delayed payment: completed-but-unpaid credits nothing, async success credits", async () => {
    const { user, cookie } = await logIn();
    const open = await buy(cookie);
    const unpaid = await deliver(eventFor("checkout.session.completed", { ...open, status: "complete", payment_status: "unpaid" }));
    expect(unpaid.data).toMatchObject({ status: "processed", outcome: "not_paid" });
    expect((await getBalance(getDb(), user.id)).total).toBe(0);
    const session = standIn.markPaid(open.id);
    await deliver(eventFor("checkout.session.async_payment_succeeded", session));
    expect((await getBalance(getDb(), user.id)).paid).toBe(pack().tokens);
  });

  it.each([
    ["a tampered body", (payload: string) => ({ body: payload.replace(/"amount_total":\d+/, '"amount_total":1'), signature: signed(payload) })],
    ["a wrong secret", (payload: string) => ({ body: payload, signature: signed(payload, { secret: "whsec_somebody_else" }) })],
    ["an old timestamp", (payload: string) => ({ body: payload, signature: signed(payload, { timestamp: Math.floor(Date.now() / 1000) - 3600 }) })],
    ["no signature", (payload: string) => ({ body: payload, signature: null })],
    ["a garbage signature", (payload: string) => ({ body: payload, signature: "t=1,v1=deadbeef" })],
  ])("refuses %s with 400 and changes nothing", async (_label, forge) => {
    const { user, cookie } = await logIn();
    const session = standIn.markPaid((await buy(cookie)).id);
    const eventId = `evt_forged_${Date.now()}_${++eventCounter}`;
    const forged = forge(eventFor("checkout.session.completed", session, eventId));
    const outcome = await deliver(forged.body, forged.signature);
    expect(outcome.status).toBe(400);
    expect((await getBalance(getDb(), user.id)).total).toBe(0);
    expect(await getDb().selectFrom("stripe_events").select("id").where("id", "=", eventId).executeTakeFirst()).toBeUndefined();
    expect((await listPurchases(getDb(), user.id))[0]!.state).toBe("pending");
  });

  it("acknowledges unknown events and ignores them", async () => {
    const outcome = await deliver(eventFor("customer.created", { id: "cus_test_1", object: "customer" }));
    expect(outcome.status).toBe(200);
    expect(outcome.data.status).toBe("ignored");
  });

  it("does not credit a session whose amount does not match the purchase", async () => {
    const { user, cookie } = await logIn();
    const session = standIn.markPaid((await buy(cookie)).id);
    const outcome = await deliver(eventFor("checkout.session.completed", { ...session, amount_total: 1 }));
    expect(outcome.data.outcome).toBe("mismatch");
    expect((await getBalance(getDb(), user.id)).total).toBe(0);
  });
});

describe("sessions that end unpaid", () => {
  it("marks an expired checkout expired and leaves it off the receipts", async () => {
    const { user, cookie } = await logIn();
    const open = await buy(cookie);
    const outcome = await deliver(eventFor("checkout.session.expired", { ...open, status: "expired", url: null }));
    expect(outcome.data).toMatchObject({ status: "processed", outcome: "not_paid" });
    expect((await listPurchases(getDb(), user.id))[0]!.state).toBe("expired");
    expect((await call(billingLoader, "/account/billing", { cookie })).data.purchases).toEqual([]);
  });

  it("records a signed event whose object is not the expected shape, and applies nothing", async () => {
    const { user, cookie } = await logIn();
    const session = standIn.markPaid((await buy(cookie)).id);
    const outcome = await deliver(eventFor("checkout.session.completed", { ...session, amount_total: "a lot" }));
    expect(outcome.status).toBe(200);
    expect(outcome.data.outcome).toBe("malformed");
    expect((await getBalance(getDb(), user.id)).total).toBe(0);
    const bad = await deliver(JSON.stringify({ id: "evt_no_data", type: "checkout.session.completed" }));
    expect(bad.status).toBe(400);
  });
});

describe("support look-up", () => {
  it("finds a purchase by its id, Checkout Session id or PaymentIntent id", async () => {
    const { user, cookie } = await logIn();
    const session = standIn.markPaid((await buy(cookie)).id);
    await deliver(eventFor("checkout.session.completed", session));
    const [purchase] = await listPurchases(getDb(), user.id);
    for (const reference of [purchase!.id, session.id, session.payment_intent!]) {
      expect(await findPurchaseByPaymentReference(getDb(), reference)).toMatchObject({ id: purchase!.id, accountId: user.id });
    }
    expect(await findPurchaseByPaymentReference(getDb(), "pi_nobody")).toBeUndefined();
  });
});

describe("success page", () => {
  it("fulfils from the session it retrieves when it arrives before the webhook, and the webhook then does nothing", async () => {
    const { user, cookie } = await logIn();
    const session = standIn.markPaid((await buy(cookie)).id);
    const before = standIn.requests.length;
    const page = await call(successLoader, `/account/billing/success?session_id=${session.id}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.data).toMatchObject({ state: "paid", tokens: pack().tokens, total: pack().tokens });
    expect(standIn.requests.slice(before).map((recorded) => `${recorded.method} ${recorded.path}`)).toEqual([`GET /v1/checkout/sessions/${session.id}`]);

    const hook = await deliver(eventFor("checkout.session.completed", session));
    expect(hook.data.outcome).toBe("already_credited");
    expect((await getBalance(getDb(), user.id)).paid).toBe(pack().tokens);
  });

  it("shows a pending purchase as pending while Stripe has not confirmed it", async () => {
    const { user, cookie } = await logIn();
    const session = await buy(cookie);
    const page = await call(successLoader, `/account/billing/success?session_id=${session.id}`, { cookie });
    expect(page.data).toMatchObject({ state: "pending", total: 0 });
    expect((await getBalance(getDb(), user.id)).total).toBe(0);
  });

  it("does not show another account's purchase, nor accept a malformed session id", async () => {
    const owner = await logIn();
    const session = standIn.markPaid((await buy(owner.cookie)).id);
    const stranger = await logIn();
    expect((await call(successLoader, `/account/billing/success?session_id=${session.id}`, { cookie: stranger.cookie })).status).toBe(404);
    expect((await call(successLoader, `/account/billing/success?session_id=../../v1/x`, { cookie: owner.cookie })).status).toBe(404);
    expect((await getBalance(getDb(), owner.user.id)).total).toBe(0);
  });

  it("credits once when the webhook and the success page arrive at the same time", async () => {
    for (let round = 0; round < 5; round += 1) {
      const { user, cookie } = await logIn();
      const session = standIn.markPaid((await buy(cookie)).id);
      const payload = eventFor("checkout.session.completed", session);
      const results = await Promise.all([
        deliver(payload),
        call(successLoader, `/account/billing/success?session_id=${session.id}`, { cookie }),
        deliver(payload),
        deliver(eventFor("checkout.session.async_payment_succeeded", session)),
        call(successLoader, `/account/billing/success?session_id=${session.id}`, { cookie }),
      ]);
      expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
      expect((await getBalance(getDb(), user.id)).paid).toBe(pack().tokens);
      expect(await purchaseEntries(user.id)).toHaveLength(1);
    }
  });
});

describe("refunds", () => {
  it("reverses what is left after partial use, records the rest as owed, and a later purchase settles it", async () => {
    const { user, cookie } = await logIn();
    const tokens = pack().tokens;
    const session = standIn.markPaid((await buy(cookie)).id);
    await deliver(eventFor("checkout.session.completed", session));
    const used = Math.floor(tokens * 0.3);
    await debitUsage(getDb(), { accountId: user.id, requestId: `req-${user.id}-1`, tokens: used });

    const refund = eventFor("charge.refunded", chargeFor(session, session.amount_total));
    const first = await deliver(refund);
    const again = await deliver(refund);
    expect(first.data).toMatchObject({ status: "processed", outcome: "reversed" });
    expect(again.data.status).toBe("duplicate");
    // The same refund told again by a new event changes nothing either.
    expect((await deliver(eventFor("charge.refunded", chargeFor(session, session.amount_total)))).data.outcome).toBe("unchanged");

    expect(await getBalance(getDb(), user.id)).toMatchObject({ paid: 0, promo: 0, total: 0 });
    expect(await getOwedTokens(getDb(), user.id)).toBe(used);
    const [purchase] = await listPurchases(getDb(), user.id);
    expect(purchase).toMatchObject({ state: "refunded", refundedAmount: session.amount_total, refundedTokens: tokens });
    const page = await call(billingLoader, "/account/billing", { cookie });
    expect(page.data.owed).toBe(used);

    const next = standIn.markPaid((await buy(cookie)).id);
    await deliver(eventFor("checkout.session.completed", next));
    expect(await getOwedTokens(getDb(), user.id)).toBe(0);
    expect((await getBalance(getDb(), user.id)).paid).toBe(tokens - used);
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });

  it("takes back a partial refund's share, and more when the refund grows", async () => {
    const { user, cookie } = await logIn();
    const tokens = pack().tokens;
    const session = standIn.markPaid((await buy(cookie)).id);
    await deliver(eventFor("checkout.session.completed", session));
    await deliver(eventFor("charge.refunded", chargeFor(session, session.amount_total / 2)));
    expect((await getBalance(getDb(), user.id)).paid).toBe(tokens / 2);
    expect((await listPurchases(getDb(), user.id))[0]).toMatchObject({ state: "paid", refundedTokens: tokens / 2 });
    // An older, smaller refund total arriving late changes nothing.
    expect((await deliver(eventFor("charge.refunded", chargeFor(session, session.amount_total / 4)))).data.outcome).toBe("unchanged");
    await deliver(eventFor("charge.refunded", chargeFor(session, session.amount_total)));
    expect((await getBalance(getDb(), user.id)).paid).toBe(0);
    expect(await getOwedTokens(getDb(), user.id)).toBe(0);
  });

  it("takes spent paid tokens back from free credit before recording a debt", async () => {
    const { user, cookie } = await logIn();
    const tokens = pack().tokens;
    const session = standIn.markPaid((await buy(cookie)).id);
    await deliver(eventFor("checkout.session.completed", session));
    await debitUsage(getDb(), { accountId: user.id, requestId: `req-${user.id}-all`, tokens });
    await creditAccount(getDb(), {
      accountId: user.id, kind: "grant", bucket: "promo", tokens: 1_000, idempotencyKey: `grant-${user.id}`,
      referenceType: "test", referenceId: user.id, expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await deliver(eventFor("charge.refunded", chargeFor(session, session.amount_total)));
    expect(await getBalance(getDb(), user.id)).toMatchObject({ paid: 0, promo: 0 });
    expect(await getOwedTokens(getDb(), user.id)).toBe(tokens - 1_000);
  });

  it("never credits a purchase refunded in full before its payment event arrived", async () => {
    const { user, cookie } = await logIn();
    const session = standIn.markPaid((await buy(cookie)).id);
    const refund = await deliver(eventFor("charge.refunded", chargeFor(session, session.amount_total)));
    expect(refund.data.status).toBe("processed");
    const late = await deliver(eventFor("checkout.session.completed", session));
    expect(late.data.outcome).toBe("refunded_before_payment");
    expect((await getBalance(getDb(), user.id)).total).toBe(0);
    expect(await getOwedTokens(getDb(), user.id)).toBe(0);
  });
});
