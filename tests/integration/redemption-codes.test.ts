// Redemption codes and referrals (issue 17) over the real database: atomic redemption under races,
// campaign-once, conditions, expiry, disabling, the second approval, the checksum, the rate limit,
// and the referral bonus with its abuse cases. SQLite, and PostgreSQL with TEST_DATABASE_URL.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { submitClaim, decideClaim, getClaim } from "~/domain/claims.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage, EvidenceOutcome } from "~/domain/evidence/types";
import { getGrantPolicy, updateGrantPolicy } from "~/domain/grant-policy.server";
import { getBalance, verifyLedger } from "~/domain/ledger.server";
import { generateRedemptionCode, parseRedemptionCode } from "~/domain/redemption-code-format.server";
import {
  approveCodeBatch,
  codeBatchSchema,
  createCodeBatch,
  disableCodeBatch,
  listCodeBatches,
  redeemCode,
  type CodeActor,
} from "~/domain/redemption-codes.server";
import { recordReferral, referralCodeFor, settleReferral } from "~/domain/referrals.server";
import { signUp } from "~/domain/accounts.server";
import { getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { action as creditAction, loader as creditLoader } from "~/routes/account.credit";
import { action as codesAction, loader as codesLoader } from "~/routes/staff.codes";
import { loader as signupLoader } from "~/routes/signup";
import { call, createUser, fullSessionCookie, STRONG_PASSWORD, uniqueEmail } from "./helpers";

const M = 1_000_000;
let staff: CodeActor;
let staff2: CodeActor;
let admin: CodeActor;

/** An account without the cost of hashing a password: the races below need a hundred of them. */
async function account(createdAt: Date = new Date()): Promise<string> {
  const id = newId("usr");
  const iso = createdAt.toISOString();
  await getDb()
    .insertInto("users")
    .values({ id, email: uniqueEmail("redeemer"), password_hash: "x", email_verified_at: iso, role: "developer", locale: "en", disabled_at: null, password_changed_at: iso, created_at: iso, updated_at: iso })
    .execute();
  return id;
}

async function batch(form: Record<string, string | number | boolean>, actor: CodeActor = staff, now?: Date) {
  const input = codeBatchSchema.parse({ count: 1, tokens: 1000, bucket: "promo", usesPerCode: 1, creditDays: 30, ...form });
  const result = await createCodeBatch(getDb(), actor, input, now);
  if (!result.ok) throw new Error(`batch refused: ${result.reason}`);
  return result;
}

/** Each redemption from its own address, so only the per-account limit is in play. */
const redeem = (accountId: string, code: string, now?: Date) => redeemCode(getDb(), { accountId, code, ip: `203.0.113.${Math.floor(Math.random() * 250)}` }, now);

async function redemptionCredits(batchId: string) {
  return getDb()
    .selectFrom("ledger_entries")
    .innerJoin("code_redemptions", "code_redemptions.id", "ledger_entries.reference_id")
    .select(["ledger_entries.account_id", "ledger_entries.amount", "ledger_entries.expires_at", "ledger_entries.bucket"])
    .where("ledger_entries.reference_type", "=", "redemption_code")
    .where("code_redemptions.batch_id", "=", batchId)
    .execute();
}

/** Accepted evidence for `userId` with the given org id and fingerprint. */
async function seedUsage(userId: string, extra: { orgId?: string; fingerprint?: string; monthly?: number } = {}) {
  const monthly = extra.monthly ?? 2 * M;
  const days: DayUsage[] = ["2024-04-15", "2024-05-15", "2024-06-15"].map((day) => ({ day, model: "gpt-4o", inputTokens: monthly / 2, outputTokens: monthly / 2, costMicros: 1_000_000, requests: 10 }));
  const outcome: EvidenceOutcome = {
    kind: "completions_csv",
    status: "accepted",
    reasons: [],
    flags: [],
    fileSha256: randomBytes(16).toString("hex"),
    fileBytes: 100,
    fingerprint: extra.fingerprint ?? randomBytes(16).toString("hex"),
    orgId: extra.orgId ?? `org-${randomBytes(8).toString("hex")}`,
    periodStart: days[0]!.day,
    periodEnd: days[2]!.day,
    rowCount: 3,
    inputTokens: days.reduce((sum, d) => sum + d.inputTokens, 0),
    outputTokens: days.reduce((sum, d) => sum + d.outputTokens, 0),
    costMicros: 3_000_000,
    days,
    summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
  };
  return saveEvidence(getDb(), { userId, fileName: "usage.csv", outcome });
}

beforeAll(async () => {
  const [a, b, c] = [await createUser({ role: "staff" }), await createUser({ role: "staff" }), await createUser({ role: "admin" })];
  staff = { id: a.id, role: "staff" };
  staff2 = { id: b.id, role: "staff" };
  admin = { id: c.id, role: "admin" };
  // glm defaults: cap 150M, second approval above 50M, promo credit for 90 days, no referral bonus.
  expect(await getGrantPolicy(getDb())).toMatchObject({ capTokens: 150 * M, largeGrantLimitTokens: 50 * M, promoExpiryDays: 90, referralBonusTokens: 0 });
});

describe("code format", () => {
  it("has 100 random bits, a checksum that catches typos, and tolerates case, spaces and dashes", () => {
    const code = generateRedemptionCode();
    expect(code).toMatch(/^FERRY(-[0-9A-HJKMNP-TV-Z]{4}){6}$/);
    const body = code.replace(/^FERRY-/, "").replace(/-/g, "");
    expect(parseRedemptionCode(code)).toEqual({ ok: true, body });
    expect(parseRedemptionCode(` ${code.toLowerCase().replace(/-/g, " ")} `)).toEqual({ ok: true, body });
    expect(parseRedemptionCode(body)).toEqual({ ok: true, body });
    // Every single-character substitution in the random part is caught (20 bits of check).
    let caught = 0;
    for (let index = 0; index < 20; index++) {
      const swapped = body[index] === "A" ? "B" : "A";
      if (!parseRedemptionCode(body.slice(0, index) + swapped + body.slice(index + 1)).ok) caught++;
    }
    expect(caught).toBe(20);
    expect(parseRedemptionCode(body.slice(0, 23)).ok).toBe(false);
    expect(new Set(Array.from({ length: 1000 }, generateRedemptionCode)).size).toBe(1000);
  });

  it("a typo is refused as malformed before any look-up; codes are stored only as hashes", async () => {
    const created = await batch({ campaign: "Format check" });
    const code = created.codes[0]!;
    const typo = code.slice(0, -1) + (code.endsWith("0") ? "1" : "0");
    const developer = await account();
    expect(await redeem(developer, typo)).toEqual({ ok: false, reason: "malformed" });
    const rows = await getDb().selectFrom("redemption_codes").selectAll().where("batch_id", "=", created.batchId).execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(code.replace(/-/g, "").slice(5));
    expect(rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await redeem(developer, code.toLowerCase())).toMatchObject({ ok: true, tokens: 1000 });
  });
});

describe("atomic redemption", () => {
  it("50 accounts redeeming one single-use code at once get exactly one credit", async () => {
    const created = await batch({ tokens: 5000, campaign: "Race single" });
    const accounts = await Promise.all(Array.from({ length: 50 }, () => account()));
    const results = await Promise.all(accounts.map((id) => redeem(id, created.codes[0]!)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === "used_up")).toHaveLength(49);
    const credits = await redemptionCredits(created.batchId);
    expect(credits).toHaveLength(1);
    expect(Number(credits[0]!.amount)).toBe(5000);
    const code = await getDb().selectFrom("redemption_codes").select("uses_left").where("batch_id", "=", created.batchId).executeTakeFirstOrThrow();
    expect(Number(code.uses_left)).toBe(0);
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });

  it("50 accounts redeeming one 10-use code at once get exactly ten credits", async () => {
    const created = await batch({ tokens: 700, usesPerCode: 10, campaign: "Race ten" });
    const accounts = await Promise.all(Array.from({ length: 50 }, () => account()));
    const results = await Promise.all(accounts.map((id) => redeem(id, created.codes[0]!)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok && r.reason === "used_up")).toHaveLength(40);
    const credits = await redemptionCredits(created.batchId);
    expect(credits).toHaveLength(10);
    expect(new Set(credits.map((c) => c.account_id)).size).toBe(10);
    const [progress] = (await listCodeBatches(getDb())).filter((b) => b.id === created.batchId);
    expect(progress).toMatchObject({ usesRedeemed: 10, tokensRedeemed: 7000 });
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });

  it("an account redeems a campaign once, even racing itself over two of its codes", async () => {
    const first = await batch({ count: 3, usesPerCode: 5, campaign: "Spring Outreach" });
    const second = await batch({ count: 1, campaign: "spring outreach" });
    const developer = await account();
    expect(await redeem(developer, first.codes[0]!)).toMatchObject({ ok: true });
    expect(await redeem(developer, first.codes[0]!)).toEqual({ ok: false, reason: "already_redeemed" });
    expect(await redeem(developer, first.codes[1]!)).toEqual({ ok: false, reason: "already_redeemed" });
    // Another batch of the same campaign (names compare without case) is the same campaign.
    expect(await redeem(developer, second.codes[0]!)).toEqual({ ok: false, reason: "already_redeemed" });
    const racer = await account();
    const raced = await Promise.all([redeem(racer, first.codes[1]!), redeem(racer, first.codes[2]!), redeem(racer, second.codes[0]!)]);
    expect(raced.filter((r) => r.ok)).toHaveLength(1);
    expect(raced.filter((r) => !r.ok && r.reason === "already_redeemed")).toHaveLength(2);
    const rows = await getDb().selectFrom("code_redemptions").select("id").where("account_id", "=", racer).execute();
    expect(rows).toHaveLength(1);
    // The losers' uses were given back with their rolled-back transactions.
    const uses = await getDb().selectFrom("redemption_codes").select((eb) => eb.fn.sum<number>("uses_left").as("left")).where("batch_id", "in", [first.batchId, second.batchId]).executeTakeFirstOrThrow();
    expect(Number(uses.left)).toBe(3 * 5 + 1 - 2);
  });

  it("a batch without a campaign name is its own campaign", async () => {
    const a = await batch({ count: 2 });
    const b = await batch({ count: 1 });
    const developer = await account();
    expect(await redeem(developer, a.codes[0]!)).toMatchObject({ ok: true });
    expect(await redeem(developer, a.codes[1]!)).toEqual({ ok: false, reason: "already_redeemed" });
    expect(await redeem(developer, b.codes[0]!)).toMatchObject({ ok: true });
  });
});

describe("rules of a code", () => {
  it("unknown codes (well-formed, never issued) are told apart from typos", async () => {
    expect(await redeem(await account(), generateRedemptionCode())).toEqual({ ok: false, reason: "unknown" });
  });

  it("conditions: accepted evidence only, new accounts only", async () => {
    const evidenceOnly = await batch({ count: 1, usesPerCode: 5, requiresEvidence: "on", campaign: "Evidence only" });
    const without = await account();
    expect(await redeem(without, evidenceOnly.codes[0]!)).toEqual({ ok: false, reason: "not_eligible" });
    const withEvidence = await account();
    await seedUsage(withEvidence);
    expect(await redeem(withEvidence, evidenceOnly.codes[0]!)).toMatchObject({ ok: true });

    const old = await account(new Date(Date.now() - 60_000));
    const newOnly = await batch({ count: 1, usesPerCode: 5, newAccountsOnly: "on", campaign: "New only" }, staff, new Date(Date.now() - 30_000));
    expect(await redeem(old, newOnly.codes[0]!)).toEqual({ ok: false, reason: "not_eligible" });
    const fresh = await account();
    expect(await redeem(fresh, newOnly.codes[0]!)).toMatchObject({ ok: true });
    // A refusal for eligibility takes no use.
    const code = await getDb().selectFrom("redemption_codes").select("uses_left").where("batch_id", "=", newOnly.batchId).executeTakeFirstOrThrow();
    expect(Number(code.uses_left)).toBe(4);
  });

  it("code expiry and credit expiry are separate", async () => {
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    const created = await batch({ count: 2, creditDays: 30, codeExpiresOn: today, campaign: "Expiry" });
    const early = await account();
    const redeemed = await redeem(early, created.codes[0]!, now);
    // The credit lasts 30 days from redemption, though the code dies tonight.
    expect(redeemed).toMatchObject({ ok: true, expiresAt: new Date(now.getTime() + 30 * 86_400_000).toISOString() });
    const tomorrow = new Date(now.getTime() + 86_400_000);
    expect(await redeem(await account(), created.codes[1]!, tomorrow)).toEqual({ ok: false, reason: "expired" });

    const until = new Date(now.getTime() + 10 * 86_400_000).toISOString().slice(0, 10);
    const dated = await batch({ count: 1, creditDays: "", creditUntil: until, campaign: "Dated credit" });
    expect(await redeem(await account(), dated.codes[0]!)).toMatchObject({ ok: true, expiresAt: `${until}T23:59:59.999Z` });

    const paid = await batch({ count: 1, bucket: "paid", creditDays: "", campaign: "Paid voucher" });
    const buyer = await account();
    expect(await redeem(buyer, paid.codes[0]!)).toMatchObject({ ok: true, bucket: "paid", expiresAt: null });
    expect(await getBalance(getDb(), buyer)).toMatchObject({ paid: 1000, promo: 0 });
  });

  it("a disabled batch's codes stop working; credit already given stays", async () => {
    const created = await batch({ count: 2, campaign: "To disable" });
    const before = await account();
    expect(await redeem(before, created.codes[0]!)).toMatchObject({ ok: true });
    expect(await disableCodeBatch(getDb(), staff2, created.batchId)).toEqual({ ok: true });
    expect(await disableCodeBatch(getDb(), staff2, created.batchId)).toEqual({ ok: false, reason: "already_disabled" });
    expect(await redeem(await account(), created.codes[1]!)).toEqual({ ok: false, reason: "disabled" });
    expect((await getBalance(getDb(), before)).promo).toBe(1000);
  });

  it("a batch above the large-grant limit needs a second, different staff member", async () => {
    // 10 codes × 1 use × 6M = 60M > 50M.
    const created = await batch({ count: 10, tokens: 6 * M, campaign: "Large" });
    expect(created.status).toBe("pending_approval");
    const developer = await account();
    expect(await redeem(developer, created.codes[0]!)).toEqual({ ok: false, reason: "not_active" });
    expect(await approveCodeBatch(getDb(), staff, created.batchId)).toEqual({ ok: false, reason: "same_approver" });
    expect(await approveCodeBatch(getDb(), { id: developer, role: "developer" }, created.batchId)).toEqual({ ok: false, reason: "forbidden" });
    expect(await approveCodeBatch(getDb(), admin, created.batchId)).toEqual({ ok: true });
    expect(await approveCodeBatch(getDb(), staff2, created.batchId)).toEqual({ ok: false, reason: "not_pending" });
    expect(await redeem(developer, created.codes[0]!)).toMatchObject({ ok: true, tokens: 6 * M });
    // Exactly at the limit: no second approval.
    expect((await batch({ count: 5, usesPerCode: 2, tokens: 5 * M, campaign: "At limit" })).status).toBe("active");
    const audit = await getDb().selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "=", created.batchId).orderBy("created_at").execute();
    expect(audit.map((row) => row.action)).toEqual(["code_batch.create", "code_batch.approve", "code.redeem"]);
  });

  it("refuses what the policy forbids and what the form gets wrong", async () => {
    expect(codeBatchSchema.safeParse({ count: 1, tokens: 5, bucket: "promo", usesPerCode: 1 }).success).toBe(false);
    expect(codeBatchSchema.safeParse({ count: 1, tokens: 5, bucket: "paid", usesPerCode: 1, creditDays: 3 }).success).toBe(false);
    expect(codeBatchSchema.safeParse({ count: 0, tokens: 5, bucket: "promo", usesPerCode: 1, creditDays: 3 }).success).toBe(false);
    expect(codeBatchSchema.safeParse({ count: 5001, tokens: 5, bucket: "promo", usesPerCode: 1, creditDays: 3 }).success).toBe(false);
    const input = (extra: object) => codeBatchSchema.parse({ count: 1, tokens: 5, bucket: "promo", usesPerCode: 1, creditDays: 3, ...extra });
    expect(await createCodeBatch(getDb(), staff, input({ tokens: 151 * M }))).toEqual({ ok: false, reason: "above_cap" });
    expect(await createCodeBatch(getDb(), staff, input({ creditDays: 91 }))).toEqual({ ok: false, reason: "expiry_too_far" });
    expect(await createCodeBatch(getDb(), staff, input({ codeExpiresOn: "2020-01-01" }))).toEqual({ ok: false, reason: "expiry_past" });
    expect(await createCodeBatch(getDb(), { id: staff.id, role: "support" }, input({}))).toEqual({ ok: false, reason: "forbidden" });
  });

  it("rate limits attempts per account", async () => {
    const developer = await account();
    const now = new Date();
    for (let attempt = 0; attempt < 10; attempt++) expect(await redeem(developer, "FERRY-NOPE", now)).toEqual({ ok: false, reason: "malformed" });
    expect(await redeem(developer, "FERRY-NOPE", now)).toMatchObject({ ok: false, reason: "rate_limited" });
    // Even a good code waits out the window.
    const created = await batch({ campaign: "After limit" });
    expect(await redeem(developer, created.codes[0]!, now)).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(await redeem(developer, created.codes[0]!, new Date(now.getTime() + 16 * 60_000))).toMatchObject({ ok: true });
  });
});

describe("pages", () => {
  it("staff create a batch, get the codes once as formula-safe CSV; the list never shows them", async () => {
    const cookie = await fullSessionCookie(staff.id);
    const created = await call(codesAction, "/staff/codes", {
      cookie,
      form: { intent: "create", count: "3", tokens: "2500", bucket: "promo", usesPerCode: "1", creditDays: "30", creditUntil: "", codeExpiresOn: "", campaign: "=HYPERLINK(\"x\")" },
    });
    expect(created.status).toBe(200);
    const body = created.data as { ok: true; codes: string[]; csv: string; batchId: string };
    expect(body.codes).toHaveLength(3);
    expect(body.csv.split("\r\n")[1]).toContain(`${body.codes[0]},2500,promo,1,"'=HYPERLINK(""x"")"`);
    const listed = await call(codesLoader, "/staff/codes", { cookie });
    const text = JSON.stringify(listed.data);
    expect(text).toContain(body.batchId);
    for (const code of body.codes) expect(text).not.toContain(code);

    const bad = await call(codesAction, "/staff/codes", { cookie, form: { intent: "create", count: "0", tokens: "x", bucket: "promo", usesPerCode: "1" } });
    expect(bad.status).toBe(400);
    const developerCookie = await fullSessionCookie(await account());
    const denied = await call(codesAction, "/staff/codes", { cookie: developerCookie, form: { intent: "disable", batchId: body.batchId } });
    expect(denied.status).toBe(403);

    // A developer redeems on the credit page and sees the entry in the history.
    const developer = (await createUser()).id;
    const devCookie = await fullSessionCookie(developer);
    const redeemed = await call(creditAction, "/account/credit", { cookie: devCookie, form: { intent: "redeem", code: body.codes[1]!.toLowerCase() } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.data).toEqual({ ok: true, tokens: 2500 });
    const again = await call(creditAction, "/account/credit", { cookie: devCookie, form: { intent: "redeem", code: body.codes[1]! } });
    expect(again.status).toBe(409);
    expect(again.data).toMatchObject({ ok: false, formError: "codes.errors.already_redeemed" });
    const page = await call(creditLoader, "/account/credit", { cookie: devCookie });
    const view = page.data as { balance: { promo: number }; page: { entries: Array<{ referenceType: string; amount: number }> }; referral: { link: string } };
    expect(view.balance.promo).toBe(2500);
    expect(view.page.entries[0]).toMatchObject({ referenceType: "redemption_code", amount: 2500 });
    expect(view.referral.link).toMatch(/\/signup\?ref=[0-9A-Z]{10}$/);
  });

  it("a large batch is approved on the page by another staff member, never by its creator", async () => {
    const creatorCookie = await fullSessionCookie(staff.id);
    const created = await call(codesAction, "/staff/codes", {
      cookie: creatorCookie,
      form: { intent: "create", count: "2", tokens: String(30 * M), bucket: "paid", usesPerCode: "1", campaign: "Page approval" },
    });
    const body = created.data as { ok: true; status: string; batchId: string };
    expect(body).toMatchObject({ ok: true, status: "pending_approval" });
    const own = await call(codesAction, "/staff/codes", { cookie: creatorCookie, form: { intent: "approve", batchId: body.batchId } });
    expect(own.status).toBe(409);
    expect(own.data).toMatchObject({ ok: false, formError: "codes.errors.same_approver" });
    const other = await call(codesAction, "/staff/codes", { cookie: await fullSessionCookie(staff2.id), form: { intent: "approve", batchId: body.batchId } });
    expect(other.data).toEqual({ ok: true, intent: "approve", target: body.batchId });
    const disabled = await call(codesAction, "/staff/codes", { cookie: creatorCookie, form: { intent: "disable", batchId: body.batchId } });
    expect(disabled.data).toEqual({ ok: true, intent: "disable", target: body.batchId });
    const [row] = (await listCodeBatches(getDb())).filter((b) => b.id === body.batchId);
    expect(row).toMatchObject({ status: "disabled", totalTokens: 60 * M, bucket: "paid", creditDays: null });
  });
});

describe("referral", () => {
  async function invited(referrerId: string) {
    const invitee = await account();
    expect(await recordReferral(getDb(), invitee, await referralCodeFor(getDb(), referrerId))).toBe(true);
    return invitee;
  }

  /** Submits the claim and, when it waits for a human, approves it. */
  async function grantClaim(accountId: string) {
    const submitted = await submitClaim(getDb(), accountId);
    if (!submitted.ok) throw new Error(`claim refused: ${submitted.reason}`);
    if (submitted.status === "pending") {
      const claim = (await getClaim(getDb(), submitted.claimId))!;
      const decided = await decideClaim(getDb(), { claimId: claim.id, actor: staff, expectedVersion: claim.version, decision: { type: "approve" } });
      expect(decided).toMatchObject({ ok: true, outcome: "granted" });
    }
    return submitted.claimId;
  }

  const referralCredits = async (accountId: string) =>
    (await getDb().selectFrom("ledger_entries").select("amount").where("account_id", "=", accountId).where("reference_type", "=", "referral").execute()).map((row) => Number(row.amount));

  it("is off by default: a granted claim gives no bonus", async () => {
    const referrer = await account();
    const invitee = await invited(referrer);
    await seedUsage(invitee);
    await grantClaim(invitee);
    expect(await referralCredits(invitee)).toEqual([]);
    expect(await referralCredits(referrer)).toEqual([]);
    expect(await getDb().selectFrom("referrals").select(["status", "refusal"]).where("invitee_id", "=", invitee).executeTakeFirst()).toEqual({ status: "refused", refusal: "off" });
  });

  describe("with a bonus of 2M tokens", () => {
    beforeAll(async () => {
      expect(await updateGrantPolicy(getDb(), { referralBonusTokens: 2 * M }, admin.id)).toMatchObject({ ok: true });
    });

    it("the policy refuses a bonus above the auto-approve limit", async () => {
      expect(await updateGrantPolicy(getDb(), { referralBonusTokens: 11 * M }, admin.id)).toMatchObject({ ok: false, fieldErrors: { referralBonusTokens: "claims.errors.policyReferralAboveAuto" } });
    });

    it("both get the bonus when the invitee's claim is granted, once", async () => {
      const referrer = await account();
      await seedUsage(referrer);
      const invitee = await invited(referrer);
      await seedUsage(invitee);
      const claimId = await grantClaim(invitee);
      expect(await referralCredits(invitee)).toEqual([2 * M]);
      expect(await referralCredits(referrer)).toEqual([2 * M]);
      // Settling again (a replay) adds nothing.
      const policy = await getGrantPolicy(getDb());
      expect(await settleReferral(getDb(), { inviteeId: invitee, claimId, policy, actorId: null, now: new Date() })).toEqual({ outcome: "none" });
      expect(await referralCredits(referrer)).toEqual([2 * M]);
      // The invitee cannot be claimed by a second referrer.
      expect(await recordReferral(getDb(), invitee, await referralCodeFor(getDb(), await account()))).toBe(false);
      expect((await verifyLedger(getDb())).ok).toBe(true);
    });

    it("two invitees give the referrer two bonuses; an invitee without a granted claim gives none", async () => {
      const referrer = await account();
      const [one, two, idle] = [await invited(referrer), await invited(referrer), await invited(referrer)];
      for (const invitee of [one, two]) {
        await seedUsage(invitee);
        await grantClaim(invitee);
      }
      expect(await referralCredits(referrer)).toEqual([2 * M, 2 * M]);
      expect(await referralCredits(idle)).toEqual([]);
    });

    it("no bonus when the two accounts share an OpenAI org id or a usage fingerprint", async () => {
      const referrer = await account();
      const orgId = `org-${randomBytes(6).toString("hex")}`;
      await seedUsage(referrer, { orgId });
      const sameOrg = await invited(referrer);
      await seedUsage(sameOrg, { orgId });
      await grantClaim(sameOrg);
      expect(await getDb().selectFrom("referrals").select(["status", "refusal"]).where("invitee_id", "=", sameOrg).executeTakeFirst()).toEqual({ status: "refused", refusal: "shared_org" });
      expect(await referralCredits(sameOrg)).toEqual([]);
      expect(await referralCredits(referrer)).toEqual([]);

      const referrer2 = await account();
      const fingerprint = randomBytes(16).toString("hex");
      await seedUsage(referrer2, { fingerprint });
      const sameData = await invited(referrer2);
      await seedUsage(sameData, { fingerprint });
      await grantClaim(sameData);
      expect(await referralCredits(sameData)).toEqual([]);
      expect(await referralCredits(referrer2)).toEqual([]);
      expect(await getDb().selectFrom("referrals").select(["status", "refusal"]).where("invitee_id", "=", sameData).executeTakeFirst()).toEqual({ status: "refused", refusal: "shared_fingerprint" });
      const audit = await getDb().selectFrom("audit_log").select("action").where("target_id", "=", sameData).where("action", "like", "referral.%").execute();
      expect(audit.map((row) => row.action)).toEqual(["referral.no_bonus"]);
    });

    it("an account cannot refer itself", async () => {
      const self = await account();
      expect(await recordReferral(getDb(), self, await referralCodeFor(getDb(), self))).toBe(false);
      expect(await getDb().selectFrom("referrals").select("invitee_id").where("invitee_id", "=", self).executeTakeFirst()).toBeUndefined();
    });

    it("signing up through /signup?ref= records the referral; a bad ref is ignored", async () => {
      const referrer = await account();
      const code = await referralCodeFor(getDb(), referrer);
      const page = await call(signupLoader, `/signup?ref=${code.toLowerCase()}`);
      expect(page.data).toEqual({ referralCode: code });
      expect((await call(signupLoader, "/signup?ref=<script>")).data).toEqual({ referralCode: null });
      const email = uniqueEmail("invitee");
      expect(await signUp(getDb(), { email, password: STRONG_PASSWORD, locale: "en", referralCode: code })).toEqual({ ok: true });
      const user = await getDb().selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
      expect(await getDb().selectFrom("referrals").select(["referrer_id", "status"]).where("invitee_id", "=", user.id).executeTakeFirst()).toEqual({ referrer_id: referrer, status: "pending" });
    });
  });
});
