// Demo claims, one per state the staff queue and the dashboard know: granted at once, in review,
// waiting for information, rejected. Submitted and decided through the claims module, back-dated.
import type { DbExecutor } from "~/lib/db.server";
import { decideClaim, listAccountClaims, submitClaim, type ClaimDecision } from "./claims.server";

export type DemoClaimStory = "granted" | "in_review" | "needs_info" | "rejected";

const DAY_MS = 86_400_000;

/** Days before the seed each story's claim was sent, and the staff decision a day later. */
const STORY: Record<DemoClaimStory, { submittedDaysAgo: number; decision?: ClaimDecision }> = {
  granted: { submittedDaysAgo: 8 },
  in_review: { submittedDaysAgo: 1 },
  needs_info: {
    submittedDaysAgo: 4,
    decision: { type: "request_info", message: "Please also upload the cost export for April to June 2024, so we can match your usage with what you paid." },
  },
  rejected: {
    submittedDaysAgo: 6,
    decision: { type: "reject", reason: "The usage in this export belongs to a project of another company; please claim from that company's account." },
  },
};

/** Claims the account's offer once (an account with a claim is left alone) and plays the story's staff decision. */
export async function seedDemoClaim(db: DbExecutor, input: { accountId: string; story: DemoClaimStory; staff: { id: string }; now: Date }): Promise<void> {
  if ((await listAccountClaims(db, input.accountId)).length > 0) return;
  const story = STORY[input.story];
  const submittedAt = new Date(input.now.getTime() - story.submittedDaysAgo * DAY_MS);
  const submitted = await submitClaim(db, input.accountId, { now: submittedAt });
  if (!submitted.ok) throw new Error(`demo claim (${input.story}) refused: ${submitted.reason}`);
  const expected = input.story === "granted" ? "auto_approved" : "pending";
  if (submitted.status !== expected) throw new Error(`demo claim (${input.story}) is ${submitted.status}, not ${expected}: check the demo usage against the policy`);
  if (!story.decision) return;
  const decided = await decideClaim(db, {
    claimId: submitted.claimId,
    actor: { id: input.staff.id, role: "staff" },
    expectedVersion: 1,
    decision: story.decision,
    now: new Date(submittedAt.getTime() + DAY_MS),
  });
  if (!decided.ok) throw new Error(`demo claim decision (${input.story}) refused: ${decided.reason}`);
}
