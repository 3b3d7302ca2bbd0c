// Amount fields accept numbers as people write them, and refuse what is ambiguous.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { optionalWholeNumberField, parseWholeNumber, wholeNumberField } from "~/lib/number-input";
import { queueQuerySchema } from "~/domain/claim-queue-query.server";
import { adjustmentSchema } from "~/domain/support-actions.server";
import { policyPatchFromForm } from "~/domain/grant-policy-admin.server";

describe("parseWholeNumber", () => {
  it.each([
    ["1000000", 1_000_000],
    ["1,000,000", 1_000_000],
    ["1 000 000", 1_000_000],
    ["1\u00a0000\u00a0000", 1_000_000],
    ["1\u202f000\u202f000", 1_000_000],
    ["1_000_000", 1_000_000],
    ["1'000'000", 1_000_000],
    ["１，０００，０００", 1_000_000],
    ["  25,000,000 ", 25_000_000],
    ["0", 0],
  ])("reads %j as %d", (text, value) => {
    expect(parseWholeNumber(text)).toBe(value);
  });

  it.each(["", "abc", "1,5", "1,00,000", "1.5", "1,000.5", "1,000 000", "10,00", "1e6", "-5", "9007199254740993", "1,,000"])("refuses %j", (text) => {
    expect(parseWholeNumber(text)).toBeNull();
  });

  it("reads a sign only where the field allows one", () => {
    expect(parseWholeNumber("-1,000", { signed: true })).toBe(-1000);
    expect(parseWholeNumber("\u22121 000", { signed: true })).toBe(-1000);
    expect(parseWholeNumber("+2_000", { signed: true })).toBe(2000);
    expect(parseWholeNumber("-1,000")).toBeNull();
  });
});

describe("the zod fields", () => {
  it("turn text into an integer or a message", () => {
    const field = wholeNumberField("some.error");
    expect(field.parse("1 000 000")).toBe(1_000_000);
    const failed = field.safeParse("1,5");
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.message).toBe("some.error");
    expect(z.object({ n: optionalWholeNumberField("x") }).parse({ n: "  " })).toEqual({ n: undefined });
  });

  it("are what every amount field uses: queue filters, adjustments, grant policy", () => {
    expect(queueQuerySchema.parse({ minTokens: "1,000,000", maxTokens: "50 000 000" })).toMatchObject({ minTokens: 1_000_000, maxTokens: 50_000_000 });
    expect(queueQuerySchema.safeParse({ minTokens: "1,5" }).success).toBe(false);
    const adjustment = adjustmentSchema.safeParse({ tokens: "-1 000 000", bucket: "paid", adjustmentId: "adj_abcdefghij0123456789", reason: "refund of a duplicate" });
    expect(adjustment.success && adjustment.data.tokens).toBe(-1_000_000);
    const current = { capTokens: 1 } as never;
    expect(policyPatchFromForm({ capTokens: "150 000 000", floorTokens: "1,5" }, current)).toMatchObject({ capTokens: 150_000_000, floorTokens: "1,5" });
  });
});
