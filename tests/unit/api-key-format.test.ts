import { describe, expect, it } from "vitest";
import { assembleKey, checkKeyFormat, crc32, KEY_CHECKSUM_LENGTH, KEY_RANDOM_LENGTH, keyChecksum, keyScannerPattern, toBase62, visibleParts } from "~/domain/api-key-format";
import { generateApiKey } from "~/domain/api-keys.server";
import { providerProfiles } from "~/providers";

describe("API key format", () => {
  it("computes the standard CRC-32", () => {
    // The well-known check value of CRC-32/ISO-HDLC.
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("")).toBe(0);
    expect(toBase62(0xffffffff, 6)).toHaveLength(6);
  });

  it("generates prefix_random+checksum keys that pass the check", () => {
    for (const profile of Object.values(providerProfiles)) {
      const key = generateApiKey(profile.keyPrefix);
      expect(key).toMatch(new RegExp(`^${profile.keyPrefix}_[0-9A-Za-z]{${KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH}}$`));
      expect(key.slice(-KEY_CHECKSUM_LENGTH)).toBe(keyChecksum(key.slice(0, -KEY_CHECKSUM_LENGTH)));
      expect(checkKeyFormat(key, profile.keyPrefix)).toEqual({ ok: true });
      expect(new RegExp(keyScannerPattern(profile.keyPrefix)).test(`leaked: "${key}";`)).toBe(true);
    }
  });

  it("has at least 178 bits of randomness", () => {
    expect(KEY_RANDOM_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(178);
  });

  it("refuses a wrong checksum, a foreign prefix and a malformed key", () => {
    const key = generateApiKey("glmsk");
    const last = key.at(-1)!;
    const typo = key.slice(0, -1) + (last === "a" ? "b" : "a");
    expect(checkKeyFormat(typo, "glmsk")).toEqual({ ok: false, reason: "bad_checksum" });
    const middle = key.length - 10;
    const swapped = key.slice(0, middle) + (key[middle] === "Z" ? "Y" : "Z") + key.slice(middle + 1);
    expect(checkKeyFormat(swapped, "glmsk")).toEqual({ ok: false, reason: "bad_checksum" });
    expect(checkKeyFormat(generateApiKey("qwensk"), "glmsk")).toEqual({ ok: false, reason: "foreign_prefix" });
    // Re-labelled with our prefix, the checksum (computed over the prefix too) no longer matches.
    const relabelled = assembleKey("qwensk", "A".repeat(KEY_RANDOM_LENGTH)).replace("qwensk", "glmsk");
    expect(checkKeyFormat(relabelled, "glmsk")).toEqual({ ok: false, reason: "bad_checksum" });
    for (const bad of ["", "glmsk", "glmsk_", "glmsk_short", `glmsk_${"a".repeat(37)}`, `glmsk_${"a".repeat(37)}!`, `sk-${"a".repeat(48)}`]) {
      expect(checkKeyFormat(bad, "glmsk").ok).toBe(false);
    }
  });

  it("spreads characters evenly (no modulo bias) and never repeats", () => {
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    const samples = 2000;
    for (let i = 0; i < samples; i++) {
      const key = generateApiKey("glmsk");
      seen.add(key);
      for (const char of key.slice(6, 6 + KEY_RANDOM_LENGTH)) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect(seen.size).toBe(samples);
    expect(counts.size).toBe(62);
    const expected = (samples * KEY_RANDOM_LENGTH) / 62;
    // Chi-square with 61 degrees of freedom: 120 is far beyond p = 0.0001 for a fair source.
    const chiSquare = [...counts.values()].reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(120);
  });

  it("shows only the prefix, four characters and the last four", () => {
    const key = generateApiKey("glmsk");
    const parts = visibleParts(key, "glmsk");
    expect(parts.visiblePrefix).toBe(key.slice(0, 10));
    expect(parts.lastFour).toBe(key.slice(-4));
  });
});
