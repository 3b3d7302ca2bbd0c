// Administration: roles with their two safety rules, the audit log's filters and its CSV export,
// the grant policy form, and the program numbers.
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "~/domain/audit.server";
import { creditAccount } from "~/domain/ledger.server";
import { getProgramNumbers } from "~/domain/program-stats.server";
import { changeRole } from "~/domain/user-roles.server";
import { startSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { loader as overviewLoader } from "~/routes/admin._index";
import { loader as auditLoader } from "~/routes/admin.audit";
import { loader as csvLoader } from "~/routes/admin.audit[.]csv";
import { action as policyAction, loader as policyLoader } from "~/routes/admin.grant-policy";
import { action as usersAction, loader as usersLoader } from "~/routes/admin.users";
import { call, cookieHeader, createUser } from "./helpers";
import { createClaimFor } from "./support-fixtures";

let admin: Awaited<ReturnType<typeof createUser>>;
let adminCookie: string;

beforeAll(async () => {
  admin = await createUser({ role: "admin" });
  adminCookie = cookieHeader([await startSession(admin.id, { ip: "203.0.113.9", userAgent: "test" }, "passed")]);
});

describe("users and roles", () => {
  it("promotes a developer to staff and demotes back, each change audited", async () => {
    const user = await createUser();
    const promote = await call(usersAction, "/admin/users", { cookie: adminCookie, form: { userId: user.id, role: "staff" } });
    expect(promote.status).toBe(200);
    expect((await getDb().selectFrom("users").select("role").where("id", "=", user.id).executeTakeFirstOrThrow()).role).toBe("staff");
    await call(usersAction, "/admin/users", { cookie: adminCookie, form: { userId: user.id, role: "support" } });
    const entries = await getDb().selectFrom("audit_log").selectAll().where("target_id", "=", user.id).where("action", "=", "admin.role_change").orderBy("created_at").execute();
    expect(entries.map((entry) => JSON.parse(entry.details))).toEqual([{ from: "developer", to: "staff" }, { from: "staff", to: "support" }]);
    expect(entries[0]).toMatchObject({ actor_id: admin.id, ip: expect.any(String) });
  });

  it("never lets an admin remove their own admin role", async () => {
    const outcome = await call(usersAction, "/admin/users", { cookie: adminCookie, form: { userId: admin.id, role: "staff" } });
    expect(outcome.status).toBe(409);
    expect(outcome.data.message).toBe("admin.errors.own_admin_role");
    expect((await getDb().selectFrom("users").select("role").where("id", "=", admin.id).executeTakeFirstOrThrow()).role).toBe("admin");
  });

  it("never removes the last admin", async () => {
    // Another admin is the only other one; demoting everyone but the actor is refused at the last.
    await getDb().updateTable("users").set({ role: "staff" }).where("role", "=", "admin").where("id", "!=", admin.id).execute();
    const second = await createUser({ role: "admin" });
    expect((await changeRole(getDb(), { actorId: second.id, userId: admin.id, role: "developer" })).ok).toBe(true);
    const last = await changeRole(getDb(), { actorId: admin.id, userId: second.id, role: "developer" });
    expect(last).toEqual({ ok: false, reason: "last_admin" });
    const admins = await getDb().selectFrom("users").select("id").where("role", "=", "admin").execute();
    expect(admins.map((row) => row.id)).toEqual([second.id]);
    await getDb().updateTable("users").set({ role: "admin" }).where("id", "=", admin.id).execute();
  });

  it("refuses an unknown role and changes nothing", async () => {
    const user = await createUser();
    const outcome = await call(usersAction, "/admin/users", { cookie: adminCookie, form: { userId: user.id, role: "superuser" } });
    expect(outcome.status).toBe(400);
    expect((await getDb().selectFrom("users").select("role").where("id", "=", user.id).executeTakeFirstOrThrow()).role).toBe("developer");
  });

  it("lists and filters accounts", async () => {
    await createUser({ email: "filter-me@example.com", role: "support" });
    const outcome = await call(usersLoader, "/admin/users?q=filter-me&role=support", { cookie: adminCookie });
    expect(outcome.data.list.rows.map((row: { email: string }) => row.email)).toEqual(["filter-me@example.com"]);
  });
});

describe("the audit log", () => {
  let actor: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    actor = await createUser({ role: "support", email: `=hyperlink-${Date.now()}@example.com` });
    await recordAudit(getDb(), { actorId: actor.id, action: "support.account_view", targetType: "user", targetId: '=HYPERLINK("http://x")', details: { reason: "@SUM(1)" }, ip: "+1" }, new Date("2026-03-10T10:00:00Z"));
    await recordAudit(getDb(), { actorId: actor.id, action: "support.search", targetType: "search", details: { query: "-2+3" } }, new Date("2026-03-12T10:00:00Z"));
    await recordAudit(getDb(), { actorId: admin.id, action: "admin.role_change", targetType: "user", targetId: actor.id }, new Date("2026-04-01T10:00:00Z"));
  });

  it("filters by actor, action, target and time", async () => {
    const byActor = await call(auditLoader, `/admin/audit?actor=${encodeURIComponent(actor.email)}`, { cookie: adminCookie });
    expect(byActor.data.result.rows.map((row: { action: string }) => row.action)).toEqual(["support.search", "support.account_view"]);
    const byAction = await call(auditLoader, `/admin/audit?actor=${actor.id}&action=support.acc`, { cookie: adminCookie });
    expect(byAction.data.result.total).toBe(1);
    const byTarget = await call(auditLoader, `/admin/audit?target=${encodeURIComponent(`user:${actor.id}`)}`, { cookie: adminCookie });
    expect(byTarget.data.result.rows.map((row: { action: string }) => row.action)).toEqual(["admin.role_change"]);
    const byTime = await call(auditLoader, `/admin/audit?actor=${actor.id}&from=2026-03-11&to=2026-03-31`, { cookie: adminCookie });
    expect(byTime.data.result.rows.map((row: { action: string }) => row.action)).toEqual(["support.search"]);
  });

  it("explains a bad filter instead of guessing", async () => {
    const outcome = await call(auditLoader, "/admin/audit?from=2026-04-01&to=2026-03-01", { cookie: adminCookie });
    expect(outcome.status).toBe(400);
    expect(outcome.data.fieldErrors.to).toBe("admin.errors.dateRange");
    expect((await call(auditLoader, "/admin/audit?from=yesterday", { cookie: adminCookie })).data.fieldErrors.from).toBe("admin.errors.dateFormat");
  });

  it("exports the filtered log as CSV that is safe in a spreadsheet, and audits the export", async () => {
    const outcome = await call(csvLoader, `/admin/audit.csv?actor=${actor.id}`, { cookie: adminCookie });
    expect(outcome.status).toBe(200);
    expect(outcome.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(outcome.headers.get("content-disposition")).toMatch(/^attachment; filename="ferry-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = String(outcome.data).replace(/^\uFEFF/, "");
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(2);
    const view = rows.find((row) => row.action === "support.account_view")!;
    expect(view.target_id).toBe("'=HYPERLINK(\"http://x\")");
    expect(view.actor_email).toBe(`'${actor.email}`);
    expect(view.ip).toBe("'+1");
    expect(JSON.parse(view.details!)).toEqual({ reason: "@SUM(1)" }); // starts with "{": harmless as it is
    for (const row of rows) {
      for (const cell of Object.values(row)) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    const exportEntry = await getDb().selectFrom("audit_log").selectAll().where("action", "=", "admin.audit_export").where("actor_id", "=", admin.id).executeTakeFirstOrThrow();
    expect(JSON.parse(exportEntry.details)).toMatchObject({ rows: 2, filter: { actor: actor.id } });
  });
});

describe("grant policy settings", () => {
  it("saves a valid change with history, and refuses an invalid one changing nothing", async () => {
    const before = await call(policyLoader, "/admin/grant-policy", { cookie: adminCookie });
    const cap = before.data.policy.capTokens as number;
    const saved = await call(policyAction, "/admin/grant-policy", { cookie: adminCookie, form: { ...stringify(before.data.policy), promoExpiryDays: "60" } });
    expect(saved.data).toEqual({ ok: true, changed: 1 });
    const invalid = await call(policyAction, "/admin/grant-policy", { cookie: adminCookie, form: { ...stringify(before.data.policy), floorTokens: String(cap + 1), promoExpiryDays: "60" } });
    expect(invalid.status).toBe(400);
    expect(invalid.data.fieldErrors.floorTokens).toBe("claims.errors.policyFloorAboveCap");
    const notNumber = await call(policyAction, "/admin/grant-policy", { cookie: adminCookie, form: { averageMonths: "three" } });
    expect(notNumber.status).toBe(400);
    const after = await call(policyLoader, "/admin/grant-policy", { cookie: adminCookie });
    expect(after.data.policy).toEqual({ ...before.data.policy, promoExpiryDays: 60 });
    expect(after.data.history).toHaveLength(1);
    expect(after.data.history[0]).toMatchObject({ actorEmail: admin.email, after: { promoExpiryDays: 60 } });
  });
});

function stringify(policy: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(policy).map(([key, value]) => [key, String(value)]));
}

describe("program numbers", () => {
  it("counts sign-ups, verified e-mails, claims by status and tokens per week", async () => {
    const now = new Date();
    const before = await getProgramNumbers(getDb(), now);
    const developer = await createUser();
    await createClaimFor(developer.id, "rejected");
    const expires = new Date(now.getTime() + 86_400_000).toISOString();
    await creditAccount(getDb(), { accountId: developer.id, kind: "grant", bucket: "promo", tokens: 7_000, idempotencyKey: `stats-${developer.id}`, referenceType: "test", referenceId: developer.id, expiresAt: expires });
    const after = await getProgramNumbers(getDb(), now);
    const thisWeek = (numbers: typeof after, group: "accounts" | "claims" | "tokens", key: string) => numbers[group].find((series) => series.key === key)!.values.at(-1)!;
    expect(thisWeek(after, "accounts", "signups") - thisWeek(before, "accounts", "signups")).toBe(1);
    expect(thisWeek(after, "accounts", "verified") - thisWeek(before, "accounts", "verified")).toBe(1);
    expect(thisWeek(after, "claims", "rejected") - thisWeek(before, "claims", "rejected")).toBe(1);
    expect(thisWeek(after, "tokens", "granted") - thisWeek(before, "tokens", "granted")).toBe(7_000);
    expect(after.weeks).toHaveLength(12);
    const page = await call(overviewLoader, "/admin", { cookie: adminCookie });
    expect(page.status).toBe(200);
  });
});
