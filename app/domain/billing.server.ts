// Paid top-ups: a purchase is created `pending` with its Checkout Session, becomes `paid` exactly
// once (webhook or success page, whichever comes first) in the same transaction as its ledger
// credit, and refunds post reversing entries; what was already spent is recorded as owed.
import type { Transaction } from "kysely";
import type Stripe from "stripe";
import type { Database, Purchase, PurchaseState } from "~/lib/db-schema";
import type { CheckoutPaymentMethod } from "~/lib/env.server";
import type { DbExecutor } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { errorFields, log } from "~/lib/logger.server";
import type { CreditPack, ProviderProfile } from "~/providers";
import { recordAudit } from "./audit.server";
import { creditAccount, reverseCredit } from "./ledger.server";

type Trx = Transaction<Database>;

export const PURCHASE_REFERENCE_TYPE = "purchase";
export const REFUND_REFERENCE_TYPE = "purchase_refund";
export const DEBT_SETTLEMENT_REFERENCE_TYPE = "billing_debt";

export function findCreditPack(profile: ProviderProfile, packId: string): CreditPack | undefined {
  return profile.creditPacks.find((pack) => pack.id === packId);
}

function inTransaction<T>(db: DbExecutor, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Trx) : db.transaction().execute(work);
}

// ---------------------------------------------------------------------------------------------
// Checkout

export interface StartCheckoutInput {
  accountId: string;
  email: string;
  locale: "en" | "zh";
  pack: CreditPack;
  providerName: string;
  /** Public origin of this deployment, for the success and cancel URLs. */
  origin: string;
  /** What Checkout offers (STRIPE_PAYMENT_METHODS); unset: whatever the Stripe dashboard enables. */
  paymentMethods?: readonly CheckoutPaymentMethod[];
  now?: Date;
}

/**
 * The Checkout Session fields that choose its payment methods. Stripe's API version of the
 * client we use (2026-10-28) replaced `payment_method_types` with `allowed_payment_method_types`:
 * a filter on the methods the account has activated, so a method the account lacks is simply not
 * shown. WeChat Pay in Checkout needs its client named (`web`: a QR code for the WeChat app).
 */
export function checkoutPaymentMethodParams(
  methods: readonly CheckoutPaymentMethod[] | undefined,
): Pick<Stripe.Checkout.SessionCreateParams, "allowed_payment_method_types" | "payment_method_options"> {
  if (!methods || methods.length === 0) return {};
  return {
    allowed_payment_method_types: [...methods],
    ...(methods.includes("wechat_pay") ? { payment_method_options: { wechat_pay: { client: "web" } } } : {}),
  };
}

export type StartCheckoutResult =
  | { ok: true; purchaseId: string; sessionId: string; url: string }
  | { ok: false; reason: "stripe_unavailable"; purchaseId: string };

/**
 * Records a pending purchase with its idempotency key, then asks Stripe for a Checkout Session
 * with that key (a retried request cannot create a second session) and returns where to send
 * the customer.
 */
export async function startCheckout(db: DbExecutor, stripe: Stripe, input: StartCheckoutInput): Promise<StartCheckoutResult> {
  const at = (input.now ?? new Date()).toISOString();
  const purchaseId = newId("pur");
  const idempotencyKey = `ferry-checkout-${purchaseId}`;
  await db
    .insertInto("purchases")
    .values({
      id: purchaseId,
      account_id: input.accountId,
      pack_id: input.pack.id,
      tokens: input.pack.tokens,
      amount: input.pack.priceMinor,
      currency: input.pack.currency,
      state: "pending",
      idempotency_key: idempotencyKey,
      checkout_session_id: null,
      payment_intent_id: null,
      ledger_entry_id: null,
      refunded_amount: 0,
      refunded_tokens: 0,
      paid_at: null,
      refunded_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();

  const metadata = { purchase_id: purchaseId, account_id: input.accountId, pack_id: input.pack.id };
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create(
      {
        mode: "payment",
        client_reference_id: purchaseId,
        customer_email: input.email,
        locale: input.locale,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: input.pack.currency,
              unit_amount: input.pack.priceMinor,
              product_data: { name: `${input.pack.tokens.toLocaleString("en-US")} ${input.providerName} tokens` },
            },
          },
        ],
        ...checkoutPaymentMethodParams(input.paymentMethods),
        metadata,
        // Charges carry the purchase too, so a refund finds it even before the session's event.
        payment_intent_data: { metadata },
        success_url: `${input.origin}/account/billing/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${input.origin}/account/billing/cancel?purchase=${purchaseId}`,
      },
      { idempotencyKey },
    );
  } catch (error) {
    log.error({ purchaseId, ...errorFields(error) }, "Stripe Checkout Session could not be created");
    await db.updateTable("purchases").set({ state: "failed", updated_at: at }).where("id", "=", purchaseId).execute();
    return { ok: false, reason: "stripe_unavailable", purchaseId };
  }
  await db.updateTable("purchases").set({ checkout_session_id: session.id, updated_at: at }).where("id", "=", purchaseId).execute();
  if (!session.url) return { ok: false, reason: "stripe_unavailable", purchaseId };
  return { ok: true, purchaseId, sessionId: session.id, url: session.url };
}

// ---------------------------------------------------------------------------------------------
// Fulfilment

/** What fulfilment reads from a Checkout Session (from a signed event or retrieved from Stripe). */
export type CheckoutSessionSnapshot = Pick<
  Stripe.Checkout.Session,
  "id" | "payment_status" | "amount_total" | "currency" | "client_reference_id" | "metadata" | "payment_intent"
>;

export type FulfilmentOutcome = "credited" | "already_credited" | "not_paid" | "unknown_purchase" | "mismatch" | "refunded_before_payment";

export interface FulfilmentResult {
  outcome: FulfilmentOutcome;
  purchaseId: string | null;
}

function paymentIntentIdOf(value: CheckoutSessionSnapshot["payment_intent"]): string | null {
  if (!value) return null;
  return typeof value === "string" ? value : value.id;
}

async function purchaseForSession(trx: DbExecutor, session: CheckoutSessionSnapshot): Promise<Purchase | undefined> {
  const purchaseId = session.metadata?.purchase_id ?? session.client_reference_id ?? null;
  if (purchaseId) {
    const byId = await trx.selectFrom("purchases").selectAll().where("id", "=", purchaseId).executeTakeFirst();
    if (byId) return byId;
  }
  return trx.selectFrom("purchases").selectAll().where("checkout_session_id", "=", session.id).executeTakeFirst();
}

function sessionMatches(purchase: Purchase, session: CheckoutSessionSnapshot): boolean {
  return (
    (purchase.checkout_session_id === null || purchase.checkout_session_id === session.id) &&
    session.amount_total === Number(purchase.amount) &&
    session.currency?.toLowerCase() === purchase.currency &&
    (!session.metadata?.account_id || session.metadata.account_id === purchase.account_id)
  );
}

/**
 * Credits a paid Checkout Session's purchase exactly once. The state change `pending → paid` is
 * the guard: of two concurrent callers only one updates the row (the other waits on its lock and
 * then finds it paid), and the ledger credit is written in the same transaction, so a crash
 * leaves either both or neither. Also used inside a webhook's transaction.
 */
export async function fulfilCheckoutSession(
  db: DbExecutor,
  session: CheckoutSessionSnapshot,
  options: { source: "webhook" | "success_page"; now?: Date } = { source: "webhook" },
): Promise<FulfilmentResult> {
  const at = (options.now ?? new Date()).toISOString();
  return inTransaction(db, async (trx) => {
    const purchase = await purchaseForSession(trx, session);
    if (!purchase) return { outcome: "unknown_purchase", purchaseId: null };
    if (!sessionMatches(purchase, session)) {
      log.error({ checkoutSessionId: session.id, purchaseId: purchase.id }, "Checkout Session does not match its purchase: not credited");
      return { outcome: "mismatch", purchaseId: purchase.id };
    }
    if (session.payment_status !== "paid") return { outcome: "not_paid", purchaseId: purchase.id };

    const claimed = await trx
      .updateTable("purchases")
      .set({
        state: "paid",
        paid_at: at,
        checkout_session_id: session.id,
        payment_intent_id: paymentIntentIdOf(session.payment_intent) ?? purchase.payment_intent_id,
        updated_at: at,
      })
      .where("id", "=", purchase.id)
      .where("state", "in", ["pending", "failed", "expired"])
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) {
      const current = await trx.selectFrom("purchases").select("state").where("id", "=", purchase.id).executeTakeFirstOrThrow();
      // A full refund that arrived before any payment event: nothing to credit, ever.
      return { outcome: current.state === "refunded" && !purchase.paid_at ? "refunded_before_payment" : "already_credited", purchaseId: purchase.id };
    }

    const credit = await creditAccount(trx, {
      accountId: purchase.account_id,
      kind: "purchase",
      bucket: "paid",
      tokens: Number(purchase.tokens),
      idempotencyKey: `purchase:${purchase.id}`,
      referenceType: PURCHASE_REFERENCE_TYPE,
      referenceId: purchase.id,
      note: `Stripe Checkout ${session.id}`,
      now: new Date(at),
    });
    await trx.updateTable("purchases").set({ ledger_entry_id: credit.entryId }).where("id", "=", purchase.id).execute();
    await recordAudit(
      trx,
      {
        actorId: null,
        action: "billing.purchase_credited",
        targetType: "purchase",
        targetId: purchase.id,
        details: { accountId: purchase.account_id, tokens: Number(purchase.tokens), sessionId: session.id, source: options.source },
      },
      new Date(at),
    );
    await settleDebts(trx, purchase, at);
    // A (partial) refund may have been recorded before this payment event arrived.
    await reconcileRefund(trx, purchase.id, at);
    return { outcome: "credited", purchaseId: purchase.id };
  });
}

/** A session that will not be paid (expired, or its delayed payment failed): the purchase stops being pending. */
export async function closeUnpaidSession(
  db: DbExecutor,
  session: CheckoutSessionSnapshot,
  state: Extract<PurchaseState, "failed" | "expired">,
  now: Date = new Date(),
): Promise<FulfilmentResult> {
  const purchase = await purchaseForSession(db, session);
  if (!purchase) return { outcome: "unknown_purchase", purchaseId: null };
  await db
    .updateTable("purchases")
    .set({ state, updated_at: now.toISOString() })
    .where("id", "=", purchase.id)
    .where("state", "=", "pending")
    .execute();
  return { outcome: "not_paid", purchaseId: purchase.id };
}

// ---------------------------------------------------------------------------------------------
// Refunds and what is owed

export interface ChargeSnapshot {
  id: string;
  amount: number;
  /** Cumulative: everything refunded on this charge so far. */
  amount_refunded: number;
  currency: string;
  payment_intent: string | { id: string } | null;
  metadata?: Record<string, string> | null;
}

export type RefundOutcome = "reversed" | "recorded" | "unchanged" | "unknown_purchase" | "mismatch";

/**
 * Applies a charge's cumulative refunded amount to its purchase. Refund events carry totals, so
 * repeats and out-of-order deliveries converge on the same state.
 */
export async function applyChargeRefund(
  db: DbExecutor,
  charge: ChargeSnapshot,
  now: Date = new Date(),
): Promise<{ outcome: RefundOutcome; purchaseId: string | null; reversed: number; owed: number }> {
  const at = now.toISOString();
  const paymentIntentId = charge.payment_intent ? (typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent.id) : null;
  return inTransaction(db, async (trx) => {
    let purchase = paymentIntentId
      ? await trx.selectFrom("purchases").selectAll().where("payment_intent_id", "=", paymentIntentId).executeTakeFirst()
      : undefined;
    if (!purchase && charge.metadata?.purchase_id) {
      purchase = await trx.selectFrom("purchases").selectAll().where("id", "=", charge.metadata.purchase_id).executeTakeFirst();
    }
    if (!purchase) return { outcome: "unknown_purchase", purchaseId: null, reversed: 0, owed: 0 };
    if (charge.currency.toLowerCase() !== purchase.currency || charge.amount !== Number(purchase.amount)) {
      log.error({ chargeId: charge.id, purchaseId: purchase.id }, "charge does not match its purchase: refund not applied");
      return { outcome: "mismatch", purchaseId: purchase.id, reversed: 0, owed: 0 };
    }
    const refundedAmount = Math.min(charge.amount_refunded, Number(purchase.amount));
    const raised = await trx
      .updateTable("purchases")
      .set({
        refunded_amount: refundedAmount,
        payment_intent_id: purchase.payment_intent_id ?? paymentIntentId,
        refunded_at: at,
        updated_at: at,
      })
      .where("id", "=", purchase.id)
      .where("refunded_amount", "<", refundedAmount)
      .executeTakeFirst();
    if (Number(raised.numUpdatedRows) === 0) return { outcome: "unchanged", purchaseId: purchase.id, reversed: 0, owed: 0 };
    // Refunded in full before it was ever paid: it must never be credited afterwards.
    if (refundedAmount >= Number(purchase.amount)) {
      await trx.updateTable("purchases").set({ state: "refunded" }).where("id", "=", purchase.id).where("state", "in", ["pending", "failed", "expired"]).execute();
    }
    const result = await reconcileRefund(trx, purchase.id, at);
    await recordAudit(trx, {
      actorId: null,
      action: "billing.purchase_refunded",
      targetType: "purchase",
      targetId: purchase.id,
      details: { accountId: purchase.account_id, chargeId: charge.id, refundedAmount, reversed: result.reversed, owed: result.owed },
    }, now);
    return { outcome: result.reversed + result.owed > 0 ? "reversed" : "recorded", purchaseId: purchase.id, ...result };
  });
}

/**
 * Brings the ledger in line with the refunded share of a credited purchase: reverses what is
 * still there (paid credit first, then promo), and records the rest — already spent — as owed.
 */
async function reconcileRefund(trx: Trx, purchaseId: string, at: string): Promise<{ reversed: number; owed: number }> {
  const purchase = await trx.selectFrom("purchases").selectAll().where("id", "=", purchaseId).executeTakeFirstOrThrow();
  if (!purchase.ledger_entry_id) return { reversed: 0, owed: 0 };
  const tokens = Number(purchase.tokens);
  const amount = Number(purchase.amount);
  const refundedAmount = Number(purchase.refunded_amount);
  const target = refundedAmount >= amount ? tokens : Math.floor((tokens * refundedAmount) / amount);
  const delta = target - Number(purchase.refunded_tokens);
  if (delta <= 0) return { reversed: 0, owed: 0 };

  const base = {
    accountId: purchase.account_id,
    referenceType: REFUND_REFERENCE_TYPE,
    referenceId: purchase.id,
    note: `Refund of ${refundedAmount} of ${amount} ${purchase.currency}`,
    now: new Date(at),
  };
  const fromPaid = await reverseCredit(trx, { ...base, idempotencyKey: `refund:${purchase.id}:${target}`, tokens: delta, bucket: "paid" });
  let unreversed = fromPaid.unreversed;
  let reversed = fromPaid.reversed;
  if (unreversed > 0) {
    const fromPromo = await reverseCredit(trx, { ...base, idempotencyKey: `refund:${purchase.id}:${target}:promo`, tokens: unreversed, bucket: "promo" });
    reversed += fromPromo.reversed;
    unreversed = fromPromo.unreversed;
  }
  if (unreversed > 0) {
    await trx
      .insertInto("billing_debts")
      .values({
        id: newId("debt"),
        account_id: purchase.account_id,
        purchase_id: purchase.id,
        tokens: unreversed,
        settled_tokens: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }
  await trx
    .updateTable("purchases")
    .set({ refunded_tokens: target, state: refundedAmount >= amount ? "refunded" : "paid", updated_at: at })
    .where("id", "=", purchase.id)
    .execute();
  return { reversed, owed: unreversed };
}

/** A new purchase pays what earlier refunds left owed, before its tokens become spendable. */
async function settleDebts(trx: Trx, purchase: Purchase, at: string): Promise<void> {
  const debts = await trx
    .selectFrom("billing_debts")
    .select(["id", "tokens", "settled_tokens"])
    .where("account_id", "=", purchase.account_id)
    .whereRef("settled_tokens", "<", "tokens")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const owed = debts.reduce((sum, debt) => sum + Number(debt.tokens) - Number(debt.settled_tokens), 0);
  if (owed === 0) return;
  const settlement = await reverseCredit(trx, {
    accountId: purchase.account_id,
    idempotencyKey: `debt-settlement:${purchase.id}`,
    tokens: Math.min(owed, Number(purchase.tokens)),
    bucket: "paid",
    referenceType: DEBT_SETTLEMENT_REFERENCE_TYPE,
    referenceId: purchase.id,
    note: "Settles tokens owed after a refund",
    now: new Date(at),
  });
  let left = settlement.reversed;
  for (const debt of debts) {
    if (left === 0) break;
    const take = Math.min(left, Number(debt.tokens) - Number(debt.settled_tokens));
    await trx
      .updateTable("billing_debts")
      .set((eb) => ({ settled_tokens: eb("settled_tokens", "+", take), updated_at: at }))
      .where("id", "=", debt.id)
      .execute();
    left -= take;
  }
}

/** Tokens a refund could not take back because they were already spent; while > 0, usage is refused. */
export async function getOwedTokens(db: DbExecutor, accountId: string): Promise<number> {
  const row = await db
    .selectFrom("billing_debts")
    .select((eb) => eb.fn.sum<number | string | null>(eb("tokens", "-", eb.ref("settled_tokens"))).as("owed"))
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return Number(row?.owed ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface PurchaseView {
  id: string;
  packId: string;
  tokens: number;
  amount: number;
  currency: string;
  state: PurchaseState;
  checkoutSessionId: string | null;
  paymentIntentId: string | null;
  refundedAmount: number;
  refundedTokens: number;
  createdAt: string;
  paidAt: string | null;
  refundedAt: string | null;
}

function toView(row: Purchase): PurchaseView {
  return {
    id: row.id,
    packId: row.pack_id,
    tokens: Number(row.tokens),
    amount: Number(row.amount),
    currency: row.currency,
    state: row.state,
    checkoutSessionId: row.checkout_session_id,
    paymentIntentId: row.payment_intent_id,
    refundedAmount: Number(row.refunded_amount),
    refundedTokens: Number(row.refunded_tokens),
    createdAt: row.created_at,
    paidAt: row.paid_at,
    refundedAt: row.refunded_at,
  };
}

/** An account's purchases, newest first (receipts on the billing page, support's account view). */
export async function listPurchases(db: DbExecutor, accountId: string, options: { limit?: number } = {}): Promise<PurchaseView[]> {
  const rows = await db
    .selectFrom("purchases")
    .selectAll()
    .where("account_id", "=", accountId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(options.limit ?? 100)
    .execute();
  return rows.map(toView);
}

export async function findPurchaseBySession(db: DbExecutor, accountId: string, sessionId: string): Promise<PurchaseView | undefined> {
  const row = await db
    .selectFrom("purchases")
    .selectAll()
    .where("checkout_session_id", "=", sessionId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row ? toView(row) : undefined;
}

export async function findPurchase(db: DbExecutor, accountId: string, purchaseId: string): Promise<PurchaseView | undefined> {
  const row = await db.selectFrom("purchases").selectAll().where("id", "=", purchaseId).where("account_id", "=", accountId).executeTakeFirst();
  return row ? toView(row) : undefined;
}

/**
 * The account a payment reference belongs to, for support's look-up: a purchase id, a Checkout
 * Session id (`cs_…`) or a PaymentIntent id (`pi_…`).
 */
export async function findPurchaseByPaymentReference(db: DbExecutor, reference: string): Promise<(PurchaseView & { accountId: string }) | undefined> {
  const value = reference.trim();
  if (!value || value.length > 255) return undefined;
  const row = await db
    .selectFrom("purchases")
    .selectAll()
    .where((eb) => eb.or([eb("id", "=", value), eb("checkout_session_id", "=", value), eb("payment_intent_id", "=", value)]))
    .executeTakeFirst();
  return row ? { ...toView(row), accountId: row.account_id } : undefined;
}
