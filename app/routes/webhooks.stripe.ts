// POST /webhooks/stripe: Stripe's signed events. The raw body is read untouched (the signature
// covers its exact bytes); originGuard exempts /webhooks/ because the signature is the check.
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { processStripeEvent, verifyStripeEvent } from "~/domain/stripe-webhooks.server";
import { getDb } from "~/lib/db.server";
import { getStripe, stripeSettings } from "~/lib/stripe.server";

const MAX_BODY_BYTES = 512 * 1024;

/** What every event must have before it is applied; the object itself is checked per type. */
const eventShape = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.object({ object: z.object({ id: z.string().min(1).max(255) }).passthrough() }),
});

function plain(status: number, text: string) {
  return new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}

export async function loader() {
  return plain(405, "Method Not Allowed");
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return plain(405, "Method Not Allowed");
  const settings = stripeSettings();
  const stripe = getStripe();
  if (!settings || !stripe) return plain(404, "Top-ups are not enabled");
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return plain(413, "Payload Too Large");
  const rawBody = Buffer.from(await request.arrayBuffer());
  if (rawBody.byteLength > MAX_BODY_BYTES) return plain(413, "Payload Too Large");

  const verified = verifyStripeEvent(stripe, rawBody, request.headers.get("stripe-signature"), settings.webhookSecret);
  if (!verified.ok) return plain(400, verified.reason === "missing_signature" ? "Missing Stripe-Signature header" : "Invalid signature");

  const event = eventShape.safeParse(verified.event);
  if (!event.success) return plain(400, "Malformed event");
  const result = await processStripeEvent(getDb(), event.data);
  return Response.json({ received: true, status: result.status, outcome: result.outcome ?? null }, { headers: { "Cache-Control": "no-store" } });
}
