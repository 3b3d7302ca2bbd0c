import { describe, expect, it } from "vitest";
import { parseEnv } from "~/lib/env.server";
import { formatCompactNumber, formatMoney, formatUsdMicros } from "~/lib/money";
import { providerProfiles } from "~/providers";
import { decodeStripeForm } from "../integration/stripe-stand-in";

describe("Stripe configuration", () => {
  it("is off by default and on with a key and a webhook secret", () => {
    expect(parseEnv({}).STRIPE_SECRET_KEY).toBeUndefined();
    const env = parseEnv({ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_abc", STRIPE_API_BASE_URL: "http://127.0.0.1:4242" });
    expect(env.STRIPE_API_BASE_URL).toBe("http://127.0.0.1:4242");
  });

  it.each([
    [{ STRIPE_SECRET_KEY: "sk_test_abc" }, "STRIPE_WEBHOOK_SECRET"],
    [{ STRIPE_SECRET_KEY: "pk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_abc" }, "STRIPE_SECRET_KEY"],
    [{ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "secret" }, "STRIPE_WEBHOOK_SECRET"],
    [{ STRIPE_API_BASE_URL: "http://127.0.0.1:4242/v1" }, "STRIPE_API_BASE_URL"],
  ])("names the Stripe variable that is wrong: %j", (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`^Invalid environment variables:\\n  ${name}:`));
  });
});

describe("credit packs", () => {
  it("are integers in minor units, unique per provider, with a known currency", () => {
    for (const profile of Object.values(providerProfiles)) {
      expect(profile.creditPacks.length).toBeGreaterThan(0);
      expect(new Set(profile.creditPacks.map((pack) => pack.id)).size).toBe(profile.creditPacks.length);
      for (const pack of profile.creditPacks) {
        expect(Number.isSafeInteger(pack.tokens) && pack.tokens > 0).toBe(true);
        expect(Number.isSafeInteger(pack.priceMinor) && pack.priceMinor > 0).toBe(true);
        expect(["cny", "usd"]).toContain(pack.currency);
      }
    }
  });

  it("show prices and sizes the way each language writes them", () => {
    expect(formatMoney(5_000, "cny", "zh")).toBe("¥50.00");
    expect(formatMoney(5_000, "cny", "en")).toBe("CN¥50.00");
    expect(formatMoney(700, "usd", "en")).toBe("$7.00");
    // A currency without minor units is not divided by 100.
    expect(formatMoney(700, "jpy", "en")).toBe("¥700");
    expect(formatCompactNumber(10_000_000, "en")).toBe("10M");
    expect(formatCompactNumber(10_000_000, "zh")).toBe("1000万");
    expect(formatUsdMicros(1_234_567_890, "en")).toBe("$1,234.57");
    expect(formatUsdMicros(4_999, "en")).toBe("$0.00");
  });
});

describe("the Stripe stand-in's form decoding", () => {
  it("nests bracketed keys the way stripe-node encodes them", () => {
    expect(decodeStripeForm("mode=payment&metadata[a]=b&line_items[0][price_data][unit_amount]=700&line_items[0][quantity]=1")).toEqual({
      mode: "payment",
      metadata: { a: "b" },
      line_items: [{ price_data: { unit_amount: "700" }, quantity: "1" }],
    });
  });
});
