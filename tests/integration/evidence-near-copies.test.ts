// Near-copies and re-uploads over the real database (SQLite, and PostgreSQL with TEST_DATABASE_URL):
// a copy of another account's usage is flagged and kept out of auto-approval, with the similarity
// on the staff page; honest look-alikes and an account's own re-uploads raise nothing.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { decideClaim, getClaim, resubmitClaim, submitClaim } from "~/domain/claims.server";
import { getVerifiedUsage, saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage } from "~/domain/evidence/types";
import { verifyUpload } from "~/domain/evidence/verify.server";
import { getDb } from "~/lib/db.server";
import { loader as reviewLoader } from "~/routes/staff.claims.$id";
import { action as loginAction } from "~/routes/login";
import { COMPLETIONS_COLUMNS } from "~/domain/evidence/csv-columns";
import { forgedCopy, shapedUsage } from "../fixtures/usage-series";
import { completionsLine } from "../fixtures/usage-fixtures";
import { call, cookieHeader, createUser, fullSessionCookie } from "./helpers";

/** The export a developer would download for these daily totals: one row per day and model. */
function exportOf(rows: DayUsage[]): string {
  const lines = rows.map((row) =>
    completionsLine({ startTime: Date.parse(`${row.day}T00:00:00Z`) / 1000, model: row.model, project: "proj_000abcdefgh", apiKey: "key_0000ABCDEFGH", requests: row.requests, input: row.inputTokens, output: row.outputTokens, cached: 0 }),
  );
  return `${[COMPLETIONS_COLUMNS.join(","), ...lines].join("\n")}\n`;
}

async function uploadUsage(userId: string, rows: DayUsage[], fileName = "usage.csv") {
  const outcome = await verifyUpload(Readable.from([Buffer.from(exportOf(rows))]), { maxBytes: 10 * 1024 * 1024, window: { start: "2023-07-01", end: "2024-07-09" }, now: new Date("2024-09-01T00:00:00Z") });
  expect(outcome.reasons).toEqual([]);
  return saveEvidence(getDb(), { userId, fileName, outcome });
}

const codes = (flags: Array<{ code: string }>) => flags.map((flag) => flag.code);
// About 2.5M tokens a month: the offer is under the 10M auto-approve limit.
const SMALL = { days: 120, startDay: "2024-03-01", level: 80_000 };

describe("near-copies of another account's usage", () => {
  it("flags a copy with every row one token off, scaled and shifted, and keeps its claim from auto-approval", async () => {
    const alice = await createUser();
    const mallory = await createUser();
    const original = shapedUsage({ seed: 101, ...SMALL });
    await uploadUsage(alice.id, original);
    const copy = await uploadUsage(mallory.id, forgedCopy(original, { seed: 102, scale: 1.5, shiftDays: 2 }));

    expect(copy.status).toBe("accepted");
    const flag = copy.flags.find((finding) => finding.code === "near_copy");
    expect(flag).toMatchObject({ count: 1, params: { model: "gpt-4o-2024-05-13" } });
    expect(Number(flag?.params?.similarity)).toBeGreaterThanOrEqual(95);
    const usage = await getVerifiedUsage(getDb(), mallory.id);
    const link = usage.duplicateOf.find((duplicate) => duplicate.reason === "near_copy");
    expect(link).toMatchObject({ otherAccountId: alice.id, nearCopy: { shiftDays: -2 } });
    expect(link?.nearCopy?.scale).toBeCloseTo(1.5, 2);

    const claim = await submitClaim(getDb(), mallory.id);
    expect(claim).toMatchObject({ ok: true, status: "pending" });
    if (!claim.ok) return;
    const stored = await getClaim(getDb(), claim.claimId);
    expect(stored!.offeredTokens).toBeLessThanOrEqual(10_000_000);
    expect(stored!.flags).toContainEqual(expect.objectContaining({ code: "near_copy", otherAccountId: alice.id }));

    // The original's owner is linked too (staff decide who copied whom), seen from their side.
    const aliceUsage = await getVerifiedUsage(getDb(), alice.id);
    expect(aliceUsage.duplicateOf.find((duplicate) => duplicate.reason === "near_copy")?.nearCopy).toMatchObject({ otherAccountId: mallory.id, shiftDays: 2 });

    // Staff see the link to the other account and the similarity on the claim page.
    const staff = await createUser({ role: "staff" });
    const page = await call(reviewLoader, `/staff/claims/${claim.claimId}`, { cookie: await fullSessionCookie(staff.id), params: { id: claim.claimId } });
    expect(page.status).toBe(200);
    const shown = page.data.evidenceDuplicates.find((duplicate: { reason: string }) => duplicate.reason === "near_copy");
    expect(shown).toMatchObject({ otherAccountId: alice.id, otherEmail: alice.email });
    expect(shown.nearCopy.similarityPercent).toBeGreaterThanOrEqual(95);
    expect(shown.nearCopy.comparedDays).toBeGreaterThanOrEqual(100);
  });

  it("finds a copy of part of the usage under another model name", async () => {
    const owner = await createUser();
    const copier = await createUser();
    const original = shapedUsage({ seed: 111, ...SMALL, days: 180, startDay: "2024-01-01" });
    await uploadUsage(owner.id, original);
    const copy = await uploadUsage(copier.id, forgedCopy(original.slice(40, 130), { seed: 112, model: "gpt-4-turbo-2024-04-09" }));
    expect(codes(copy.flags)).toContain("near_copy");
  });

  it("does not flag honest accounts with the same rhythm and their own noise; their small claims are granted at once", async () => {
    const first = await createUser();
    await uploadUsage(first.id, shapedUsage({ seed: 201, ...SMALL, patternSeed: 7 }));
    for (const [seed, noise] of [[202, 0.05], [203, 0.1], [204, 0.2]] as const) {
      const honest = await createUser();
      const stored = await uploadUsage(honest.id, shapedUsage({ seed, ...SMALL, patternSeed: 7, noise }));
      expect(codes(stored.flags), `noise ${noise}`).toEqual([]);
      expect((await getVerifiedUsage(getDb(), honest.id)).duplicateOf).toEqual([]);
      expect(await submitClaim(getDb(), honest.id)).toMatchObject({ ok: true, status: "auto_approved" });
    }
  });
});

describe("re-uploads by the same account", () => {
  it("an account's own overlapping or repeated evidence raises no flag, also after staff ask for more", async () => {
    const dev = await createUser();
    // Large enough (tens of millions a month) that staff review the claim.
    const usage = shapedUsage({ seed: 301, ...SMALL, level: 2_000_000 });
    await uploadUsage(dev.id, usage.slice(0, 80), "march-may.csv");
    const claim = await submitClaim(getDb(), dev.id);
    expect(claim).toMatchObject({ ok: true, status: "pending" });
    if (!claim.ok) return;
    expect((await getClaim(getDb(), claim.claimId))!.flags).toEqual([]);
    const staff = await createUser({ role: "staff" });
    await decideClaim(getDb(), { claimId: claim.claimId, actor: { id: staff.id, role: staff.role }, expectedVersion: 1, decision: { type: "request_info", message: "Please add June too." } });

    // The developer adds March to June (overlapping their first file), the first file once more, and
    // a re-export whose rows differ by a token (a near-copy, but of their own usage).
    const overlap = await uploadUsage(dev.id, usage, "march-june.csv");
    const again = await uploadUsage(dev.id, usage.slice(0, 80), "march-may-again.csv");
    const ownCopy = await uploadUsage(dev.id, forgedCopy(usage, { seed: 302 }), "edited.csv");
    for (const piece of [overlap, again, ownCopy]) expect(codes(piece.flags), piece.fileName ?? "").toEqual([]);
    expect(again.summary.alreadyUploaded).toBe(true);

    const verified = await getVerifiedUsage(getDb(), dev.id);
    expect(verified.flags).toEqual([]);
    expect(verified.duplicateOf).toEqual([]);
    expect(await resubmitClaim(getDb(), dev.id, claim.claimId)).toEqual({ ok: true });
    const requeued = (await getClaim(getDb(), claim.claimId))!;
    expect(requeued).toMatchObject({ status: "pending", flags: [] });
    const near = await getDb().selectFrom("evidence_near_copies").select("evidence_id").where("account_id", "=", dev.id).execute();
    expect(near).toEqual([]);
  });
});
