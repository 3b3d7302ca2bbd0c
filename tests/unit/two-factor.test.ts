import { TOTP, Secret } from "otpauth";
import { describe, expect, it } from "vitest";
import { formatSecretForTyping, generateRecoveryCodes, generateTotpSecret, matchTotpStep, normalizeRecoveryCode, totpCodeAt, totpStep, totpUri } from "~/domain/totp";
import { describeUserAgent } from "~/domain/user-agent";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const NOW = new Date("2026-03-01T12:00:10Z");

describe("TOTP", () => {
  it("generates 160-bit base32 secrets, different each time", () => {
    const a = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(generateTotpSecret()).not.toBe(a);
  });

  it("computes the same codes as an independent otpauth TOTP (RFC 6238, SHA-1, 6 digits, 30 s)", () => {
    const reference = new TOTP({ secret: Secret.fromBase32(SECRET), digits: 6, period: 30, algorithm: "SHA1" });
    expect(totpCodeAt(SECRET, totpStep(NOW))).toBe(reference.generate({ timestamp: NOW.getTime() }));
  });

  it("accepts the current step and one either side, and says which step matched", () => {
    const step = totpStep(NOW);
    expect(matchTotpStep(SECRET, totpCodeAt(SECRET, step), NOW, null)).toBe(step);
    expect(matchTotpStep(SECRET, totpCodeAt(SECRET, step - 1), NOW, null)).toBe(step - 1);
    expect(matchTotpStep(SECRET, totpCodeAt(SECRET, step + 1), NOW, null)).toBe(step + 1);
    expect(matchTotpStep(SECRET, totpCodeAt(SECRET, step - 2), NOW, null)).toBeNull();
    expect(matchTotpStep(SECRET, "12345", NOW, null)).toBeNull();
    expect(matchTotpStep(SECRET, "abcdef", NOW, null)).toBeNull();
  });

  it("never accepts a step at or before the last one used (no replay, no older code)", () => {
    const step = totpStep(NOW);
    const code = totpCodeAt(SECRET, step);
    expect(matchTotpStep(SECRET, code, NOW, step)).toBeNull();
    expect(matchTotpStep(SECRET, totpCodeAt(SECRET, step - 1), NOW, step - 1)).toBeNull();
    expect(matchTotpStep(SECRET, totpCodeAt(SECRET, step + 1), NOW, step)).toBe(step + 1);
  });

  it("tolerates spaces typed in the code", () => {
    const code = totpCodeAt(SECRET, totpStep(NOW));
    expect(matchTotpStep(SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, NOW, null)).toBe(totpStep(NOW));
  });

  it("builds an otpauth:// URI with issuer and account, and a secret grouped for typing", () => {
    const uri = totpUri(SECRET, "ops@provider.example", "Ferry (GLM)");
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${SECRET}`);
    expect(decodeURIComponent(uri)).toContain("ops@provider.example");
    expect(formatSecretForTyping(SECRET)).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
  });
});

describe("recovery codes", () => {
  it("makes ten distinct codes without look-alike characters", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
  });

  it("normalizes case, spaces and dashes, and refuses other shapes", () => {
    expect(normalizeRecoveryCode(" ABCDE-FGHJK ")).toBe("abcdefghjk");
    expect(normalizeRecoveryCode("abcde fghjk")).toBe("abcdefghjk");
    expect(normalizeRecoveryCode("abcde-fghj")).toBeNull();
    expect(normalizeRecoveryCode("abcde-fghj1")).toBeNull();
    expect(normalizeRecoveryCode("123456")).toBeNull();
  });
});

describe("describeUserAgent", () => {
  it("names common browsers and systems", () => {
    expect(describeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")).toEqual({ browser: "Edge", os: "Windows" });
    expect(describeUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")).toEqual({ browser: "Safari", os: "iOS" });
    expect(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")).toEqual({ browser: "Firefox", os: "Linux" });
    expect(describeUserAgent("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36")).toEqual({ browser: "Chrome", os: "Android" });
    expect(describeUserAgent("something else")).toEqual({ browser: null, os: null });
    expect(describeUserAgent(null)).toEqual({ browser: null, os: null });
  });
});
