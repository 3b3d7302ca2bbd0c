// Issue #12, points 4–5: the Help page's tickets (lifecycle, mail language, audit), admin-edited
// FAQ/terms/privacy rendered safely, the data export (no secrets), and account deletion
// (asked with the password, carried out only by staff, pseudonymising while the ledger verifies).
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount, debitUsage, getBalance, verifyLedger } from "~/domain/ledger.server";
import { getDb } from "~/lib/db.server";
import { parseSafeMarkdown } from "~/lib/safe-markdown";
import { currentProvider } from "~/lib/provider.server";
import { loader as exportLoader } from "~/routes/account.data-export[.]json";
import { action as privacyAction } from "~/routes/account.privacy";
import { action as pagesAction } from "~/routes/admin.pages";
import { action as helpAction, loader as helpLoader } from "~/routes/help";
import { action as accountAction, loader as accountLoader } from "~/routes/support.accounts.$accountId";
import { action as ticketAction } from "~/routes/support.tickets.$ticketId";
import { loader as queueLoader } from "~/routes/support.tickets._index";
import { loader as termsLoader } from "~/routes/terms";
import { call, createUser, fullSessionCookie, latestMailTo, STRONG_PASSWORD } from "./helpers";
import { createClaimFor, createEvidenceFor } from "./support-fixtures";

type Persona = { id: string; email: string; cookie: string };
const ops = {} as Record<"support" | "staff" | "admin", Persona>;

beforeAll(async () => {
  for (const role of ["support", "staff", "admin"] as const) {
    const user = await createUser({ role });
    ops[role] = { id: user.id, email: user.email, cookie: await fullSessionCookie(user.id) };
  }
});

async function developer(locale = "en") {
  const user = await createUser();
  await getDb().updateTable("users").set({ locale }).where("id", "=", user.id).execute();
  return { ...user, cookie: await fullSessionCookie(user.id) };
}

async function audits(targetId: string) {
  return getDb().selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "=", targetId).orderBy("created_at").execute();
}

const ticketForm = { topic: "keys", subject: "Key stopped working", message: "My key answers 401 since this morning." };

describe("tickets", () => {
  it("opens a ticket tied to the signed-in account, and an agent assigns, replies in the user's language and closes it", async () => {
    const dev = await developer("zh");
    const opened = await call(helpAction, "/help", { cookie: dev.cookie, form: { ...ticketForm, email: "someone-else@example.com" } });
    expect(opened.status).toBe(200);
    const ticketId = opened.data.ticketId as string;
    const row = await getDb().selectFrom("support_tickets").selectAll().where("id", "=", ticketId).executeTakeFirstOrThrow();
    // The account's own address, not one typed into the form.
    expect(row).toMatchObject({ account_id: dev.id, email: dev.email, status: "open", locale: "zh" });
    expect((await latestMailTo(dev.email))?.subject).toContain("我们已收到您的请求");

    const queue = await call(queueLoader, "/support/tickets?filter=open", { cookie: ops.support.cookie });
    expect(queue.data.tickets.map((ticket: { id: string }) => ticket.id)).toContain(ticketId);

    const act = (form: Record<string, string>, who = ops.support) => call(ticketAction, `/support/tickets/${ticketId}`, { cookie: who.cookie, params: { ticketId }, form });
    expect((await act({ intent: "assign" })).status).toBe(200);
    const mine = await call(queueLoader, "/support/tickets?filter=mine", { cookie: ops.support.cookie });
    expect(mine.data.tickets.map((ticket: { id: string }) => ticket.id)).toContain(ticketId);

    expect((await act({ intent: "reply", message: "" })).status).toBe(400);
    expect((await act({ intent: "reply", message: "请重新创建密钥，旧密钥已过期。" })).status).toBe(200);
    const reply = await latestMailTo(dev.email);
    expect(reply?.subject).toBe(`回复：Key stopped working [${ticketId}]`);
    expect(reply?.text_body).toContain("请重新创建密钥");
    expect(reply?.text_body).toContain("/help#contact");
    const messages = await getDb().selectFrom("support_ticket_messages").select(["direction", "author_id"]).where("ticket_id", "=", ticketId).orderBy("created_at").execute();
    expect(messages).toEqual([
      { direction: "in", author_id: dev.id },
      { direction: "out", author_id: ops.support.id },
    ]);

    expect((await act({ intent: "close" })).status).toBe(200);
    expect((await act({ intent: "close" })).status).toBe(409);
    expect((await act({ intent: "reply", message: "late" })).status).toBe(409);
    const closed = await call(queueLoader, "/support/tickets?filter=closed", { cookie: ops.support.cookie });
    expect(closed.data.tickets.map((ticket: { id: string }) => ticket.id)).toContain(ticketId);
    expect((await audits(ticketId)).map((entry) => entry.action)).toEqual(["ticket.open", "ticket.assign", "ticket.reply", "ticket.close"]);

    // The account story shows it.
    const story = await call(accountLoader, `/support/accounts/${dev.id}`, { cookie: ops.support.cookie, params: { accountId: dev.id } });
    expect(story.data.tickets.map((ticket: { id: string }) => ticket.id)).toEqual([ticketId]);
  });

  it("lets a signed-out visitor write with an address, tied to no account and sent no automatic mail", async () => {
    const visitorEmail = `visitor-${Date.now()}@example.com`;
    const bad = await call(helpAction, "/help", { form: { ...ticketForm, email: "not-an-address" } });
    expect(bad.status).toBe(400);
    expect(bad.data.fieldErrors.email).toBe("errors.emailInvalid");
    const opened = await call(helpAction, "/help", { form: { ...ticketForm, email: visitorEmail }, headers: { "Accept-Language": "zh-CN" } });
    expect(opened.status).toBe(200);
    const row = await getDb().selectFrom("support_tickets").selectAll().where("id", "=", opened.data.ticketId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ account_id: null, email: visitorEmail, locale: "zh" });
    expect(await latestMailTo(visitorEmail)).toBeUndefined();
  });

  it("refuses a bad form with the field's message and saves nothing", async () => {
    const dev = await developer();
    const before = await getDb().selectFrom("support_tickets").select("id").where("account_id", "=", dev.id).execute();
    const outcome = await call(helpAction, "/help", { cookie: dev.cookie, form: { topic: "weather", subject: "x", message: "short" } });
    expect(outcome.status).toBe(400);
    expect(outcome.data.fieldErrors).toMatchObject({ topic: "help.errors.topicInvalid", subject: "help.errors.subjectRequired", message: "help.errors.messageRequired" });
    expect(await getDb().selectFrom("support_tickets").select("id").where("account_id", "=", dev.id).execute()).toEqual(before);
  });

  it("rate-limits the contact form per address with 429 and Retry-After", async () => {
    const ip = "203.0.113.77";
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await call(helpAction, "/help", { ip, form: { ...ticketForm, email: `flood-${i}@example.com` } })).status);
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    const refused = await call(helpAction, "/help", { ip, form: { ...ticketForm, email: "flood-x@example.com" } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
  });

  it("keeps developers out of the console's actions", async () => {
    const dev = await developer();
    const opened = await call(helpAction, "/help", { cookie: dev.cookie, form: ticketForm });
    const ticketId = opened.data.ticketId as string;
    const outcome = await call(ticketAction, `/support/tickets/${ticketId}`, { cookie: dev.cookie, params: { ticketId }, form: { intent: "close" } });
    expect(outcome.status).toBe(403);
    expect((await getDb().selectFrom("support_tickets").select("status").where("id", "=", ticketId).executeTakeFirstOrThrow()).status).toBe("open");
  });
});

describe("FAQ, terms and privacy", () => {
  it("shows the provider's default until an admin edits it, per language; only admins may edit", async () => {
    const faq = await call(helpLoader, "/help", { headers: { "Accept-Language": "en" } });
    expect(faq.data.faq).toContain(currentProvider().name);
    for (const who of [ops.support, ops.staff]) {
      const refused = await call(pagesAction, "/admin/pages", { cookie: who.cookie, form: { kind: "terms", locale: "zh", body: "## 改过的条款" } });
      expect(refused.status).toBe(403);
    }
    const saved = await call(pagesAction, "/admin/pages", { cookie: ops.admin.cookie, form: { kind: "terms", locale: "zh", body: "## 条款\n<script>alert(1)</script> [x](javascript:alert(1))" } });
    expect(saved.status).toBe(200);
    const zh = await call(termsLoader, "/terms", { headers: { "Accept-Language": "zh-CN" } });
    expect(zh.data).toMatchObject({ edited: true, locale: "zh" });
    const en = await call(termsLoader, "/terms", { headers: { "Accept-Language": "en" } });
    expect(en.data.edited).toBe(false);
    // Stored as typed, rendered as text: the script is a paragraph's text and the javascript: link is dropped.
    const blocks = parseSafeMarkdown(zh.data.body);
    expect(blocks[1]?.type).toBe("paragraph");
    const inline = blocks[1]!.type === "paragraph" ? blocks[1]!.children : [];
    expect(inline.every((node) => node.type === "text")).toBe(true);
    expect(inline.map((node) => (node.type === "text" ? node.text : "")).join("")).toContain("<script>alert(1)</script>");
    expect(await audits("terms:zh")).toEqual([{ action: "admin.site_text_edit", actor_id: ops.admin.id }]);
    // An empty text restores the default.
    await call(pagesAction, "/admin/pages", { cookie: ops.admin.cookie, form: { kind: "terms", locale: "zh", body: "" } });
    expect((await call(termsLoader, "/terms", { headers: { "Accept-Language": "zh-CN" } })).data.edited).toBe(false);
  });
});

async function richAccount() {
  const dev = await developer();
  const db = getDb();
  await createEvidenceFor(dev.id);
  await createClaimFor(dev.id);
  const created = await createApiKey(db, { accountId: dev.id, name: "laptop of Alice", prefix: currentProvider().keyPrefix });
  if (!created.ok) throw new Error("key");
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString();
  await creditAccount(db, { accountId: dev.id, kind: "grant", bucket: "promo", tokens: 50_000, idempotencyKey: `help-${dev.id}`, referenceType: "test", referenceId: dev.id, expiresAt: expires });
  await debitUsage(db, { accountId: dev.id, requestId: `req-${dev.id}`, tokens: 1_234 });
  await call(helpAction, "/help", { cookie: dev.cookie, form: ticketForm });
  return { ...dev, key: created.key };
}

describe("data export", () => {
  it("holds everything about the account and no secret or hash", async () => {
    const dev = await richAccount();
    const outcome = await call(exportLoader, "/account/data-export.json", { cookie: dev.cookie });
    expect(outcome.status).toBe(200);
    expect(outcome.headers.get("Content-Disposition")).toMatch(/attachment; filename="ferry-account-/);
    const exported = outcome.data;
    expect(exported.profile).toMatchObject({ id: dev.id, email: dev.email });
    expect(exported.evidence).toHaveLength(1);
    expect(exported.claims).toHaveLength(1);
    expect(exported.apiKeys).toHaveLength(1);
    expect(exported.supportTickets[0].messages[0].body).toBe(ticketForm.message);
    expect(exported.ledgerEntries.map((entry: { amount: number }) => entry.amount).sort()).toEqual([-1_234, 50_000]);
    expect(exported.sessions.length).toBeGreaterThan(0);
    const text = JSON.stringify(exported);
    const hashes = await getDb().selectFrom("api_keys").select("key_hash").where("user_id", "=", dev.id).execute();
    const user = await getDb().selectFrom("users").select("password_hash").where("id", "=", dev.id).executeTakeFirstOrThrow();
    const evidence = await getDb().selectFrom("evidence").select(["file_sha256", "fingerprint"]).where("user_id", "=", dev.id).execute();
    const sessions = await getDb().selectFrom("sessions").select("id").where("user_id", "=", dev.id).execute();
    for (const secret of [dev.key, user.password_hash, ...hashes.map((row) => row.key_hash), ...sessions.map((row) => row.id), ...evidence.flatMap((row) => [row.file_sha256, row.fingerprint])]) {
      if (secret) expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/password_hash|key_hash|passwordHash|keyHash|fingerprint|sha256/i);
    expect(await audits(dev.id)).toContainEqual({ action: "account.data_export", actor_id: dev.id });
  });

  it("asks a signed-out visitor to log in", async () => {
    const outcome = await call(exportLoader, "/account/data-export.json");
    expect(outcome.status).toBe(302);
    expect(outcome.location).toMatch(/^\/login/);
  });
});

describe("account deletion", () => {
  it("is asked with the password, carried out only by staff, pseudonymises the account and keeps the ledger verifying", async () => {
    const dev = await richAccount();
    const db = getDb();
    const balanceBefore = await getBalance(db, dev.id);

    expect((await call(privacyAction, "/account/privacy", { cookie: dev.cookie, form: { confirm: "yes", password: "wrong password here" } })).status).toBe(401);
    expect((await call(privacyAction, "/account/privacy", { cookie: dev.cookie, form: { password: STRONG_PASSWORD } })).status).toBe(400);
    expect(await db.selectFrom("account_deletion_requests").select("id").where("account_id", "=", dev.id).execute()).toHaveLength(0);
    expect((await call(privacyAction, "/account/privacy", { cookie: dev.cookie, form: { confirm: "yes", password: STRONG_PASSWORD } })).status).toBe(200);

    const carryOut = (who: Persona) =>
      call(accountAction, `/support/accounts/${dev.id}`, { cookie: who.cookie, params: { accountId: dev.id }, form: { intent: "carry_out_deletion", reason: "The developer asked on the privacy page" } });
    expect((await carryOut(ops.support)).status).toBe(403);
    expect((await db.selectFrom("users").select("email").where("id", "=", dev.id).executeTakeFirstOrThrow()).email).toBe(dev.email);

    expect((await carryOut(ops.staff)).status).toBe(200);
    expect((await carryOut(ops.staff)).status).toBe(409);

    const user = await db.selectFrom("users").selectAll().where("id", "=", dev.id).executeTakeFirstOrThrow();
    expect(user.email).toBe(`deleted-${dev.id}@deleted.invalid`);
    expect(user.disabled_at).not.toBeNull();
    expect(await db.selectFrom("sessions").select("id").where("user_id", "=", dev.id).execute()).toHaveLength(0);
    const keys = await db.selectFrom("api_keys").select(["revoked_at", "name"]).where("user_id", "=", dev.id).execute();
    expect(keys.every((key) => key.revoked_at !== null && key.name === "—")).toBe(true);
    expect((await db.selectFrom("evidence").select("file_name").where("user_id", "=", dev.id).execute()).every((row) => row.file_name === null)).toBe(true);
    const tickets = await db.selectFrom("support_tickets").select("email").where("account_id", "=", dev.id).execute();
    expect(tickets.every((ticket) => ticket.email === user.email)).toBe(true);
    const ticketIds = db.selectFrom("support_tickets").select("id").where("account_id", "=", dev.id);
    const bodies = await db.selectFrom("support_ticket_messages").select("body").where("ticket_id", "in", ticketIds).execute();
    expect(bodies).toEqual([{ body: "[removed with the account]" }]);

    // The ledger is untouched: same balance, same entries, and it verifies.
    expect(await getBalance(db, dev.id)).toEqual(balanceBefore);
    expect(await db.selectFrom("ledger_entries").select("id").where("account_id", "=", dev.id).execute()).toHaveLength(2);
    const verification = await verifyLedger(db);
    expect(verification.mismatches.filter((mismatch) => JSON.stringify(mismatch).includes(dev.id))).toEqual([]);
    expect(verification.ok).toBe(true);

    expect((await audits(dev.id)).map((entry) => entry.action)).toEqual(expect.arrayContaining(["account.deletion_request", "staff.account_delete"]));
    expect((await latestMailTo(dev.email))?.subject).toBe("Your Ferry account was deleted");
  });

  it("is not carried out without a request", async () => {
    const dev = await developer();
    const outcome = await call(accountAction, `/support/accounts/${dev.id}`, { cookie: ops.admin.cookie, params: { accountId: dev.id }, form: { intent: "carry_out_deletion", reason: "No request was made here" } });
    expect(outcome.status).toBe(409);
    expect(outcome.data.formError).toBe("help.deletion.errors.no_request");
  });
});
