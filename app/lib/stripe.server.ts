// The one place that builds the stripe-node client; every other module asks for it here.
import Stripe from "stripe";
import { getEnv, type CheckoutPaymentMethod } from "./env.server";

export type { Stripe };

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Origin of the Stripe API (a loopback stand-in in tests); the real API when unset. */
  apiBaseUrl?: string;
}

/** The origin Stripe's hosted checkout pages live on; form posts may redirect there. */
export const STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com";

/** The payment methods Checkout offers, when the provider chose them (STRIPE_PAYMENT_METHODS). */
export function checkoutPaymentMethods(): readonly CheckoutPaymentMethod[] | undefined {
  return getEnv().STRIPE_PAYMENT_METHODS;
}

export function stripeSettings(): StripeSettings | null {
  const env = getEnv();
  if (!env.STRIPE_SECRET_KEY || !env.STRIPE_WEBHOOK_SECRET) return null;
  return { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, apiBaseUrl: env.STRIPE_API_BASE_URL };
}

export function createStripeClient(settings: Pick<StripeSettings, "secretKey" | "apiBaseUrl">): Stripe {
  const base = settings.apiBaseUrl ? new URL(settings.apiBaseUrl) : undefined;
  return new Stripe(settings.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: "Ferry" },
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === "https:" ? 443 : 80),
          protocol: base.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
}

let cached: { key: string; client: Stripe } | undefined;

/** The configured client, or null when top-ups are off (no STRIPE_SECRET_KEY). */
export function getStripe(): Stripe | null {
  const settings = stripeSettings();
  if (!settings) return null;
  const key = `${settings.secretKey}|${settings.apiBaseUrl ?? ""}`;
  if (cached?.key !== key) cached = { key, client: createStripeClient(settings) };
  return cached.client;
}

/**
 * Origins a top-up form post may redirect to (the CSP's form-action): Stripe's hosted checkout,
 * or the configured API origin when it is a stand-in that serves its own checkout page.
 */
export function checkoutFormActionOrigins(): string[] {
  const settings = stripeSettings();
  if (!settings) return [];
  return settings.apiBaseUrl ? [STRIPE_CHECKOUT_ORIGIN, new URL(settings.apiBaseUrl).origin] : [STRIPE_CHECKOUT_ORIGIN];
}
