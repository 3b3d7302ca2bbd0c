// Organizations (issue #17, points 4–5) over the real database: creation, invitations (hashed,
// expiring, single use, in the invitee's language), roles and permissions, organization keys that
// spend the organization's credit within per-member budgets, member removal, one claim per OpenAI
// org across people and organizations, the ledger row that can never sign in or get mail, and
// what support and staff see. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { carryOutAccountDeletion, requestAccountDeletion } from "~/domain/account-deletion.server";
import { authenticate } from "~/domain/accounts.server";
import { decideClaim, submitClaim } from "~/domain/claims.server";
import { saveEvidence } from "~/domain/evidence/index.server";
import type { DayUsage, EvidenceOutcome } from "~/domain/evidence/types";
import { authorizeApiKey, recordUsage } from "~/domain/gateway.server";
import { creditAccount, getBalance, verifyLedger } from "~/domain/ledger.server";
import {
  acceptInvitation,
  changeMemberRole,
  createOrganization,
  createOrganizationKey,
  getMembership,
  getOrganizationOverview,
  inviteMember,
  ledgerOwnerType,
  removeMember,
  setMemberBudget,
} from "~/domain/organizations.server";
import { getProgramNumbers } from "~/domain/program-stats.server";
import { searchAccounts } from "~/domain/support-search.server";
import { changeRole, listUsers } from "~/domain/user-roles.server";
import { setAccountDisabled } from "~/domain/support-actions.server";
import { startSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { sendMail } from "~/lib/mail.server";
import { providerProfiles } from "~/providers";
import { loader as accountLoader } from "~/routes/account._index";
import { action as forgotAction } from "~/routes/forgot-password";
import { action as loginAction } from "~/routes/login";
import { action as orgAction, loader as orgLoader } from "~/routes/account.organization";
import { action as signupAction } from "~/routes/signup";
import { loader as supportAccountLoader } from "~/routes/support.accounts.$accountId";
import { loader as queueLoader } from "~/routes/staff.claims._index";
import OpenAI from "openai";
import { startUpstreamStandIn, standInUsage } from "../fixtures/upstream-stand-in";
import { call, cookieHeader, createUser, fullSessionCookie, latestMailTo, uniqueEmail } from "./helpers";
import { spendable, startProxy } from "./proxy-harness";

const glm = providerProfiles.glm;
const M = 1_000_000;

async function newOrganization(name = `Acme ${randomBytes(3).toString("hex")}`) {
  const owner = await createUser();
  const created = await createOrganization(getDb(), { userId: owner.id, name });
  if (!created.ok) throw new Error(created.reason);
  return { owner, organization: created.organization };
}

async function fund(accountId: string, tokens: number) {
  await creditAccount(getDb(), { accountId, kind: "purchase", bucket: "paid", tokens, idempotencyKey: `org-test:${accountId}:${randomBytes(4).toString("hex")}`, referenceType: "test", referenceId: accountId });
}

/** Invites and accepts: a member of the organization with `role`. */
async function addMember(organizationId: string, ownerId: string, role: "owner" | "admin" | "member" = "member", locale?: string) {
  const member = await createUser();
  if (locale) await getDb().updateTable("users").set({ locale }).where("id", "=", member.id).execute();
  const invited = await inviteMember(getDb(), { actorId: ownerId, organizationId, email: member.email, role });
  if (!invited.ok) throw new Error(invited.reason);
  const accepted = await acceptInvitation(getDb(), { userId: member.id, token: invited.token });
  if (!accepted.ok) throw new Error(accepted.reason);
  return member;
}

async function orgKey(organizationId: string, memberId: string) {
  const created = await createOrganizationKey(getDb(), { actorId: memberId, organizationId, name: "team key", prefix: glm.keyPrefix });
  if (!created.ok) throw new Error(created.reason);
  return created;
}

let requestNumber = 0;
function use(keyId: string, tokens: number, now = new Date()) {
  requestNumber += 1;
  return recordUsage(getDb(), glm, { requestId: `org-${requestNumber}-${randomBytes(4).toString("hex")}`, keyId, model: "glm-4", inputTokens: tokens, outputTokens: 0 }, now);
}

describe("creating an organization", () => {
  it("makes the creator its owner, with a ledger owner row of type organization, and audits it", async () => {
    const { owner, organization } = await newOrganization();
    expect(await getMembership(getDb(), owner.id)).toMatchObject({ role: "owner", organization: { id: organization.id } });
    expect(await ledgerOwnerType(getDb(), organization.ledgerAccountId)).toBe("organization");
    expect(await ledgerOwnerType(getDb(), owner.id)).toBe("account");
    const row = await getDb().selectFrom("users").selectAll().where("id", "=", organization.ledgerAccountId).executeTakeFirstOrThrow();
    expect(row.role).toBe("organization");
    expect(row.email).toMatch(/@organizations\.invalid$/);
    const audit = await getDb().selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "=", organization.id).execute();
    expect(audit).toContainEqual({ action: "organization.create", actor_id: owner.id });
  });

  it("through the page: a bad name changes nothing, a good one creates it; a second one is refused", async () => {
    const user = await createUser();
    const cookie = await fullSessionCookie(user.id);
    const bad = await call(orgAction, "/account/organization", { cookie, form: { intent: "create", name: " " } });
    expect(bad.status).toBe(400);
    expect(await getMembership(getDb(), user.id)).toBeNull();
    const good = await call(orgAction, "/account/organization", { cookie, form: { intent: "create", name: "Blue Team" } });
    expect(good.status).toBe(200);
    expect((await getMembership(getDb(), user.id))?.organization.name).toBe("Blue Team");
    const again = await call(orgAction, "/account/organization", { cookie, form: { intent: "create", name: "Red Team" } });
    expect(again.status).toBe(409);
  });
});

describe("the organization's ledger row is never a person", () => {
  it("cannot sign in with a password, reset one, sign up over it, or hold a session, and gets no mail", async () => {
    const { organization } = await newOrganization();
    const row = await getDb().selectFrom("users").select(["email", "password_hash"]).where("id", "=", organization.ledgerAccountId).executeTakeFirstOrThrow();
    // Password: the address is unknown to sign-in, whatever the password.
    const login = await call(loginAction, "/login", { form: { email: row.email, password: row.password_hash, redirectTo: "/account" } });
    expect(login.status).toBe(400);
    expect(login.setCookies.join(";")).not.toMatch(/ferry_session=[^;]+/);
    expect(await authenticate(getDb(), { email: row.email, password: row.password_hash }, { ip: "192.0.2.9", userAgent: null })).toMatchObject({ ok: false, reason: "invalid_credentials" });
    // Reset and sign-up: answered like anyone, but no code is issued and no mail is written.
    await call(forgotAction, "/forgot-password", { form: { email: row.email } });
    await call(signupAction, "/signup", { form: { email: row.email, password: "correct horse battery staple 42" } });
    const codes = await getDb().selectFrom("email_codes").select("id").where("user_id", "=", organization.ledgerAccountId).execute();
    expect(codes).toHaveLength(0);
    await sendMail(getDb(), { to: row.email, subject: "x", text: "y" });
    expect(await latestMailTo(row.email)).toBeUndefined();
    // A session row for it (which no path creates) is refused all the same: passkeys and codes need one.
    const cookie = cookieHeader([await startSession(organization.ledgerAccountId, { ip: "192.0.2.9", userAgent: null }, "passed")]);
    const page = await call(accountLoader, "/account", { cookie });
    expect(page.status).toBe(302);
    expect(page.location).toMatch(/^\/login/);
  });

  it("is left out of the admin user list, role changes, disabling and the program's sign-up numbers", async () => {
    const admin = await createUser({ role: "admin" });
    const before = await getProgramNumbers(getDb());
    const { organization } = await newOrganization();
    const after = await getProgramNumbers(getDb());
    expect(after.totals.accounts - before.totals.accounts).toBe(1); // the owner, not the organization
    const listed = await listUsers(getDb(), { q: "org_", role: undefined, page: 1 } as never);
    expect(listed.rows.some((row) => row.id === organization.ledgerAccountId)).toBe(false);
    expect(await changeRole(getDb(), { actorId: admin.id, userId: organization.ledgerAccountId, role: "admin" })).toEqual({ ok: false, reason: "not_found" });
    expect(await setAccountDisabled(getDb(), { id: admin.id, role: "admin" }, organization.ledgerAccountId, true, "test")).toEqual({ ok: false, reason: "not_found" });
  });
});

describe("invitations", () => {
  it("mails a link in the invitee's language; stores only a hash; works once, for that address only", async () => {
    const { owner, organization } = await newOrganization("Zhong Team");
    const invitee = await createUser();
    await getDb().updateTable("users").set({ locale: "zh" }).where("id", "=", invitee.id).execute();
    const invited = await inviteMember(getDb(), { actorId: owner.id, organizationId: organization.id, email: invitee.email.toUpperCase(), role: "admin" });
    expect(invited.ok).toBe(true);
    if (!invited.ok) return;
    const mail = await latestMailTo(invitee.email);
    expect(mail?.subject).toContain("Zhong Team");
    expect(mail?.subject).toMatch(/受邀/);
    expect(mail?.text_body).toContain(`/account/organization?invitation=${invited.token}`);
    const stored = await getDb().selectFrom("organization_invitations").selectAll().where("id", "=", invited.invitationId).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(invited.token);
    expect(JSON.stringify(stored)).not.toContain(invited.token);

    const stranger = await createUser();
    expect(await acceptInvitation(getDb(), { userId: stranger.id, token: invited.token })).toEqual({ ok: false, reason: "wrong_account" });
    expect(await acceptInvitation(getDb(), { userId: invitee.id, token: invited.token })).toMatchObject({ ok: true });
    expect((await getMembership(getDb(), invitee.id))?.role).toBe("admin");
    expect(await acceptInvitation(getDb(), { userId: invitee.id, token: invited.token })).toEqual({ ok: false, reason: "invitation_invalid" });
    const audit = await getDb().selectFrom("audit_log").select("action").where("target_id", "=", organization.id).execute();
    expect(audit.map((row) => row.action)).toEqual(expect.arrayContaining(["organization.invite", "organization.accept"]));
  });

  it("expires", async () => {
    const { owner, organization } = await newOrganization();
    const invitee = await createUser();
    const past = new Date(Date.now() - 8 * 24 * 3_600_000);
    const invited = await inviteMember(getDb(), { actorId: owner.id, organizationId: organization.id, email: invitee.email, role: "member", now: past });
    if (!invited.ok) throw new Error(invited.reason);
    expect(await acceptInvitation(getDb(), { userId: invitee.id, token: invited.token })).toEqual({ ok: false, reason: "invitation_invalid" });
    expect(await getMembership(getDb(), invitee.id)).toBeNull();
  });

  it("accepted through the page, signed in with the invited address", async () => {
    const { owner, organization } = await newOrganization();
    const invitee = await createUser();
    const invited = await inviteMember(getDb(), { actorId: owner.id, organizationId: organization.id, email: invitee.email, role: "member" });
    if (!invited.ok) throw new Error(invited.reason);
    const cookie = await fullSessionCookie(invitee.id);
    const view = await call(orgLoader, `/account/organization?invitation=${invited.token}`, { cookie });
    expect(view.data.invitation).toMatchObject({ live: true, forMe: true, organizationName: organization.name });
    const accepted = await call(orgAction, "/account/organization", { cookie, form: { intent: "accept", token: invited.token } });
    expect(accepted.status).toBe(200);
    expect((await getMembership(getDb(), invitee.id))?.organization.id).toBe(organization.id);
  });
});

describe("permissions", () => {
  it("a member cannot invite, change roles, set budgets or remove; an admin cannot touch an owner", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id, "member");
    const admin = await addMember(organization.id, owner.id, "admin");
    const other = await addMember(organization.id, owner.id, "member");
    const db = getDb();
    expect(await inviteMember(db, { actorId: member.id, organizationId: organization.id, email: uniqueEmail(), role: "member" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await removeMember(db, { actorId: member.id, organizationId: organization.id, userId: other.id })).toEqual({ ok: false, reason: "forbidden" });
    expect(await changeMemberRole(db, { actorId: member.id, organizationId: organization.id, userId: other.id, role: "admin" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await setMemberBudget(db, { actorId: member.id, organizationId: organization.id, userId: other.id, monthlyTokenBudget: 5 })).toEqual({ ok: false, reason: "forbidden" });
    // Admins manage members but never owners, and cannot make anyone an owner.
    expect(await removeMember(db, { actorId: admin.id, organizationId: organization.id, userId: owner.id })).toEqual({ ok: false, reason: "forbidden" });
    expect(await changeMemberRole(db, { actorId: admin.id, organizationId: organization.id, userId: other.id, role: "owner" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await inviteMember(db, { actorId: admin.id, organizationId: organization.id, email: uniqueEmail(), role: "owner" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await changeMemberRole(db, { actorId: admin.id, organizationId: organization.id, userId: other.id, role: "admin" })).toEqual({ ok: true });
    // The last owner stays; an owner may transfer ownership, then step down.
    expect(await changeMemberRole(db, { actorId: owner.id, organizationId: organization.id, userId: owner.id, role: "member" })).toEqual({ ok: false, reason: "last_owner" });
    expect(await changeMemberRole(db, { actorId: owner.id, organizationId: organization.id, userId: admin.id, role: "owner" })).toEqual({ ok: true });
    expect(await changeMemberRole(db, { actorId: owner.id, organizationId: organization.id, userId: owner.id, role: "member" })).toEqual({ ok: true });
    const actions = (await db.selectFrom("audit_log").select("action").where("target_id", "=", organization.id).execute()).map((row) => row.action);
    expect(actions.filter((action) => action === "organization.role_change")).toHaveLength(3);
  });

  it("through the page: a member's invite is 403 and changes nothing; a non-member gets 404 and sees no organization", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id, "member");
    const target = uniqueEmail();
    const refused = await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(member.id), form: { intent: "invite", email: target, role: "member" } });
    expect(refused.status).toBe(403);
    expect(await latestMailTo(target)).toBeUndefined();
    const removal = await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(member.id), form: { intent: "remove", userId: owner.id } });
    expect(removal.status).toBe(403);
    expect((await getMembership(getDb(), owner.id))?.role).toBe("owner");

    const outsider = await createUser();
    const outsiderCookie = await fullSessionCookie(outsider.id);
    const page = await call(orgLoader, "/account/organization", { cookie: outsiderCookie });
    expect(page.data.organization).toBeNull();
    const forms: Record<string, string>[] = [
      { intent: "invite", email: uniqueEmail(), role: "member" },
      { intent: "remove", userId: member.id },
      { intent: "budget", userId: member.id, budget: "10" },
      { intent: "create_key", name: "sneaky", formToken: randomBytes(12).toString("hex") },
    ];
    for (const form of forms) {
      const outcome = await call(orgAction, "/account/organization", { cookie: outsiderCookie, form });
      expect(outcome.status).toBe(404);
    }
    expect((await getMembership(getDb(), member.id))?.role).toBe("member");
  });
});

describe("organization keys", () => {
  it("spend the organization's credit, not the member's, and usage shows by member", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    await fund(organization.ledgerAccountId, 1_000 * M);
    await fund(member.id, 50 * M);
    const key = await orgKey(organization.id, member.id);
    const authorized = await authorizeApiKey(getDb(), glm, { apiKey: key.key });
    expect(authorized).toMatchObject({ ok: true, account_id: organization.ledgerAccountId, remaining_tokens: 1_000 * M });
    expect(await use(key.keyId, 3 * M)).toMatchObject({ ok: true, account_id: organization.ledgerAccountId, debited_tokens: 3 * M });
    expect((await getBalance(getDb(), organization.ledgerAccountId)).total).toBe(997 * M);
    expect((await getBalance(getDb(), member.id)).total).toBe(50 * M);
    const overview = await getOrganizationOverview(getDb(), organization);
    expect(overview.members.find((row) => row.userId === member.id)?.monthTokens).toBe(3 * M);
    expect(overview.members.find((row) => row.userId === owner.id)?.monthTokens).toBe(0);
    expect(overview.keys[0]).toMatchObject({ createdBy: member.id, createdByEmail: member.email });
    // The notice goes to the member who created it; audit names the member.
    expect((await latestMailTo(member.email))?.text_body).toContain("/account/organization");
    const audit = await getDb().selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "in", [organization.id, key.keyId]).execute();
    expect(audit).toEqual(expect.arrayContaining([{ action: "api_key.create", actor_id: member.id }, { action: "organization.key_create", actor_id: member.id }]));
    expect((await verifyLedger(getDb())).ok).toBe(true);
  });

  it("a per-member budget refuses that member's keys once spent, not the other members'", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    await fund(organization.ledgerAccountId, 100 * M);
    const first = await orgKey(organization.id, member.id);
    const second = await orgKey(organization.id, member.id);
    const ownerKey = await orgKey(organization.id, owner.id);
    expect(await setMemberBudget(getDb(), { actorId: owner.id, organizationId: organization.id, userId: member.id, monthlyTokenBudget: 1_000 })).toEqual({ ok: true });
    await use(first.keyId, 600);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: second.key })).toMatchObject({ ok: true });
    await use(second.keyId, 400);
    // 1,000 of 1,000 spent across the member's two keys: both refused.
    for (const key of [first, second]) {
      expect(await authorizeApiKey(getDb(), glm, { apiKey: key.key })).toMatchObject({ ok: false, code: "budget_exhausted", context: { budget: "member_monthly", budget_tokens: 1_000, used_tokens: 1_000 } });
    }
    expect(await authorizeApiKey(getDb(), glm, { apiKey: ownerKey.key })).toMatchObject({ ok: true });
    // Next month the budget starts again.
    const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 2));
    expect(await authorizeApiKey(getDb(), glm, { apiKey: first.key }, nextMonth)).toMatchObject({ ok: true });
    // Raising the budget through the page lets the key through again; a bad budget changes nothing.
    const cookie = await fullSessionCookie(owner.id);
    expect((await call(orgAction, "/account/organization", { cookie, form: { intent: "budget", userId: member.id, budget: "12abc" } })).status).toBe(400);
    expect((await call(orgAction, "/account/organization", { cookie, form: { intent: "budget", userId: member.id, budget: "5000" } })).status).toBe(200);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: first.key })).toMatchObject({ ok: true });
    const audit = await getDb().selectFrom("audit_log").select("action").where("target_id", "=", organization.id).where("action", "=", "organization.budget_change").execute();
    expect(audit).toHaveLength(2);
  });

  it("removing a member revokes their keys at once; authorize refuses; the organization's balance is untouched", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    const stays = await addMember(organization.id, owner.id);
    await fund(organization.ledgerAccountId, 10 * M);
    const leaving = await orgKey(organization.id, member.id);
    const staying = await orgKey(organization.id, stays.id);
    await use(leaving.keyId, 1_000);
    const before = await getBalance(getDb(), organization.ledgerAccountId);
    const removed = await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(owner.id), form: { intent: "remove", userId: member.id } });
    expect(removed.status).toBe(200);
    expect(await getMembership(getDb(), member.id)).toBeNull();
    expect(await authorizeApiKey(getDb(), glm, { apiKey: leaving.key })).toMatchObject({ ok: false, code: "key_revoked" });
    expect(await authorizeApiKey(getDb(), glm, { apiKey: staying.key })).toMatchObject({ ok: true });
    const after = await getBalance(getDb(), organization.ledgerAccountId);
    expect(after.total).toBe(before.total);
    expect(after.total).toBe(10 * M - 1_000);
    const audit = (await getDb().selectFrom("audit_log").select("action").where("target_id", "in", [organization.id, leaving.keyId]).execute()).map((row) => row.action);
    expect(audit).toEqual(expect.arrayContaining(["organization.member_remove", "api_key.revoke"]));
  });

  it("a member revokes only their own organization key; an admin revokes any", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    const other = await addMember(organization.id, owner.id);
    const admin = await addMember(organization.id, owner.id, "admin");
    await fund(organization.ledgerAccountId, M);
    const mine = await orgKey(organization.id, member.id);
    const theirs = await orgKey(organization.id, other.id);
    const memberCookie = await fullSessionCookie(member.id);
    expect((await call(orgAction, "/account/organization", { cookie: memberCookie, form: { intent: "revoke_key", keyId: theirs.keyId } })).status).toBe(403);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: theirs.key })).toMatchObject({ ok: true });
    expect((await call(orgAction, "/account/organization", { cookie: memberCookie, form: { intent: "revoke_key", keyId: mine.keyId } })).status).toBe(200);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: mine.key })).toMatchObject({ ok: false, code: "key_revoked" });
    expect((await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(admin.id), form: { intent: "revoke_key", keyId: theirs.keyId } })).status).toBe(200);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: theirs.key })).toMatchObject({ ok: false, code: "key_revoked" });
  });

  it("only an owner deletes the organization: every key stops, members leave, the ledger stays", async () => {
    const { owner, organization } = await newOrganization();
    const admin = await addMember(organization.id, owner.id, "admin");
    await fund(organization.ledgerAccountId, 3 * M);
    const key = await orgKey(organization.id, admin.id);
    const adminTry = await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(admin.id), form: { intent: "delete", confirmName: organization.name } });
    expect(adminTry.status).toBe(403);
    const ownerCookie = await fullSessionCookie(owner.id);
    const wrongName = await call(orgAction, "/account/organization", { cookie: ownerCookie, form: { intent: "delete", confirmName: "something else" } });
    expect(wrongName.status).toBe(400);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key.key })).toMatchObject({ ok: true });
    const deleted = await call(orgAction, "/account/organization", { cookie: ownerCookie, form: { intent: "delete", confirmName: organization.name } });
    expect(deleted.status).toBe(200);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key.key })).toMatchObject({ ok: false, code: "key_revoked" });
    expect(await getMembership(getDb(), owner.id)).toBeNull();
    expect(await getMembership(getDb(), admin.id)).toBeNull();
    expect((await getBalance(getDb(), organization.ledgerAccountId)).total).toBe(3 * M);
    const audit = await getDb().selectFrom("audit_log").select("action").where("target_id", "=", organization.id).where("action", "=", "organization.delete").execute();
    expect(audit).toHaveLength(1);
  });

  it("deleting a member's account revokes their organization keys and takes them out of it", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    await fund(organization.ledgerAccountId, M);
    const key = await orgKey(organization.id, member.id);
    expect((await requestAccountDeletion(getDb(), { id: member.id, ip: null }, member.password)).ok).toBe(true);
    const staff = await createUser({ role: "staff" });
    expect(await carryOutAccountDeletion(getDb(), { id: staff.id, role: "staff" }, member.id, "asked to be forgotten")).toMatchObject({ ok: true });
    expect(await getMembership(getDb(), member.id)).toBeNull();
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key.key })).toMatchObject({ ok: false, code: "key_revoked" });
    expect((await getBalance(getDb(), organization.ledgerAccountId)).total).toBe(M);
  });

  it("a member may leave; their keys are revoked; the last owner may not", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    await fund(organization.ledgerAccountId, M);
    const key = await orgKey(organization.id, member.id);
    const left = await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(member.id), form: { intent: "remove", userId: member.id } });
    expect(left.status).toBe(200);
    expect(await getMembership(getDb(), member.id)).toBeNull();
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key.key })).toMatchObject({ ok: false, code: "key_revoked" });
    expect(await removeMember(getDb(), { actorId: owner.id, organizationId: organization.id, userId: owner.id })).toEqual({ ok: false, reason: "last_owner" });
  });

  it("a member who left cannot use a key even if it was somehow left unrevoked", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    await fund(organization.ledgerAccountId, 10 * M);
    const key = await orgKey(organization.id, member.id);
    await getDb().deleteFrom("organization_members").where("user_id", "=", member.id).execute();
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key.key })).toMatchObject({ ok: false, code: "key_revoked" });
  });
});

describe("the metering proxy", () => {
  it("debits an organization key's request from the organization and refuses it once the member's budget is spent", async () => {
    const upstream = await startUpstreamStandIn();
    const proxy = await startProxy(upstream.baseUrl);
    try {
      const { owner, organization } = await newOrganization();
      const member = await addMember(organization.id, owner.id);
      await fund(organization.ledgerAccountId, 10_000);
      await fund(member.id, 500);
      const key = await orgKey(organization.id, member.id);
      const usage = standInUsage(1);
      expect(await setMemberBudget(getDb(), { actorId: owner.id, organizationId: organization.id, userId: member.id, monthlyTokenBudget: usage.total_tokens })).toEqual({ ok: true });
      const client = new OpenAI({ baseURL: proxy.baseURL, apiKey: key.key, maxRetries: 0 });
      await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello!" }] });
      await proxy.handler.settled();
      expect(await spendable(organization.ledgerAccountId)).toBe(10_000 - usage.total_tokens);
      expect(await spendable(member.id)).toBe(500);
      const refused = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Again" }] }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
      expect(await spendable(organization.ledgerAccountId)).toBe(10_000 - usage.total_tokens);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });
});

/** Accepted evidence of `monthly` tokens in April–June 2024, naming `orgId`. */
async function seedUsage(ownerId: string, monthly: number, orgId: string) {
  const days: DayUsage[] = ["2024-04-15", "2024-05-15", "2024-06-15"].map((day) => ({ day, model: "gpt-4o", inputTokens: monthly / 2, outputTokens: monthly / 2, costMicros: 1_000_000, requests: 10 }));
  const outcome: EvidenceOutcome = {
    kind: "completions_csv",
    status: "accepted",
    reasons: [],
    flags: [],
    fileSha256: randomBytes(16).toString("hex"),
    fileBytes: 100,
    fingerprint: randomBytes(16).toString("hex"),
    orgId,
    periodStart: days[0]!.day,
    periodEnd: days[2]!.day,
    rowCount: 3,
    inputTokens: (monthly / 2) * 3,
    outputTokens: (monthly / 2) * 3,
    costMicros: 3_000_000,
    days,
    summary: { missingColumns: [], outsideWindowRows: 0, months: [], models: [] },
  };
  return saveEvidence(getDb(), { userId: ownerId, fileName: "usage.csv", outcome });
}

describe("the organization's claim", () => {
  let staff: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    staff = await createUser({ role: "staff" });
  });

  it("is granted to the organization's balance; the same OpenAI org cannot then be granted to a person", async () => {
    const { owner, organization } = await newOrganization();
    const orgId = `org-${randomBytes(8).toString("hex")}`;
    await seedUsage(organization.ledgerAccountId, 2 * M, orgId);
    const claimed = await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(owner.id), form: { intent: "claim" } });
    expect(claimed.status).toBe(200);
    const claim = await getDb().selectFrom("claims").selectAll().where("account_id", "=", organization.ledgerAccountId).executeTakeFirstOrThrow();
    if (claim.status === "pending") {
      expect(await decideClaim(getDb(), { claimId: claim.id, actor: { id: staff.id, role: staff.role }, expectedVersion: claim.version, decision: { type: "approve" } })).toMatchObject({ ok: true });
    }
    expect((await getBalance(getDb(), organization.ledgerAccountId)).total).toBeGreaterThan(0);
    expect((await getBalance(getDb(), owner.id)).total).toBe(0);
    // The decision is mailed to the organization's owners, never to its ledger row.
    expect((await latestMailTo(owner.email))?.text_body).toContain("/account/organization");

    const person = await createUser();
    await seedUsage(person.id, 2 * M, orgId);
    const second = await submitClaim(getDb(), person.id);
    expect(second).toEqual({ ok: false, reason: "org_already_granted" });
  });

  it("and the other way round: a person's grant blocks the organization's claim for that OpenAI org", async () => {
    const person = await createUser();
    const orgId = `org-${randomBytes(8).toString("hex")}`;
    await seedUsage(person.id, 2 * M, orgId);
    const first = await submitClaim(getDb(), person.id);
    expect(first.ok).toBe(true);
    if (first.ok && first.status === "pending") {
      await decideClaim(getDb(), { claimId: first.claimId, actor: { id: staff.id, role: staff.role }, expectedVersion: 1, decision: { type: "approve" } });
    }
    const { owner, organization } = await newOrganization();
    await seedUsage(organization.ledgerAccountId, 2 * M, orgId);
    const refused = await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(owner.id), form: { intent: "claim" } });
    expect(refused.status).toBe(409);
    expect(refused.data.formError).toBe("claims.ineligible.org_already_granted");
    expect((await getBalance(getDb(), organization.ledgerAccountId)).total).toBe(0);
  });

  it("a member cannot claim for the organization", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    await seedUsage(organization.ledgerAccountId, 2 * M, `org-${randomBytes(8).toString("hex")}`);
    const refused = await call(orgAction, "/account/organization", { cookie: await fullSessionCookie(member.id), form: { intent: "claim" } });
    expect(refused.status).toBe(403);
    expect(await getDb().selectFrom("claims").select("id").where("account_id", "=", organization.ledgerAccountId).execute()).toHaveLength(0);
  });
});

describe("support and staff see organizations", () => {
  it("search finds an organization by name and by a member's address, labelled as an organization", async () => {
    const name = `Quartz ${randomBytes(3).toString("hex")}`;
    const { owner, organization } = await newOrganization(name);
    const byName = await searchAccounts(getDb(), { q: name.toLowerCase(), page: 1 }, { keyPrefix: glm.keyPrefix });
    expect(byName.accounts).toContainEqual(expect.objectContaining({ accountId: organization.ledgerAccountId, role: "organization", email: name }));
    const byMember = await searchAccounts(getDb(), { q: owner.email, page: 1 }, { keyPrefix: glm.keyPrefix });
    expect(byMember.accounts.map((account) => account.accountId)).toEqual(expect.arrayContaining([owner.id, organization.ledgerAccountId]));
    // Its placeholder address is not an e-mail anyone can search for.
    const byPlaceholder = await searchAccounts(getDb(), { q: `${organization.id}@organizations.invalid`, page: 1 }, { keyPrefix: glm.keyPrefix });
    expect(byPlaceholder.accounts.some((account) => account.accountId === organization.ledgerAccountId && account.matches.some((match) => match.kind === "email"))).toBe(false);
  });

  it("the account story shows members, balance, keys and claim; a member's story links to it", async () => {
    const { owner, organization } = await newOrganization();
    const member = await addMember(organization.id, owner.id);
    await fund(organization.ledgerAccountId, 7 * M);
    await orgKey(organization.id, member.id);
    const support = await createUser({ role: "support" });
    const cookie = await fullSessionCookie(support.id);
    const story = await call(supportAccountLoader, `/support/accounts/${organization.ledgerAccountId}`, { cookie, params: { accountId: organization.ledgerAccountId } });
    expect(story.status).toBe(200);
    expect(story.data.story.profile.role).toBe("organization");
    expect(story.data.story.organization.organization.name).toBe(organization.name);
    expect(story.data.story.organization.members.map((row: { email: string }) => row.email).sort()).toEqual([owner.email, member.email].sort());
    expect(story.data.story.ledger.balance.total).toBe(7 * M);
    expect(story.data.story.keys).toHaveLength(1);
    expect(story.data.story.organization.keys[0].createdByEmail).toBe(member.email);
    expect(story.data.viewer.canDisable).toBe(false);
    const person = await call(supportAccountLoader, `/support/accounts/${member.id}`, { cookie, params: { accountId: member.id } });
    expect(person.data.story.memberOf).toMatchObject({ ledgerAccountId: organization.ledgerAccountId, name: organization.name, role: "member" });
  });

  it("the staff claim queue labels an organization's claim with its name", async () => {
    const { owner, organization } = await newOrganization(`Queue ${randomBytes(3).toString("hex")}`);
    // Large enough to wait for a human.
    await seedUsage(organization.ledgerAccountId, 900 * M, `org-${randomBytes(8).toString("hex")}`);
    const claimed = await submitClaim(getDb(), organization.ledgerAccountId);
    expect(claimed.ok).toBe(true);
    if (!claimed.ok) return;
    void owner;
    const staff = await createUser({ role: "staff" });
    const queue = await call(queueLoader, "/staff/claims?status=all", { cookie: await fullSessionCookie(staff.id) });
    expect(queue.status).toBe(200);
    const row = JSON.stringify(queue.data);
    expect(row).toContain(organization.name);
  });
});

describe("log-in still works for people", () => {
  it("a member signs in normally", async () => {
    const { owner } = await newOrganization();
    const login = await call(loginAction, "/login", { form: { email: owner.email, password: owner.password, redirectTo: "/account" } });
    expect(login.status).toBe(302);
  });
});
