// What Checkout offers, and what the billing page shows when top-ups are off: the real stripe-node
// client against the loopback stand-in, the route's loader and action, the pack list rendered.
import { renderToString } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { createElement } from "react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CreditPackList } from "~/components/credit-pack-list";
import { parseEnv, resetEnvForTests } from "~/lib/env.server";
import { createI18n } from "~/lib/i18n";
import { DICTIONARIES } from "~/lib/i18n.server";
import { formatMoney } from "~/lib/money";
import { currentProvider } from "~/lib/provider.server";
import { action as billingAction, loader as billingLoader } from "~/routes/account.billing";
import { action as loginAction } from "~/routes/login";
import { call, cookieHeader, createUser } from "./helpers";
import { STAND_IN_SECRET_KEY, STAND_IN_WEBHOOK_SECRET, startStripeStandIn, type StripeStandIn } from "./stripe-stand-in";

let standIn: StripeStandIn;

beforeAll(async () => {
  standIn = await startStripeStandIn();
});

function configure(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvForTests();
}

const stripeOn = () => ({ STRIPE_SECRET_KEY: STAND_IN_SECRET_KEY, STRIPE_WEBHOOK_SECRET: STAND_IN_WEBHOOK_SECRET, STRIPE_API_BASE_URL: standIn.url });

afterEach(() => configure({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined, STRIPE_API_BASE_URL: undefined, STRIPE_PAYMENT_METHODS: undefined }));
afterAll(async () => {
  await standIn?.close();
});

async function logIn() {
  const user = await createUser({ verified: true });
  const outcome = await call(loginAction, "/login", { form: { email: user.email, password: user.password } });
  return cookieHeader(outcome.setCookies);
}

/** Buys the first pack through the page's action; the Checkout Session request Stripe received. */
async function checkoutRequest(cookie: string) {
  const before = standIn.requests.length;
  const outcome = await call(billingAction, "/account/billing", { form: { packId: currentProvider().creditPacks[0]!.id }, cookie });
  expect(outcome.status).toBe(303);
  return standIn.requests.slice(before).find((recorded) => recorded.path === "/v1/checkout/sessions")!;
}

describe("Checkout payment methods", () => {
  it("offers cards, Alipay and WeChat Pay (web client) when the provider's Stripe account has them", async () => {
    configure({ ...stripeOn(), STRIPE_PAYMENT_METHODS: "card, alipay, wechat_pay" });
    const cookie = await logIn();
    const request = await checkoutRequest(cookie);
    expect(request.body.mode).toBe("payment");
    expect(request.body.allowed_payment_method_types).toEqual(["card", "alipay", "wechat_pay"]);
    expect(request.body.payment_method_options).toEqual({ wechat_pay: { client: "web" } });
    const page = await call(billingLoader, "/account/billing", { cookie });
    expect(page.data.paymentMethods).toEqual(["card", "alipay", "wechat_pay"]);
  });

  it("names no WeChat client when WeChat Pay is not offered", async () => {
    configure({ ...stripeOn(), STRIPE_PAYMENT_METHODS: "card,alipay" });
    const request = await checkoutRequest(await logIn());
    expect(request.body.allowed_payment_method_types).toEqual(["card", "alipay"]);
    expect(request.body.payment_method_options).toBeUndefined();
  });

  it("leaves the choice to Stripe's dashboard when unset", async () => {
    configure(stripeOn());
    const request = await checkoutRequest(await logIn());
    expect(request.body.allowed_payment_method_types).toBeUndefined();
    expect(request.body.payment_method_options).toBeUndefined();
  });

  it("refuses a setting Stripe would not take, naming the variable", () => {
    const base = { STRIPE_SECRET_KEY: STAND_IN_SECRET_KEY, STRIPE_WEBHOOK_SECRET: STAND_IN_WEBHOOK_SECRET };
    expect(() => parseEnv({ ...base, STRIPE_PAYMENT_METHODS: "alipay,wechat_pay" })).toThrow(/STRIPE_PAYMENT_METHODS: must include card/);
    expect(() => parseEnv({ ...base, STRIPE_PAYMENT_METHODS: "card,paypal" })).toThrow(/STRIPE_PAYMENT_METHODS.*one of card, alipay, wechat_pay/);
    expect(() => parseEnv({ ...base, STRIPE_PAYMENT_METHODS: "card,card" })).toThrow(/STRIPE_PAYMENT_METHODS: lists a payment method twice/);
    expect(() => parseEnv({ STRIPE_PAYMENT_METHODS: "card,alipay" })).toThrow(/STRIPE_PAYMENT_METHODS: needs STRIPE_SECRET_KEY/);
    expect(parseEnv({ ...base, STRIPE_PAYMENT_METHODS: "card,wechat_pay" }).STRIPE_PAYMENT_METHODS).toEqual(["card", "wechat_pay"]);
  });
});

describe("billing with top-ups off", () => {
  it("still lists every pack and its price, says top-ups are not enabled, and offers no Buy button", async () => {
    const cookie = await logIn();
    const page = await call(billingLoader, "/account/billing", { cookie });
    expect(page.data).toMatchObject({ enabled: false, packs: currentProvider().creditPacks });

    for (const locale of ["en", "zh"] as const) {
      const i18n = createI18n(locale, DICTIONARIES[locale]);
      const html = renderToString(
        createElement(I18nextProvider, { i18n }, createElement(CreditPackList, { packs: page.data.packs, locale, enabled: false, emailVerified: true, paymentMethods: null })),
      );
      expect(html).toContain(i18n.t("billing.notEnabled"));
      for (const pack of currentProvider().creditPacks) expect(html).toContain(formatMoney(pack.priceMinor, pack.currency, locale));
      expect(html.match(/class="credit-pack"/g)).toHaveLength(currentProvider().creditPacks.length);
      expect(html).not.toContain("<button");
      expect(html).not.toContain("<form");
    }
  });

  it("shows the Buy buttons and the payment methods in the page's language when on", async () => {
    configure({ ...stripeOn(), STRIPE_PAYMENT_METHODS: "card,alipay,wechat_pay" });
    const packs = currentProvider().creditPacks;
    // Forms need a data router: the list rendered as the one route of a memory router.
    const list = createElement(CreditPackList, { packs, locale: "zh", enabled: true, emailVerified: true, paymentMethods: ["card", "alipay", "wechat_pay"] });
    const router = createMemoryRouter([{ path: "/account/billing", element: list }], { initialEntries: ["/account/billing"] });
    const html = renderToString(createElement(I18nextProvider, { i18n: createI18n("zh", DICTIONARIES["zh"]) }, createElement(RouterProvider, { router })));
    expect(html).toContain("银行卡、支付宝和微信支付");
    expect(html.match(/<button/g)).toHaveLength(packs.length);
  });
});
