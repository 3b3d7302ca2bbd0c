// The account page: every view and every action is audited with who, whom and why; support can
// do the safe things, only staff and admins can disable an account or adjust credit.
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { getBalance } from "~/domain/ledger.server";
import { startSession } from "~/lib/auth.server";
import type { Role } from "~/lib/db-schema";
import { getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { currentProvider } from "~/lib/provider.server";
import { action as accountAction, loader as accountLoader } from "~/routes/support.accounts.$accountId";
import { call, cookieHeader, countMailTo, createUser } from "./helpers";
import { createClaimFor, createEvidenceFor, createPurchaseFor } from "./support-fixtures";

type Persona = { id: string; cookie: string };
const personas = {} as Record<Exclude<Role, "developer">, Persona>;

async function persona(role: Role): Promise<Persona> {
  const user = await createUser({ role });
  return { id: user.id, cookie: cookieHeader([await startSession(user.id, { ip: "198.51.100.7", userAgent: "test" }, "passed")]) };
}

beforeAll(async () => {
  for (const role of ["support", "staff", "admin"] as const) personas[role] = await persona(role);
});

function act(who: Persona, accountId: string, form: Record<string, string>) {
  return call(accountAction, `/support/accounts/${accountId}`, { cookie: who.cookie, params: { accountId }, form });
}

async function auditFor(accountId: string, action: string) {
  return getDb().selectFrom("audit_log").selectAll().where("target_id", "=", accountId).where("action", "=", action).orderBy("created_at", "desc").execute();
}

describe("viewing an account", () => {
  it("shows the whole story and audits the look-up", async () => {
    const developer = await createUser();
    await createEvidenceFor(developer.id);
    await createClaimFor(developer.id);
    await createPurchaseFor(developer.id);
    await createApiKey(getDb(), { accountId: developer.id, name: "laptop", prefix: currentProvider().keyPrefix });
    const outcome = await call(accountLoader, `/support/accounts/${developer.id}`, { cookie: personas.support.cookie, params: { accountId: developer.id } });
    expect(outcome.status).toBe(200);
    const story = outcome.data.story;
    expect(story.profile).toMatchObject({ id: developer.id, email: developer.email, role: "developer" });
    expect(story.evidence).toHaveLength(1);
    expect(story.claims).toHaveLength(1);
    expect(story.purchases).toHaveLength(1);
    expect(story.keys).toHaveLength(1);
    expect(story.keys[0]).not.toHaveProperty("keyHash");
    expect(JSON.stringify(story)).not.toMatch(/key_hash|password_hash/);
    const views = await auditFor(developer.id, "support.account_view");
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ actor_id: personas.support.id, target_type: "user", ip: expect.any(String) });
  });

  it("answers 404 for an unknown account, auditing nothing", async () => {
    const outcome = await call(accountLoader, "/support/accounts/usr_nobody", { cookie: personas.support.cookie, params: { accountId: "usr_nobody" } });
    expect(outcome.status).toBe(404);
    expect(await auditFor("usr_nobody", "support.account_view")).toHaveLength(0);
  });
});

describe("safe actions (support and up)", () => {
  it("resends the verification e-mail with a reason, audited", async () => {
    const developer = await createUser({ verified: false });
    const mailsBefore = await countMailTo(developer.email);
    const outcome = await act(personas.support, developer.id, { intent: "resend_verification", reason: "Customer cannot find the first e-mail" });
    expect(outcome.status).toBe(200);
    expect(await countMailTo(developer.email)).toBe(mailsBefore + 1);
    const [entry] = await auditFor(developer.id, "support.resend_verification");
    expect(entry).toMatchObject({ actor_id: personas.support.id });
    expect(JSON.parse(entry!.details)).toEqual({ reason: "Customer cannot find the first e-mail" });
  });

  it("refuses to resend for a verified address", async () => {
    const developer = await createUser();
    const outcome = await act(personas.support, developer.id, { intent: "resend_verification", reason: "asked on chat" });
    expect(outcome.status).toBe(409);
    expect(outcome.data.formError).toBe("support.errors.already_verified");
    expect(await auditFor(developer.id, "support.resend_verification")).toHaveLength(0);
  });

  it("sends a password-reset e-mail with a reason, audited", async () => {
    const developer = await createUser();
    const outcome = await act(personas.support, developer.id, { intent: "send_password_reset", reason: "Locked out after travel" });
    expect(outcome.status).toBe(200);
    expect(await countMailTo(developer.email)).toBe(1);
    expect(await auditFor(developer.id, "support.send_password_reset")).toHaveLength(1);
  });

  it("revokes a key on the owner's behalf; the key's audit entry names the agent and the reason", async () => {
    const developer = await createUser();
    const created = await createApiKey(getDb(), { accountId: developer.id, name: "leaked", prefix: currentProvider().keyPrefix });
    if (!created.ok) throw new Error("no key");
    const outcome = await act(personas.support, developer.id, { intent: "revoke_key", keyId: created.apiKey.id, reason: "Key posted in a public repository" });
    expect(outcome.status).toBe(200);
    const key = await getDb().selectFrom("api_keys").select("revoked_at").where("id", "=", created.apiKey.id).executeTakeFirstOrThrow();
    expect(key.revoked_at).not.toBeNull();
    const entry = await getDb().selectFrom("audit_log").selectAll().where("target_id", "=", created.apiKey.id).where("action", "=", "api_key.revoke").executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(personas.support.id);
    expect(JSON.parse(entry.details)).toEqual({ accountId: developer.id, reason: "Key posted in a public repository" });
    const again = await act(personas.support, developer.id, { intent: "revoke_key", keyId: created.apiKey.id, reason: "Key posted in a public repository" });
    expect(again.status).toBe(409);
    const page = await call(accountLoader, `/support/accounts/${developer.id}`, { cookie: personas.support.cookie, params: { accountId: developer.id } });
    const trail = page.data.story.auditTrail.map((row: { action: string }) => row.action);
    expect(trail).toEqual(expect.arrayContaining(["api_key.revoke", "api_key.create"]));
  });

  it("cannot revoke another account's key through this account's page", async () => {
    const owner = await createUser();
    const bystander = await createUser();
    const created = await createApiKey(getDb(), { accountId: owner.id, name: "prod", prefix: currentProvider().keyPrefix });
    if (!created.ok) throw new Error("no key");
    const outcome = await act(personas.support, bystander.id, { intent: "revoke_key", keyId: created.apiKey.id, reason: "wrong page on purpose" });
    expect(outcome.status).toBe(404);
    const key = await getDb().selectFrom("api_keys").select("revoked_at").where("id", "=", created.apiKey.id).executeTakeFirstOrThrow();
    expect(key.revoked_at).toBeNull();
  });

  it("requires a reason: without one nothing happens and nothing is mailed", async () => {
    const developer = await createUser();
    for (const reason of ["", "   ", "ok"]) {
      const outcome = await act(personas.support, developer.id, { intent: "send_password_reset", reason });
      expect(outcome.status).toBe(400);
      expect(outcome.data.fieldErrors.reason).toBe("support.errors.reasonRequired");
    }
    expect(await countMailTo(developer.email)).toBe(0);
    expect(await auditFor(developer.id, "support.send_password_reset")).toHaveLength(0);
  });
});

describe("staff-only actions", () => {
  it("support may not disable an account; adding credit is only a proposal for staff to approve", async () => {
    const developer = await createUser();
    const disable = await act(personas.support, developer.id, { intent: "disable_account", reason: "fraud suspected" });
    expect(disable.status).toBe(403);
    const adjust = await act(personas.support, developer.id, { intent: "adjust_credit", tokens: "1000", bucket: "paid", adjustmentId: newId("adj"), reason: "goodwill credit" });
    expect(adjust.data).toMatchObject({ ok: true, pending: true });
    const user = await getDb().selectFrom("users").select("disabled_at").where("id", "=", developer.id).executeTakeFirstOrThrow();
    expect(user.disabled_at).toBeNull();
    expect((await getBalance(getDb(), developer.id)).total).toBe(0);
  });

  it("staff disable an account (all sessions end) and enable it again, each audited", async () => {
    const developer = await createUser();
    await startSession(developer.id, { ip: null, userAgent: null }, "passed");
    const disable = await act(personas.staff, developer.id, { intent: "disable_account", reason: "chargeback fraud" });
    expect(disable.status).toBe(200);
    const sessions = await getDb().selectFrom("sessions").select("id").where("user_id", "=", developer.id).execute();
    expect(sessions).toHaveLength(0);
    expect(await auditFor(developer.id, "staff.account_disable")).toHaveLength(1);
    const enable = await act(personas.staff, developer.id, { intent: "enable_account", reason: "cleared by finance" });
    expect(enable.status).toBe(200);
    expect(await auditFor(developer.id, "staff.account_enable")).toHaveLength(1);
  });

  it("staff cannot disable an admin or themselves; an admin can disable staff", async () => {
    const admin = await createUser({ role: "admin" });
    expect((await act(personas.staff, admin.id, { intent: "disable_account", reason: "testing the rule" })).status).toBe(403);
    expect((await act(personas.staff, personas.staff.id, { intent: "disable_account", reason: "testing the rule" })).status).toBe(409);
    const staff = await createUser({ role: "staff" });
    expect((await act(personas.admin, staff.id, { intent: "disable_account", reason: "left the company" })).status).toBe(200);
  });

  it("staff adjust credit with a ledger entry that carries the reason, once per form", async () => {
    const developer = await createUser();
    const adjustmentId = newId("adj");
    const form = { intent: "adjust_credit", tokens: "250000", bucket: "paid", adjustmentId, reason: "Outage compensation, ticket 4411" };
    expect((await act(personas.staff, developer.id, form)).status).toBe(200);
    expect((await act(personas.staff, developer.id, form)).status).toBe(409); // the same form sent twice
    expect((await getBalance(getDb(), developer.id)).paid).toBe(250_000);
    const entries = await getDb().selectFrom("ledger_entries").selectAll().where("account_id", "=", developer.id).execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: "adjustment", amount: 250_000, note: "Outage compensation, ticket 4411", actor_id: personas.staff.id });
    const [entry] = await auditFor(developer.id, "staff.credit_adjust");
    expect(JSON.parse(entry!.details)).toMatchObject({ tokens: 250_000, bucket: "paid", reason: "Outage compensation, ticket 4411" });

    const takeBack = await act(personas.staff, developer.id, { ...form, tokens: "-50000", adjustmentId: newId("adj") });
    expect(takeBack.status).toBe(200);
    expect((await getBalance(getDb(), developer.id)).paid).toBe(200_000);
  });

  it("adds promotional credit only with a future expiry within the policy, and refuses nonsense amounts", async () => {
    const developer = await createUser();
    const base = { intent: "adjust_credit", bucket: "promo", reason: "Conference voucher" };
    const noExpiry = await act(personas.staff, developer.id, { ...base, tokens: "1000", adjustmentId: newId("adj") });
    expect(noExpiry.data.fieldErrors.expiresOn).toBe("support.errors.expiryRequired");
    for (const tokens of ["0", "1.5", "abc", "99999999999", "1e6"]) {
      const outcome = await act(personas.staff, developer.id, { ...base, tokens, expiresOn: "2099-01-01", adjustmentId: newId("adj") });
      expect(outcome.status, tokens).toBe(400);
      expect(outcome.data.fieldErrors.tokens).toBe("support.errors.tokensInvalid");
    }
    const expiresOn = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const ok = await act(personas.staff, developer.id, { ...base, tokens: "1000", expiresOn, adjustmentId: newId("adj") });
    expect(ok.status).toBe(200);
    const balance = await getBalance(getDb(), developer.id);
    expect(balance.promo).toBe(1000);
    expect(balance.promoGrants[0]!.expiresAt).toBe(`${expiresOn}T23:59:59.999Z`);
  });

  it("takes back nothing when there is nothing, writing nothing", async () => {
    const developer = await createUser();
    const outcome = await act(personas.staff, developer.id, { intent: "adjust_credit", tokens: "-10", bucket: "paid", adjustmentId: newId("adj"), reason: "correct a mistake" });
    expect(outcome.status).toBe(409);
    expect(outcome.data.formError).toBe("support.errors.nothing_to_take_back");
    expect(await getDb().selectFrom("ledger_debits").select("idempotency_key").where("account_id", "=", developer.id).execute()).toHaveLength(0);
    expect(await auditFor(developer.id, "staff.credit_adjust")).toHaveLength(0);
  });
});
