import { describe, expect, it } from "vitest";
import { getVerifiedUsage, saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage, EvidenceOutcome } from "~/domain/evidence/types";
import { getDb } from "~/lib/db.server";
import { createUser } from "./helpers";

function outcome(days: DayUsage[], extra: Partial<EvidenceOutcome> = {}): EvidenceOutcome {
  return {
    kind: "completions_csv",
    status: "accepted",
    reasons: [],
    flags: [],
    fileSha256: `sha-${Math.random()}`,
    fileBytes: 100,
    fingerprint: `fp-${Math.random()}`,
    orgId: null,
    periodStart: days[0]?.day ?? null,
    periodEnd: days.at(-1)?.day ?? null,
    rowCount: days.length,
    inputTokens: days.reduce((sum, day) => sum + day.inputTokens, 0),
    outputTokens: days.reduce((sum, day) => sum + day.outputTokens, 0),
    costMicros: 0,
    days,
    summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
    ...extra,
  };
}

const day = (d: string, model: string, input: number, output: number, cost = 0): DayUsage => ({ day: d, model, inputTokens: input, outputTokens: output, costMicros: cost, requests: 1 });

describe("getVerifiedUsage", () => {
  it("combines accepted evidence, counting overlapping days once, and reports duplicates", async () => {
    const db = getDb();
    const alice = await createUser();
    const bob = await createUser();
    const empty = await getVerifiedUsage(db, alice.id);
    expect(empty.months).toEqual([]);

    const first = await saveEvidence(db, { userId: alice.id, fileName: "a.csv", outcome: outcome([day("2024-01-10", "gpt-4o", 100, 50), day("2024-01-11", "gpt-4o", 100, 50)], { orgId: "org-aaaaaaaaaaaaaaaaaaaaaaaa", fingerprint: "fp-shared" }) });
    // Overlaps 2024-01-11 (counted once) and adds February, plus cost for the January day.
    await saveEvidence(db, { userId: alice.id, fileName: "b.csv", outcome: outcome([day("2024-01-11", "gpt-4o", 100, 50, 2_000_000), day("2024-02-01", "gpt-4o-mini", 10, 5)], { flags: [{ code: "unknown_model", count: 1, lines: [3] }] }) });
    await saveEvidence(db, { userId: alice.id, fileName: "bad.csv", outcome: outcome([day("2024-03-01", "gpt-4o", 999, 999)], { status: "rejected" }) });
    await saveEvidence(db, { userId: bob.id, fileName: "copy.csv", outcome: outcome([day("2024-01-10", "gpt-4o", 100, 50)], { fingerprint: "fp-shared" }) });

    const usage = await getVerifiedUsage(db, alice.id);
    expect(usage.months).toEqual([
      { month: "2024-01", inputTokens: 200, outputTokens: 100, totalTokens: 300, costMicros: 2_000_000 },
      { month: "2024-02", inputTokens: 10, outputTokens: 5, totalTokens: 15, costMicros: 0 },
    ]);
    expect(usage.evidenceIds).toHaveLength(2);
    expect(usage.orgIds).toEqual(["org-aaaaaaaaaaaaaaaaaaaaaaaa"]);
    expect(usage.fingerprints).toContain("fp-shared");
    expect(usage.flags).toContainEqual({ code: "unknown_model", evidenceId: usage.evidenceIds[1] });
    expect(usage.duplicateOf).toEqual([{ evidenceId: first.id, otherAccountId: bob.id, reason: "fingerprint" }]);

    const bobs = await getVerifiedUsage(db, bob.id);
    expect(bobs.flags.map((flag) => flag.code)).toContain("duplicate_fingerprint");
  });
});
