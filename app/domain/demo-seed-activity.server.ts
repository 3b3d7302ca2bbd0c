// What the granted demo developer did next: API keys (one with a published secret), a week of
// gateway usage, a credit pack bought, and a support agent's credit proposal waiting for staff.
// Each goes through its domain module; each is done once, whatever the number of runs.
import type Stripe from "stripe";
import type { DbExecutor } from "~/lib/db.server";
import type { ProviderProfile } from "~/providers/types";
import { assembleKey } from "./api-key-format";
import { createApiKey, listApiKeys } from "./api-keys.server";
import { listPurchases, fulfilCheckoutSession, startCheckout } from "./billing.server";
import { proposeCreditAdjustment } from "./credit-adjustments.server";
import { recordUsage } from "./gateway.server";

/** The random part of the demo key: published in the README, so the key works only in demo mode. */
export const DEMO_KEY_RANDOM = "FerryDemoKeyPublishedNotSecret00";
export const DEMO_KEY_NAME = "Demo key (published)";

export function demoApiKey(keyPrefix: string): string {
  return assembleKey(keyPrefix, DEMO_KEY_RANDOM);
}

const DAY_MS = 86_400_000;

export async function seedDemoKeys(db: DbExecutor, accountId: string, profile: ProviderProfile, createdAt: Date): Promise<void> {
  const names = new Set((await listApiKeys(db, accountId)).map((key) => key.name));
  if (!names.has(DEMO_KEY_NAME)) {
    const created = await createApiKey(db, { accountId, name: DEMO_KEY_NAME, prefix: profile.keyPrefix, publishedDemoRandom: DEMO_KEY_RANDOM, now: createdAt });
    if (!created.ok) throw new Error(`demo key refused: ${created.reason}`);
  }
  if (!names.has("Laptop")) {
    const created = await createApiKey(db, { accountId, name: "Laptop", prefix: profile.keyPrefix, now: new Date(createdAt.getTime() + 3_600_000) });
    if (!created.ok) throw new Error(`demo key refused: ${created.reason}`);
  }
}

/** A week of requests through the gateway's usage call, with fixed request ids: a second run replays them. */
export async function seedDemoUsage(db: DbExecutor, profile: ProviderProfile, now: Date): Promise<void> {
  const apiKey = demoApiKey(profile.keyPrefix);
  const model = profile.modelMap.find((pair) => pair.openai === "gpt-4o-mini")?.provider ?? profile.modelMap[0]!.provider;
  for (let daysAgo = 6; daysAgo >= 0; daysAgo--) {
    const requests = 2 + ((daysAgo * 5) % 4);
    for (let request = 0; request < requests; request++) {
      // Past days at noon UTC; today between midnight and now, so each request lands on its own day.
      const dayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS - daysAgo * DAY_MS;
      const at = new Date(daysAgo === 0 ? Math.max(dayStart, now.getTime() - (request + 1) * 1000) : dayStart + DAY_MS / 2 + request * 60_000);
      const inputTokens = 18_000 + ((daysAgo * 7919 + request * 104_729) % 60_000);
      const recorded = await recordUsage(
        db,
        profile,
        { requestId: `demo-seed-${daysAgo}-${request}`, apiKey, model, inputTokens, outputTokens: Math.round(inputTokens * 0.4) },
        at,
      );
      if (!recorded.ok) throw new Error(`demo usage refused: ${recorded.code}`);
    }
  }
}

/**
 * Stripe's side of a paid Checkout, played locally: the session is "created" without a network
 * call, then the purchase is fulfilled as a signed `checkout.session.completed` would fulfil it.
 */
function demoStripe(): Stripe {
  const create = async (params: Stripe.Checkout.SessionCreateParams) => ({ id: `cs_demo_${params.client_reference_id}`, url: "https://checkout.stripe.com/demo" });
  return { checkout: { sessions: { create } } } as unknown as Stripe;
}

export async function seedDemoPurchase(
  db: DbExecutor,
  account: { id: string; email: string },
  profile: ProviderProfile,
  input: { origin: string; at: Date },
): Promise<void> {
  if ((await listPurchases(db, account.id)).length > 0) return;
  const pack = profile.creditPacks[0]!;
  const started = await startCheckout(db, demoStripe(), { accountId: account.id, email: account.email, locale: "en", pack, providerName: profile.name, origin: input.origin, now: input.at });
  if (!started.ok) throw new Error("demo checkout could not start");
  const paid = await fulfilCheckoutSession(
    db,
    {
      id: started.sessionId,
      payment_status: "paid",
      amount_total: pack.priceMinor,
      currency: pack.currency,
      client_reference_id: started.purchaseId,
      metadata: { purchase_id: started.purchaseId, account_id: account.id, pack_id: pack.id },
      payment_intent: `pi_demo_${started.purchaseId}`,
    },
    { source: "webhook", now: new Date(input.at.getTime() + 60_000) },
  );
  if (paid.outcome !== "credited") throw new Error(`demo purchase not credited: ${paid.outcome}`);
}

/** A support agent proposes goodwill credit; it waits at /staff/adjustments for a staff member. */
export async function seedDemoAdjustmentProposal(db: DbExecutor, support: { id: string }, accountId: string, now: Date): Promise<void> {
  const proposed = await proposeCreditAdjustment(
    db,
    { id: support.id, role: "support" },
    accountId,
    { adjustmentId: `adj_demo_${accountId}`, tokens: 500_000, bucket: "promo", expiresOn: new Date(now.getTime() + 30 * DAY_MS).toISOString().slice(0, 10), reason: "Goodwill: our gateway refused this developer's requests for an hour on Monday." },
    now,
  );
  // `unchanged`: proposed by an earlier run (its id is fixed).
  if (!proposed.ok && proposed.reason !== "unchanged") throw new Error(`demo adjustment refused: ${proposed.reason}`);
}
