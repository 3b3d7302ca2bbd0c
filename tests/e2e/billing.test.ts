// A developer buys a credit pack: billing page → Buy (a document POST answered by a redirect to
// the Stripe stand-in's checkout page, allowed by the CSP's form-action) → a signed webhook over
// HTTP → the new balance and receipt on the page. Then once more through the success page.
import Stripe from "stripe";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "./browser";
import { DEMO, logIn } from "./log-in";

const baseUrl = inject("baseUrl");
const stripeStandIn = inject("stripeStandIn");
const signer = new Stripe(stripeStandIn.secretKey);
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const TEXT = {
  en: { paid: "Paid", credited: "tokens were added" },
  zh: { paid: "已付款", credited: "已向您的余额添加" },
} as const;

async function logInDeveloper(locale: "en" | "zh"): Promise<{ page: Page; cspErrors: string[] }> {
  const cspErrors: string[] = [];
  const page = await logIn(browser, DEMO.developer.email, DEMO.developer.password, {
    locale,
    width: 1200,
    onPage: (page) =>
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
      }),
  });
  return { page, cspErrors };
}

async function paidBalance(page: Page): Promise<number> {
  return Number((await page.getByTestId("balance-paid").textContent())!.replace(/[^\d]/g, ""));
}

async function retrieveSession(id: string) {
  const response = await fetch(`${stripeStandIn.url}/v1/checkout/sessions/${id}`, { headers: { Authorization: `Bearer ${stripeStandIn.secretKey}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
}

async function sendWebhook(type: string, object: unknown, secret = stripeStandIn.webhookSecret) {
  const payload = JSON.stringify({ id: `evt_e2e_${Date.now()}_${Math.random().toString(36).slice(2)}`, object: "event", type, created: Math.floor(Date.now() / 1000), data: { object }, livemode: false });
  const signature = signer.webhooks.generateTestHeaderString({ payload, secret });
  // A webhook comes from Stripe's servers: no Origin header, only the signature.
  return fetch(`${baseUrl}/webhooks/stripe`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": signature } });
}

for (const locale of ["en", "zh"] as const) {
  describe(`billing in ${locale}`, () => {
    it("buy → Stripe checkout → signed webhook → new balance", async () => {
      const { page, cspErrors } = await logInDeveloper(locale);
      const response = await page.goto(`${baseUrl}/account/billing`);
      expect(response!.headers()["content-security-policy"]).toContain(`form-action 'self' https://checkout.stripe.com ${stripeStandIn.url}`);
      await screenshot(page, `billing-${locale}-01-page`);
      const before = await paidBalance(page);
      const firstPack = page.locator(".credit-pack").first();
      const packTokens = Number(await firstPack.getAttribute("data-tokens"));

      await firstPack.getByRole("button").click();
      await page.waitForURL(`${stripeStandIn.url}/checkout/**`);
      await expect.poll(() => page.getByTestId("stand-in-checkout").count()).toBe(1);
      await screenshot(page, `billing-${locale}-02-checkout`);
      expect(cspErrors).toEqual([]);

      const sessionId = page.url().split("/").pop()!;
      const session = await retrieveSession(sessionId);
      expect(session).toMatchObject({ mode: "payment", payment_status: "unpaid", metadata: { pack_id: expect.any(String), account_id: expect.any(String) } });
      const recorded = (await (await fetch(`${stripeStandIn.url}/__stand-in/requests`)).json()) as Array<{ path: string; idempotencyKey: string | null; body: any }>;
      const create = recorded.filter((request) => request.path === "/v1/checkout/sessions").pop()!;
      expect(create.idempotencyKey).toMatch(/^ferry-checkout-pur_/);
      expect(create.body.line_items[0].price_data.unit_amount).toBe(String(session.amount_total));

      const paid = { ...session, status: "complete", payment_status: "paid", payment_intent: `pi_e2e_${sessionId.slice(-8)}` };
      const forged = await sendWebhook("checkout.session.completed", paid, "whsec_not_the_secret");
      expect(forged.status).toBe(400);
      const delivered = await sendWebhook("checkout.session.completed", paid);
      expect(delivered.status).toBe(200);
      expect(await delivered.json()).toMatchObject({ status: "processed", outcome: "credited" });

      await page.goto(`${baseUrl}/account/billing`);
      expect(await paidBalance(page)).toBe(before + packTokens);
      const receipt = page.getByTestId("purchase-row").first();
      await expect.poll(() => receipt.getAttribute("data-state")).toBe("paid");
      expect(await receipt.textContent()).toContain(TEXT[locale].paid);
      await screenshot(page, `billing-${locale}-03-credited`);
    });

    it("buy → pay on the checkout page → the success page credits it, the late webhook does not", async () => {
      const { page } = await logInDeveloper(locale);
      await page.goto(`${baseUrl}/account/billing`);
      const before = await paidBalance(page);
      const firstPack = page.locator(".credit-pack").first();
      const packTokens = Number(await firstPack.getAttribute("data-tokens"));
      await firstPack.getByRole("button").click();
      await page.waitForURL(`${stripeStandIn.url}/checkout/**`);
      const sessionId = page.url().split("/").pop()!;

      await page.getByRole("button", { name: "Pay" }).click();
      await page.waitForURL(/\/account\/billing\/success\?session_id=cs_/);
      await expect.poll(() => page.getByTestId("purchase-credited").count()).toBe(1);
      expect(await page.getByTestId("purchase-credited").textContent()).toContain(TEXT[locale].credited);
      await screenshot(page, `billing-${locale}-04-success`);

      const late = await sendWebhook("checkout.session.completed", await retrieveSession(sessionId));
      expect(await late.json()).toMatchObject({ status: "processed", outcome: "already_credited" });
      await page.goto(`${baseUrl}/account/billing`);
      expect(await paidBalance(page)).toBe(before + packTokens);
    });
  });
}

describe("refund", () => {
  it("a partial refund takes back its share and shows on the receipt", async () => {
    const { page } = await logInDeveloper("zh");
    await page.goto(`${baseUrl}/account/billing`);
    const firstPack = page.locator(".credit-pack").first();
    const packTokens = Number(await firstPack.getAttribute("data-tokens"));
    await firstPack.getByRole("button").click();
    await page.waitForURL(`${stripeStandIn.url}/checkout/**`);
    const sessionId = page.url().split("/").pop()!;
    await page.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL(/\/account\/billing\/success/);
    await page.goto(`${baseUrl}/account/billing`);
    const before = await paidBalance(page);

    const session = await retrieveSession(sessionId);
    const charge = { id: `ch_e2e_${Date.now()}`, object: "charge", amount: session.amount_total, amount_refunded: session.amount_total / 2, currency: session.currency, payment_intent: session.payment_intent, metadata: session.metadata };
    const refunded = await sendWebhook("charge.refunded", charge);
    expect(await refunded.json()).toMatchObject({ status: "processed", outcome: "reversed" });

    await page.goto(`${baseUrl}/account/billing`);
    expect(await paidBalance(page)).toBe(before - packTokens / 2);
    expect(await page.getByTestId("purchase-row").first().textContent()).toContain("已退款");
    await screenshot(page, "billing-zh-06-partial-refund");
  });
});

describe("checkout cancelled", () => {
  it("comes back to a page that says nothing was charged", async () => {
    const { page } = await logInDeveloper("en");
    await page.goto(`${baseUrl}/account/billing`);
    await page.locator(".credit-pack").first().getByRole("button").click();
    await page.waitForURL(`${stripeStandIn.url}/checkout/**`);
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.waitForURL(/\/account\/billing\/cancel/);
    expect(await page.locator("h1").textContent()).toBe("Checkout cancelled");
    await screenshot(page, "billing-en-05-cancelled");
  });
});
