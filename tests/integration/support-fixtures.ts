// Rows other issues' flows create, inserted directly so support and access tests can find them.
import { randomBytes } from "node:crypto";
import { computeOffer } from "~/domain/grant-policy";
import { getGrantPolicy } from "~/domain/grant-policy.server";
import type { ClaimStatus } from "~/lib/db-schema";
import { getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";

export function randomOrgId(): string {
  return `org-${randomBytes(12).toString("hex")}`;
}

export async function createEvidenceFor(userId: string, options: { orgId?: string } = {}): Promise<{ id: string; orgId: string }> {
  const id = newId("evd");
  const orgId = options.orgId ?? randomOrgId();
  await getDb()
    .insertInto("evidence")
    .values({
      id,
      user_id: userId,
      kind: "completions_csv",
      status: "accepted",
      file_name: "usage.csv",
      file_sha256: randomBytes(32).toString("hex"),
      file_bytes: 100,
      fingerprint: randomBytes(32).toString("hex"),
      org_id: orgId,
      period_start: "2024-03-01",
      period_end: "2024-05-31",
      row_count: 3,
      input_tokens: 1000,
      output_tokens: 500,
      cost_micros: 1200,
      reasons: "[]",
      flags: JSON.stringify([{ code: "totals_mismatch", count: 1, lines: [4] }]),
      summary: JSON.stringify({ missingColumns: [], outsideWindowRows: 0, months: [], models: [] }),
      created_at: new Date().toISOString(),
    })
    .execute();
  return { id, orgId };
}

export async function createKeyRowFor(userId: string, visiblePrefix = "glmsk_Vict", lastFour = "m4x9"): Promise<string> {
  const id = newId("key");
  await getDb()
    .insertInto("api_keys")
    .values({
      id,
      user_id: userId,
      name: "fixture key",
      key_hash: randomBytes(32).toString("hex"),
      visible_prefix: visiblePrefix,
      last_four: lastFour,
      creation_token_hash: null,
      created_at: new Date().toISOString(),
      last_used_at: null,
      expires_at: null,
      revoked_at: null,
      rolled_at: null,
      rolled_to_id: null,
    })
    .execute();
  return id;
}

export async function createClaimFor(accountId: string, status: ClaimStatus = "pending", submittedAt = new Date()): Promise<string> {
  const id = newId("clm");
  const policy = await getGrantPolicy(getDb());
  const iso = submittedAt.toISOString();
  await getDb()
    .insertInto("claims")
    .values({
      id,
      account_id: accountId,
      status,
      offered_tokens: 5_000_000,
      granted_tokens: status === "approved" || status === "auto_approved" ? 5_000_000 : null,
      computation: JSON.stringify(computeOffer(policy, [{ month: "2024-05", totalTokens: 5_000_000 }])),
      policy: JSON.stringify(policy),
      evidence_ids: "[]",
      flags: "[]",
      flag_count: 0,
      version: 1,
      first_approved_by: null,
      first_approved_tokens: null,
      first_approved_at: null,
      decided_by: null,
      decided_at: null,
      decision_reason: null,
      info_request: null,
      ledger_entry_id: null,
      submitted_at: iso,
      created_at: iso,
      updated_at: iso,
    })
    .execute();
  return id;
}

export async function createPurchaseFor(accountId: string): Promise<{ id: string; sessionId: string; paymentIntentId: string }> {
  const id = newId("pur");
  const sessionId = `cs_test_${randomBytes(12).toString("hex")}`;
  const paymentIntentId = `pi_${randomBytes(12).toString("hex")}`;
  const iso = new Date().toISOString();
  await getDb()
    .insertInto("purchases")
    .values({
      id,
      account_id: accountId,
      pack_id: "glm-10m-cny",
      tokens: 10_000_000,
      amount: 5_000,
      currency: "cny",
      state: "paid",
      idempotency_key: `ferry-checkout-${id}`,
      checkout_session_id: sessionId,
      payment_intent_id: paymentIntentId,
      ledger_entry_id: null,
      refunded_amount: 0,
      refunded_tokens: 0,
      paid_at: iso,
      refunded_at: null,
      created_at: iso,
      updated_at: iso,
    })
    .execute();
  return { id, sessionId, paymentIntentId };
}
