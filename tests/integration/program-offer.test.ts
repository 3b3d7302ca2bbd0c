// The offer shown before any upload comes from the live policy: change the policy (an admin's
// setting or the provider's default) and the landing page and the dashboard change with it.
import { describe, expect, it } from "vitest";
import { updateGrantPolicy } from "~/domain/grant-policy.server";
import { describeProgramOffer } from "~/domain/program-offer";
import { translator } from "~/lib/i18n.server";
import { getDb } from "~/lib/db.server";
import { glm } from "~/providers/glm";
import { qwen } from "~/providers/qwen";
import { loader as landingLoader } from "~/routes/_index";
import { loader as dashboardLoader } from "~/routes/account._index";
import { call, createUser, fullSessionCookie } from "./helpers";

const WINDOW = { start: "2023-07-01", end: "2024-07-09" };

describe("the program offer", () => {
  it("shows the provider's default policy, its models and a worked example on the landing page", async () => {
    const { offer } = (await call(landingLoader, "/")).data;
    expect(offer).toMatchObject({ multiplierPercent: 100, averageMonths: 3, floorTokens: 1_000_000, capTokens: 150_000_000, promoExpiryDays: 90, autoApproveLimitTokens: 10_000_000, window: WINDOW });
    expect(offer.models.map((model: { provider: string }) => model.provider)).toEqual(["glm-4-plus", "glm-4-air", "glm-4-flash", "glm-4v-plus", "embedding-3", "embedding-2"]);
    expect(offer.models[0].replaces).toEqual(glm.modelMap.filter((pair) => pair.provider === "glm-4-plus").map((pair) => pair.openai));
    expect(offer.models[0].replaces).toEqual(expect.arrayContaining(["gpt-4o", "gpt-4-turbo", "gpt-4"]));
    // The last whole month of the window is June 2024 (the window ends on 9 July).
    expect(offer.example.months).toEqual([
      { month: "2024-04", totalTokens: 2_000_000 },
      { month: "2024-05", totalTokens: 3_000_000 },
      { month: "2024-06", totalTokens: 4_000_000 },
    ]);
    expect(offer.example).toMatchObject({ averageMonthlyTokens: 3_000_000, rawOfferTokens: 3_000_000, offerTokens: 3_000_000, clamp: "none", grantedAtOnce: true });
  });

  it("follows an admin's change of the policy on the landing page and a new developer's dashboard", async () => {
    const admin = await createUser({ role: "admin" });
    const saved = await updateGrantPolicy(getDb(), { multiplierPercent: 250, averageMonths: 4, floorTokens: 12_000_000, promoExpiryDays: 60, autoApproveLimitTokens: 5_000_000 }, admin.id);
    expect(saved.ok).toBe(true);

    const { offer } = (await call(landingLoader, "/")).data;
    expect(offer).toMatchObject({ multiplierPercent: 250, averageMonths: 4, floorTokens: 12_000_000, promoExpiryDays: 60, autoApproveLimitTokens: 5_000_000 });
    expect(offer.example.months.map((month: { month: string }) => month.month)).toEqual(["2024-03", "2024-04", "2024-05", "2024-06"]);
    // 2, 3, 4, 5 million: average 3.5M × 250% = 8.75M, under the 12M floor, above the 5M auto-approve limit.
    expect(offer.example).toMatchObject({ averageMonthlyTokens: 3_500_000, rawOfferTokens: 8_750_000, offerTokens: 12_000_000, clamp: "floor", grantedAtOnce: false });

    const t = translator("en");
    expect(t("offer.formula", { percent: offer.multiplierPercent, months: offer.averageMonths, start: offer.window.start, end: offer.window.end })).toBe(
      "Free credit = 250% of your average monthly OpenAI API tokens, over your last 4 months of usage between 2023-07-01 and 2024-07-09.",
    );
    expect(translator("zh")("offer.validity", { days: offer.promoExpiryDays })).toContain("60 天");

    const developer = await createUser();
    const dashboard = await call(dashboardLoader, "/account", { cookie: await fullSessionCookie(developer.id) });
    expect(dashboard.data.offer).toEqual(offer);
    await updateGrantPolicy(getDb(), { multiplierPercent: 100, averageMonths: 3, floorTokens: 1_000_000, promoExpiryDays: 90, autoApproveLimitTokens: 10_000_000 }, admin.id);
  });

  it("comes from the configured provider's profile", () => {
    const forQwen = describeProgramOffer(qwen.grantPolicy, qwen.modelMap, WINDOW);
    const forGlm = describeProgramOffer(glm.grantPolicy, glm.modelMap, WINDOW);
    expect(forQwen.models.map((model) => model.provider)).toEqual([...new Set(qwen.modelMap.map((pair) => pair.provider))]);
    expect(forQwen.capTokens).toBe(qwen.grantPolicy.capTokens);
    expect(forGlm.models).not.toEqual(forQwen.models);
  });

  it("shows the cap when the example's credit would pass it", () => {
    const offer = describeProgramOffer({ ...glm.grantPolicy, multiplierPercent: 10_000, capTokens: 150_000_000 }, glm.modelMap, WINDOW);
    expect(offer.example).toMatchObject({ rawOfferTokens: 300_000_000, offerTokens: 150_000_000, clamp: "cap" });
  });
});
