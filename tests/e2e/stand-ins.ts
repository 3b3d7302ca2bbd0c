// Loopback stand-ins for outside services the built server talks to during the browser suite.
// Each one is started before the server, gives it env variables, and tells the tests its address.
import type { TestProject } from "vitest/node";
import { STAND_IN_SECRET_KEY, STAND_IN_WEBHOOK_SECRET, startStripeStandIn } from "../integration/stripe-stand-in";

declare module "vitest" {
  export interface ProvidedContext {
    stripeStandIn: { url: string; secretKey: string; webhookSecret: string };
  }
}

export async function startStandIns(project: TestProject): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const stripe = await startStripeStandIn();
  project.provide("stripeStandIn", { url: stripe.url, secretKey: STAND_IN_SECRET_KEY, webhookSecret: STAND_IN_WEBHOOK_SECRET });
  return {
    env: { STRIPE_SECRET_KEY: STAND_IN_SECRET_KEY, STRIPE_WEBHOOK_SECRET: STAND_IN_WEBHOOK_SECRET, STRIPE_API_BASE_URL: stripe.url },
    stop: () => stripe.close(),
  };
}
