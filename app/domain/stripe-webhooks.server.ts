// Stripe webhooks: verify the signature over the raw body, then apply each event once. The event
// id is recorded in the same transaction as what the event changes, so a redelivery is a no-op.
import type { Transaction } from "kysely";
import type Stripe from "stripe";
import type { Database } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { applyChargeRefund, closeUnpaidSession, fulfilCheckoutSession, type ChargeSnapshot, type CheckoutSessionSnapshot } from "./billing.server";

type Trx = Transaction<Database>;

export type VerifiedEvent = { ok: true; event: Stripe.Event } | { ok: false; reason: "missing_signature" | "bad_signature" };

/** Checks the `Stripe-Signature` header against the exact bytes received (default 5-minute tolerance). */
export function verifyStripeEvent(stripe: Stripe, rawBody: Buffer, signature: string | null, webhookSecret: string): VerifiedEvent {
  if (!signature) return { ok: false, reason: "missing_signature" };
  try {
    return { ok: true, event: stripe.webhooks.constructEvent(rawBody, signature, webhookSecret) };
  } catch {
    return { ok: false, reason: "bad_signature" };
  }
}

const HANDLED_TYPES = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "charge.refunded",
]);

export interface EventOutcome {
  status: "processed" | "duplicate" | "ignored";
  /** What the event did, e.g. `credited`, `already_credited`, `reversed`. */
  outcome?: string;
  purchaseId?: string | null;
}

/** Minimal shape of a verified event that this module reads. */
export interface StripeEventSnapshot {
  id: string;
  type: string;
  data: { object: unknown };
}

async function applyEvent(trx: Trx, event: StripeEventSnapshot): Promise<{ outcome: string; purchaseId: string | null }> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
      // `completed` with payment_status "unpaid" is a delayed payment: fulfilment says not_paid and waits.
      return fulfilCheckoutSession(trx, event.data.object as CheckoutSessionSnapshot, { source: "webhook" });
    case "checkout.session.async_payment_failed":
      return closeUnpaidSession(trx, event.data.object as CheckoutSessionSnapshot, "failed");
    case "checkout.session.expired":
      return closeUnpaidSession(trx, event.data.object as CheckoutSessionSnapshot, "expired");
    case "charge.refunded":
      return applyChargeRefund(trx, event.data.object as ChargeSnapshot);
    default:
      return { outcome: "ignored", purchaseId: null };
  }
}

/** Applies a verified event exactly once; unknown event types are acknowledged and ignored. */
export async function processStripeEvent(db: DbExecutor, event: StripeEventSnapshot, now: Date = new Date()): Promise<EventOutcome> {
  if (!HANDLED_TYPES.has(event.type)) return { status: "ignored" };
  const work = async (trx: Trx): Promise<EventOutcome> => {
    const inserted = await trx
      .insertInto("stripe_events")
      .values({ id: event.id, type: event.type, purchase_id: null, outcome: "processing", created_at: now.toISOString() })
      .onConflict((conflict) => conflict.column("id").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { status: "duplicate" };
    const result = await applyEvent(trx, event);
    await trx.updateTable("stripe_events").set({ outcome: result.outcome, purchase_id: result.purchaseId }).where("id", "=", event.id).execute();
    return { status: "processed", ...result };
  };
  return db.isTransaction ? work(db as Trx) : db.transaction().execute(work);
}
