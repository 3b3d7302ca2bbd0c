// A tiny stand-in for the Stripe API on loopback, so the real stripe-node client can be tested
// without network: Checkout Sessions (create, retrieve) in the documented object shape, a hosted
// "checkout page" a browser can land on, and a record of every API request it was sent.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  authorization: string | null;
  stripeVersion: string | null;
  /** The form body decoded into nested objects (`metadata[a]=b` → `{ metadata: { a: "b" } }`). */
  body: Record<string, any>;
}

export interface StandInSession {
  id: string;
  object: "checkout.session";
  mode: string;
  status: "open" | "complete" | "expired";
  payment_status: "unpaid" | "paid" | "no_payment_required";
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  customer_email: string | null;
  metadata: Record<string, string>;
  payment_intent: string | null;
  success_url: string;
  cancel_url: string;
  url: string | null;
  created: number;
  expires_at: number;
  livemode: false;
  locale: string | null;
}

export interface StripeStandIn {
  url: string;
  requests: RecordedRequest[];
  sessions: Map<string, StandInSession>;
  /** What Stripe does once the customer has paid: the session completes with a PaymentIntent. */
  markPaid(sessionId: string): StandInSession;
  close(): Promise<void>;
}

export const STAND_IN_SECRET_KEY = "sk_test_standin_0123456789";
export const STAND_IN_WEBHOOK_SECRET = "whsec_standin_0123456789abcdef";

function stripeId(prefix: string): string {
  return `${prefix}_test_${randomBytes(12).toString("hex")}`;
}

/** Decodes Stripe's bracketed form encoding into nested objects and arrays. */
export function decodeStripeForm(text: string): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, "").split("[");
    let node: any = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[index + 1]!);
      if (last) node[segment] = value;
      else node = node[segment] ??= nextIsIndex ? [] : {};
    });
  }
  return root;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json", "Request-Id": stripeId("req") });
  res.end(JSON.stringify(body));
}

function stripeError(res: ServerResponse, status: number, message: string, code?: string) {
  sendJson(res, status, { error: { type: "invalid_request_error", message, ...(code ? { code } : {}) } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function startStripeStandIn(options: { secretKey?: string } = {}): Promise<StripeStandIn> {
  const secretKey = options.secretKey ?? STAND_IN_SECRET_KEY;
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, StandInSession>();
  // Stripe replays the first response for a repeated Idempotency-Key.
  const idempotentReplies = new Map<string, StandInSession>();
  let origin = "";

  function markPaid(sessionId: string): StandInSession {
    const session = sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    session.status = "complete";
    session.payment_status = "paid";
    session.payment_intent ??= stripeId("pi");
    session.url = null;
    return session;
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string) {
    const text = await readBody(req);
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path,
      idempotencyKey: (req.headers["idempotency-key"] as string | undefined) ?? null,
      authorization: req.headers.authorization ?? null,
      stripeVersion: (req.headers["stripe-version"] as string | undefined) ?? null,
      body: decodeStripeForm(text),
    };
    requests.push(recorded);
    if (recorded.authorization !== `Bearer ${secretKey}`) {
      sendJson(res, 401, { error: { type: "invalid_request_error", message: "Invalid API Key provided" } });
      return;
    }
    if (req.method === "POST" && path === "/v1/checkout/sessions") {
      const replay = recorded.idempotencyKey ? idempotentReplies.get(recorded.idempotencyKey) : undefined;
      if (replay) return sendJson(res, 200, replay);
      const body = recorded.body;
      if (body.mode !== "payment") return stripeError(res, 400, "mode must be payment here", "parameter_invalid");
      const items: any[] = body.line_items ?? [];
      if (items.length === 0) return stripeError(res, 400, "line_items is required", "parameter_missing");
      const currency = items[0].price_data?.currency;
      const total = items.reduce((sum, item) => sum + Number(item.price_data?.unit_amount) * Number(item.quantity ?? 1), 0);
      const created = Math.floor(Date.now() / 1000);
      const id = stripeId("cs");
      const session: StandInSession = {
        id,
        object: "checkout.session",
        mode: body.mode,
        status: "open",
        payment_status: "unpaid",
        amount_subtotal: total,
        amount_total: total,
        currency,
        client_reference_id: body.client_reference_id ?? null,
        customer_email: body.customer_email ?? null,
        metadata: body.metadata ?? {},
        payment_intent: null,
        success_url: body.success_url,
        cancel_url: body.cancel_url,
        url: `${origin}/checkout/${id}`,
        created,
        expires_at: created + 24 * 3600,
        livemode: false,
        locale: body.locale ?? null,
      };
      sessions.set(id, session);
      if (recorded.idempotencyKey) idempotentReplies.set(recorded.idempotencyKey, session);
      return sendJson(res, 200, session);
    }
    const retrieve = req.method === "GET" ? path.match(/^\/v1\/checkout\/sessions\/([A-Za-z0-9_]+)$/) : null;
    if (retrieve) {
      const session = sessions.get(retrieve[1]!);
      if (!session) return stripeError(res, 404, `No such checkout.session: '${retrieve[1]}'`, "resource_missing");
      return sendJson(res, 200, session);
    }
    stripeError(res, 404, `Unrecognized request URL (${req.method}: ${path})`);
  }

  // The hosted payment page a browser is redirected to: "Pay" completes the session.
  function checkoutPage(req: IncomingMessage, res: ServerResponse, path: string) {
    const match = path.match(/^\/checkout\/([A-Za-z0-9_]+)(\/pay)?$/);
    const session = match ? sessions.get(match[1]!) : undefined;
    if (!session) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("no such checkout session");
      return;
    }
    if (match![2] && req.method === "POST") {
      markPaid(session.id);
      res.writeHead(303, { Location: session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id) }).end();
      return;
    }
    const amount = `${(session.amount_total / 100).toFixed(2)} ${session.currency.toUpperCase()}`;
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><head><title>Stand-in Checkout</title></head><body>
<h1 data-testid="stand-in-checkout">Stand-in Checkout</h1>
<p>Session <code data-testid="session-id">${escapeHtml(session.id)}</code></p>
<p>Amount <strong data-testid="amount">${escapeHtml(amount)}</strong></p>
<form method="post" action="/checkout/${escapeHtml(session.id)}/pay"><button type="submit">Pay</button></form>
<p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p></body></html>`);
  }

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const work = path.startsWith("/v1/")
      ? api(req, res, path)
      : path === "/__stand-in/requests"
        ? Promise.resolve(sendJson(res, 200, requests))
        : Promise.resolve(checkoutPage(req, res, path));
    work.catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { type: "api_error", message: String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    requests,
    sessions,
    markPaid,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
