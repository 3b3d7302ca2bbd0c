import { describe, expect, it } from "vitest";
import { newLedgerEntryId } from "~/domain/ledger/entry-id.server";

describe("newLedgerEntryId", () => {
  it("sorts in creation order and never repeats", () => {
    const ids = Array.from({ length: 5_000 }, () => newLedgerEntryId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10)) expect(id).toMatch(/^led_[0-9a-z]{26}$/);
  });
});
