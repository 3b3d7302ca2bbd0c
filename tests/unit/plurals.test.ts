// Counts read right in both languages: "1 hour", "24 hours".
import { describe, expect, it } from "vitest";
import { createI18n } from "~/lib/i18n";
import { DICTIONARIES } from "~/lib/i18n.server";

describe("plurals", () => {
  it("says 1 hour and 24 hours for a roll's grace time", () => {
    const en = createI18n("en", DICTIONARIES["en"]);
    expect(en.t("keys.rollPage.graceHours", { count: 1 })).toBe("1 hour");
    expect(en.t("keys.rollPage.graceHours", { count: 24 })).toBe("24 hours");
    const zh = createI18n("zh", DICTIONARIES["zh"]);
    expect(zh.t("keys.rollPage.graceHours", { count: 1 })).toBe("1 小时");
    expect(zh.t("keys.rollPage.graceHours", { count: 168 })).toBe("168 小时");
  });

  it("says 1 row and 3 rows outside the program window", () => {
    const en = createI18n("en", DICTIONARIES["en"]);
    expect(en.t("evidence.detail.outsideWindow", { count: 1 })).toMatch(/^1 row was/);
    expect(en.t("evidence.detail.outsideWindow", { count: 3 })).toMatch(/^3 rows were/);
  });
});
