// Referral: an account invites others with a link; when an invitee's claim is granted, both get
// the policy's referral bonus (0 = off), once per invitee, unless the two accounts look like one
// person (the same OpenAI org id or usage fingerprint in their claims or evidence, or the same
// account). The bonus is settled in the claim's grant transaction, keyed by the referral, so a
// replay or a second grant adds nothing.
import { randomBytes } from "node:crypto";
import type { DbExecutor } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { recordAudit } from "./audit.server";
import { promoExpiresAt, type GrantPolicy } from "./grant-policy";
import { creditAccount } from "./ledger.server";

export const REFERRAL_LEDGER_REFERENCE = "referral";
const LINK_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LINK_CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;

export type ReferralRefusal = "self" | "shared_org" | "shared_fingerprint" | "off";

/** The account's invitation code (made on first use): it goes in `/signup?ref=<code>`. */
export async function referralCodeFor(db: DbExecutor, accountId: string, now: Date = new Date()): Promise<string> {
  const existing = await db.selectFrom("referral_links").select("code").where("account_id", "=", accountId).executeTakeFirst();
  if (existing) return existing.code;
  const code = [...randomBytes(10)].map((byte) => LINK_ALPHABET[byte & 31]).join("");
  await db
    .insertInto("referral_links")
    .values({ account_id: accountId, code, created_at: now.toISOString() })
    .onConflict((conflict) => conflict.column("account_id").doNothing())
    .execute();
  const row = await db.selectFrom("referral_links").select("code").where("account_id", "=", accountId).executeTakeFirstOrThrow();
  return row.code;
}

/** Normalizes a `ref` parameter; anything that is not a code is ignored, not an error. */
export function parseReferralCode(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const code = value.trim().toUpperCase();
  return LINK_CODE.test(code) ? code : null;
}

/** Notes who invited a newly created account. An unknown code records nothing; a second call changes nothing. */
export async function recordReferral(db: DbExecutor, inviteeId: string, code: string | null | undefined, now: Date = new Date()): Promise<boolean> {
  const parsed = parseReferralCode(code);
  if (!parsed) return false;
  const link = await db.selectFrom("referral_links").select("account_id").where("code", "=", parsed).executeTakeFirst();
  if (!link || link.account_id === inviteeId) return false;
  const result = await db
    .insertInto("referrals")
    .values({ invitee_id: inviteeId, id: newId("ref"), referrer_id: link.account_id, status: "pending", refusal: null, bonus_tokens: null, claim_id: null, decided_at: null, created_at: now.toISOString() })
    .onConflict((conflict) => conflict.column("invitee_id").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** An account's org ids and usage fingerprints, from its claims and from its evidence. */
async function identitiesOf(db: DbExecutor, accountId: string): Promise<{ orgIds: Set<string>; fingerprints: Set<string> }> {
  const [claimed, evidence] = await Promise.all([
    db.selectFrom("claim_identities").select(["kind", "value"]).where("account_id", "=", accountId).execute(),
    db.selectFrom("evidence").select(["org_id", "fingerprint"]).where("user_id", "=", accountId).execute(),
  ]);
  const orgIds = new Set<string>();
  const fingerprints = new Set<string>();
  for (const row of claimed) (row.kind === "org_id" ? orgIds : fingerprints).add(row.value);
  for (const row of evidence) {
    if (row.org_id) orgIds.add(row.org_id);
    if (row.fingerprint) fingerprints.add(row.fingerprint);
  }
  return { orgIds, fingerprints };
}

async function refusalFor(db: DbExecutor, referrerId: string, inviteeId: string, policy: GrantPolicy): Promise<ReferralRefusal | null> {
  if (referrerId === inviteeId) return "self";
  if (policy.referralBonusTokens <= 0) return "off";
  const [referrer, invitee] = await Promise.all([identitiesOf(db, referrerId), identitiesOf(db, inviteeId)]);
  if ([...invitee.orgIds].some((value) => referrer.orgIds.has(value))) return "shared_org";
  if ([...invitee.fingerprints].some((value) => referrer.fingerprints.has(value))) return "shared_fingerprint";
  return null;
}

export type ReferralSettlement = { outcome: "none" } | { outcome: "granted"; tokens: number } | { outcome: "refused"; refusal: ReferralRefusal };

/**
 * Called inside the transaction that grants `inviteeId`'s claim. Decides the invitee's referral
 * once: a conditional update moves it out of `pending`, so a second call finds nothing to do.
 */
export async function settleReferral(
  trx: DbExecutor,
  input: { inviteeId: string; claimId: string; policy: GrantPolicy; actorId: string | null; now: Date },
): Promise<ReferralSettlement> {
  const referral = await trx.selectFrom("referrals").selectAll().where("invitee_id", "=", input.inviteeId).where("status", "=", "pending").executeTakeFirst();
  if (!referral) return { outcome: "none" };
  const iso = input.now.toISOString();
  const refusal = await refusalFor(trx, referral.referrer_id, input.inviteeId, input.policy);
  const tokens = input.policy.referralBonusTokens;
  const moved = await trx
    .updateTable("referrals")
    .set({ status: refusal ? "refused" : "granted", refusal, bonus_tokens: refusal ? null : tokens, claim_id: input.claimId, decided_at: iso })
    .where("invitee_id", "=", input.inviteeId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return { outcome: "none" };
  const details = { referrerId: referral.referrer_id, inviteeId: input.inviteeId, claimId: input.claimId };
  if (refusal) {
    await recordAudit(trx, { actorId: input.actorId, action: "referral.no_bonus", targetType: "user", targetId: input.inviteeId, details: { ...details, refusal } }, input.now);
    return { outcome: "refused", refusal };
  }
  const expiresAt = promoExpiresAt(input.policy, input.now);
  for (const [side, accountId] of [["invitee", input.inviteeId], ["referrer", referral.referrer_id]] as const) {
    await creditAccount(trx, {
      accountId,
      kind: "grant",
      bucket: "promo",
      tokens,
      idempotencyKey: `referral:${referral.id}:${side}`,
      referenceType: REFERRAL_LEDGER_REFERENCE,
      referenceId: referral.id,
      expiresAt,
      note: null,
      actorId: input.actorId,
      now: input.now,
    });
  }
  await recordAudit(trx, { actorId: input.actorId, action: "referral.bonus", targetType: "user", targetId: input.inviteeId, details: { ...details, tokens } }, input.now);
  return { outcome: "granted", tokens };
}

export interface ReferralSummary {
  code: string;
  invited: number;
  rewarded: number;
  bonusTokens: number;
}

/** What the credit page shows about the account's invitations. */
export async function getReferralSummary(db: DbExecutor, accountId: string, policy: GrantPolicy, now: Date = new Date()): Promise<ReferralSummary> {
  const code = await referralCodeFor(db, accountId, now);
  const rows = await db.selectFrom("referrals").select("status").where("referrer_id", "=", accountId).execute();
  return { code, invited: rows.length, rewarded: rows.filter((row) => row.status === "granted").length, bonusTokens: policy.referralBonusTokens };
}
