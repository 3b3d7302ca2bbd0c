// Stripe webhooks: verify the signature over the raw body, then apply each event once. The event
// id is recorded in the same transaction as what the event changes, so a redelivery is a no-op.
import type { Transaction } from "kysely";
import type Stripe from "stripe";
import { z } from "zod";
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

const metadataShape = z.record(z.string()).nullish();

// Signed by Stripe, but still checked: a surprise in the payload is recorded, never half-applied.
const sessionShape = z.object({
  id: z.string(),
  payment_status: z.string(),
  amount_total: z.number().int().nullable(),
  currency: z.string().nullable(),
  client_reference_id: z.string().nullable().default(null),
  metadata: metadataShape.transform((value) => value ?? null),
  payment_intent: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).nullable().default(null),
});

const chargeShape = z.object({
  id: z.string(),
  amount: z.number().int(),
  amount_refunded: z.number().int().nonnegative(),
  currency: z.string(),
  payment_intent: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).nullable().default(null),
  metadata: metadataShape,
});

async function applyEvent(trx: Trx, event: StripeEventSnapshot): Promise<{ outcome: string; purchaseId: string | null }> {
  const malformed = { outcome: "malformed", purchaseId: null };
  if (event.type === "charge.refunded") {
    const charge = chargeShape.safeParse(event.data.object);
    return charge.success ? applyChargeRefund(trx, charge.data as ChargeSnapshot) : malformed;
  }
  const parsed = sessionShape.safeParse(event.data.object);
  if (!parsed.success) return malformed;
  const session = parsed.data as CheckoutSessionSnapshot;
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
      // `completed` with payment_status "unpaid" is a delayed payment: fulfilment says not_paid and waits.
      return fulfilCheckoutSession(trx, session, { source: "webhook" });
    case "checkout.session.async_payment_failed":
      return closeUnpaidSession(trx, session, "failed");
    case "checkout.session.expired":
      return closeUnpaidSession(trx, session, "expired");
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
