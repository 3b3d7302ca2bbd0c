import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { signUpSchema } from "~/domain/account-schemas.server";
import { localeFromAcceptLanguage } from "~/lib/locale.server";
import { commonPasswordCount, isCommonPassword, passwordWeakness } from "~/lib/password.server";
import { hasRole } from "~/lib/roles";

describe("password rules", () => {
  it("ships at least the 10,000 most common passwords", () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    expect(isCommonPassword("password")).toBe(true);
    expect(isCommonPassword("PassWord")).toBe(true);
    expect(isCommonPassword("correct horse battery staple 42")).toBe(false);
  });

  it("needs a zxcvbn score of 3 and says why not", () => {
    expect(passwordWeakness("aaaaaaaaaaaa")).toBe("errors.passwordWeak.simpleRepeat");
    expect(passwordWeakness("Password123!")).toBe("errors.passwordWeak.similarToCommon");
    expect(passwordWeakness("abcdefghijklmnop")).toBe("errors.passwordWeak.sequences");
    expect(passwordWeakness("kingfisher.ferryman", ["kingfisher.ferryman@example.com"])).toBe("errors.passwordWeak.userInputs");
    expect(passwordWeakness("correct horse battery staple 42", ["dev@example.com"])).toBeNull();
  });

  it("accepts the README's demo passwords and the test fixtures' passwords", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const demo = [...readme.matchAll(/\| `([a-z]+@demo\.ferry)` \| `([^`]+)` \|/g)];
    expect(demo.length).toBeGreaterThanOrEqual(4);
    for (const [, email, password] of demo) expect(passwordWeakness(password!, [email!]), password).toBeNull();
    for (const password of ["correct horse battery staple 42", "a sturdy passphrase for ferry 1", "an even sturdier passphrase 2", "a long enough passphrase"]) {
      expect(passwordWeakness(password, ["e2e-en-1733000000000@example.com"]), password).toBeNull();
    }
  });

  it("counts characters, not bytes, at the 12 and 128 edges", () => {
    const parse = (password: string) => signUpSchema.safeParse({ email: "a@example.com", password });
    expect(parse("密".repeat(12)).success).toBe(true);
    expect(parse("密".repeat(11)).success).toBe(false);
    expect(parse("😀".repeat(128)).success).toBe(true);
    expect(parse("😀".repeat(129)).success).toBe(false);
  });

  it("keeps the password exactly as typed", () => {
    const parsed = signUpSchema.parse({ email: " A@Example.COM ", password: "  padded secret  " });
    expect(parsed.password).toBe("  padded secret  ");
    expect(parsed.email).toBe("a@example.com");
  });
});

describe("language from Accept-Language", () => {
  it.each([
    ["zh-CN,zh;q=0.9,en;q=0.8", "zh"],
    ["en-US,en;q=0.9", "en"],
    ["zh-TW", "zh"],
    ["fr-FR,en;q=0.5", "en"],
    ["de", "en"],
    ["", "en"],
  ])("%s → %s", (header, expected) => {
    expect(localeFromAcceptLanguage(header)).toBe(expected);
  });
});

describe("roles", () => {
  it("orders developer < support < staff < admin", () => {
    expect(hasRole("admin", "staff")).toBe(true);
    expect(hasRole("staff", "support")).toBe(true);
    expect(hasRole("support", "staff")).toBe(false);
    expect(hasRole("developer", "support")).toBe(false);
    expect(hasRole("developer", "developer")).toBe(true);
  });
});
