// Two-step sign-in through the real routes: forced enrolment for operators, the code after the
// password, replay refusal, the attempt limit, recovery codes, developers' optional factor, the
// sessions page, and the admin's reset and end-all.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_FAILED_ATTEMPTS } from "~/domain/two-factor.server";
import { totpCodeAt, totpStep } from "~/domain/totp";
import { getDb } from "~/lib/db.server";
import { loader as accountLoader } from "~/routes/account";
import { action as securityAction, loader as securityLoader } from "~/routes/account.security";
import { action as sessionsAction, loader as sessionsLoader } from "~/routes/account.sessions";
import { action as adminSecurityAction, loader as adminSecurityLoader } from "~/routes/admin.users_.$userId.security";
import { action as loginAction } from "~/routes/login";
import { action as enrolAction, loader as enrolLoader } from "~/routes/login_.enrol";
import { action as secondFactorAction, loader as secondFactorLoader } from "~/routes/login_.second-factor";
import { loader as staffQueueLoader } from "~/routes/staff.claims._index";
import { call, cookieHeader, createUser, fullSessionCookie } from "./helpers";

type TestUser = Awaited<ReturnType<typeof createUser>>;

async function passwordStep(user: TestUser, userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0") {
  const outcome = await call(loginAction, "/login", { form: { email: user.email, password: user.password, redirectTo: "/staff/claims" }, headers: { "User-Agent": userAgent } });
  expect(outcome.status).toBe(302);
  return { location: outcome.location, cookie: cookieHeader(outcome.setCookies) };
}

async function lastUsedStep(userId: string): Promise<number | null> {
  const row = await getDb().selectFrom("two_factor_totp").select("last_used_step").where("user_id", "=", userId).executeTakeFirst();
  return row?.last_used_step ?? null;
}

/** A code the server has not seen yet: the current step, or the next one if this step was used. */
async function freshCode(secret: string, userId: string): Promise<string> {
  const used = await lastUsedStep(userId);
  const step = Math.max(totpStep(new Date()), (used ?? -1) + 1);
  return totpCodeAt(secret, step);
}

/** Logs in an operator without a factor and completes enrolment; returns the secret, codes and full cookie. */
async function enrol(user: TestUser) {
  const { cookie } = await passwordStep(user);
  const page = await call(enrolLoader, "/login/enrol", { cookie });
  expect(page.status).toBe(200);
  const secret = String(page.data.enrolment.secretForTyping).replace(/\s/g, "");
  const done = await call(enrolAction, "/login/enrol", { cookie, form: { intent: "confirm", code: await freshCode(secret, user.id), redirectTo: "/staff/claims" } });
  expect(done.status).toBe(200);
  return { secret, recoveryCodes: done.data.recoveryCodes as string[], cookie: cookieHeader(done.setCookies) };
}

describe("operators: enrolment forced at the next log-in", () => {
  let staff: TestUser;
  beforeAll(async () => {
    staff = await createUser({ role: "staff" });
  });

  it("sends an operator without a factor to enrolment, and nothing else is reachable until done", async () => {
    const { location, cookie } = await passwordStep(staff);
    expect(location).toBe("/login/enrol?redirectTo=%2Fstaff%2Fclaims");
    for (const [loader, path] of [[accountLoader, "/account"], [staffQueueLoader, "/staff/claims"], [sessionsLoader, "/account/sessions"]] as const) {
      const outcome = await call(loader, path, { cookie });
      expect(outcome.status, path).toBe(302);
      expect(outcome.location, path).toMatch(/^\/login\/enrol/);
    }
    // The code page is for sessions that have a factor; this one is sent back to enrolment.
    expect((await call(secondFactorLoader, "/login/second-factor", { cookie })).location).toBe("/login/enrol");
  });

  it("shows a secret kept encrypted, refuses a wrong code, and the right one makes the session full with new recovery codes", async () => {
    const { cookie } = await passwordStep(staff);
    const page = await call(enrolLoader, "/login/enrol", { cookie });
    const secret = String(page.data.enrolment.secretForTyping).replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(page.data.enrolment.qrSvg).toContain("<svg");
    const again = await call(enrolLoader, "/login/enrol", { cookie });
    expect(String(again.data.enrolment.secretForTyping).replace(/\s/g, "")).toBe(secret);
    const row = await getDb().selectFrom("two_factor_totp").selectAll().where("user_id", "=", staff.id).executeTakeFirstOrThrow();
    expect(row.secret_ciphertext).not.toContain(secret);
    expect(row.confirmed_at).toBeNull();

    const wrongCode = totpCodeAt(secret, totpStep(new Date()) + 5);
    const wrong = await call(enrolAction, "/login/enrol", { cookie, form: { intent: "confirm", code: wrongCode } });
    expect(wrong.status).toBe(400);
    expect(wrong.data.fieldErrors.code).toBe("twoFactor.errors.code_invalid");

    const done = await call(enrolAction, "/login/enrol", { cookie, form: { intent: "confirm", code: await freshCode(secret, staff.id), redirectTo: "/staff/claims" } });
    expect(done.status).toBe(200);
    expect(done.data.next).toBe("/staff/claims");
    const codes = done.data.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    const stored = await getDb().selectFrom("two_factor_recovery_codes").select("code_hash").where("user_id", "=", staff.id).execute();
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) expect(codes.some((code) => code_hash.includes(code.replace("-", "")))).toBe(false);

    // The waiting session was replaced by a new one: the old cookie is dead, the new one is full.
    const fullCookie = cookieHeader(done.setCookies);
    expect((await call(staffQueueLoader, "/staff/claims", { cookie })).location).toMatch(/^\/login\?redirectTo=/);
    expect((await call(staffQueueLoader, "/staff/claims", { cookie: fullCookie })).status).toBe(200);
    const audit = await getDb().selectFrom("audit_log").select("action").where("actor_id", "=", staff.id).where("action", "=", "two_factor.enrolled").execute();
    expect(audit).toHaveLength(1);
  });
});

// A fresh operator per test: within one 30-second window only the current and the next step are
// unused after enrolment, and each test spends some.
describe("log-in with a second factor", () => {
  let support: TestUser;
  let secret: string;
  let recoveryCodes: string[];
  beforeEach(async () => {
    support = await createUser({ role: "support" });
    ({ secret, recoveryCodes } = await enrol(support));
  });

  it("asks for the code after the password; the session is full only after it", async () => {
    const { location, cookie } = await passwordStep(support);
    expect(location).toBe("/login/second-factor?redirectTo=%2Fstaff%2Fclaims");
    expect((await call(accountLoader, "/account", { cookie })).location).toBe("/login/second-factor");
    expect((await call(enrolLoader, "/login/enrol", { cookie })).location).toBe("/login/second-factor");
    const page = await call(secondFactorLoader, "/login/second-factor?redirectTo=%2Fsupport", { cookie });
    expect(page.data.redirectTo).toBe("/support");

    const ok = await call(secondFactorAction, "/login/second-factor", { cookie, form: { code: await freshCode(secret, support.id), redirectTo: "/support" } });
    expect(ok.status).toBe(302);
    expect(ok.location).toBe("/support");
    const full = cookieHeader(ok.setCookies);
    expect((await call(accountLoader, "/account", { cookie: full })).status).toBe(200);
    expect((await call(accountLoader, "/account", { cookie })).location).toMatch(/^\/login\?/);
  });

  it("refuses the same code twice (replay in its window)", async () => {
    const first = await passwordStep(support);
    const code = await freshCode(secret, support.id);
    expect((await call(secondFactorAction, "/login/second-factor", { cookie: first.cookie, form: { code } })).status).toBe(302);
    const second = await passwordStep(support);
    const replay = await call(secondFactorAction, "/login/second-factor", { cookie: second.cookie, form: { code } });
    expect(replay.status).toBe(400);
    expect(replay.data.fieldErrors.code).toBe("twoFactor.errors.code_used");
    expect((await call(accountLoader, "/account", { cookie: second.cookie })).status).toBe(302);
  });

  it("two requests racing with one code: exactly one wins", async () => {
    const a = await passwordStep(support);
    const b = await passwordStep(support);
    const code = await freshCode(secret, support.id);
    const results = await Promise.all([a, b].map(({ cookie }) => call(secondFactorAction, "/login/second-factor", { cookie, form: { code } })));
    expect(results.map((r) => r.status).sort()).toEqual([302, 400]);
  });

  it("accepts each recovery code once", async () => {
    const first = await passwordStep(support);
    const used = await call(secondFactorAction, "/login/second-factor", { cookie: first.cookie, form: { code: recoveryCodes[0]!.toUpperCase() } });
    expect(used.status).toBe(302);
    const second = await passwordStep(support);
    const again = await call(secondFactorAction, "/login/second-factor", { cookie: second.cookie, form: { code: recoveryCodes[0]! } });
    expect(again.status).toBe(400);
    const security = await call(securityLoader, "/account/security", { cookie: cookieHeader(used.setCookies) });
    expect(security.data.status.recoveryCodesLeft).toBe(9);
  });
});

describe("attempt limit", () => {
  it(`locks the factor after ${MAX_FAILED_ATTEMPTS} wrong codes, even for the right code, counted atomically`, async () => {
    const admin = await createUser({ role: "admin" });
    const { secret } = await enrol(admin);
    const { cookie } = await passwordStep(admin);
    const wrong = totpCodeAt(secret, totpStep(new Date()) + 7);
    // Parallel guesses share one counter (UPDATE … RETURNING): the limit is not exceeded by racing.
    const guesses = await Promise.all(Array.from({ length: MAX_FAILED_ATTEMPTS + 2 }, () => call(secondFactorAction, "/login/second-factor", { cookie, form: { code: wrong } })));
    const statuses = guesses.map((guess) => guess.status);
    expect(statuses.filter((status) => status === 400).length).toBeLessThanOrEqual(MAX_FAILED_ATTEMPTS - 1);
    expect(statuses).toContain(429);
    const right = await call(secondFactorAction, "/login/second-factor", { cookie, form: { code: await freshCode(secret, admin.id) } });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

describe("developers: optional factor", () => {
  it("logs in without a code until the developer turns the factor on; then the code is asked", async () => {
    const developer = await createUser();
    const plain = await passwordStep(developer);
    expect(plain.location).toBe("/staff/claims");
    const cookie = plain.cookie;
    const start = await call(securityLoader, "/account/security?setup=1", { cookie });
    expect(start.data.status).toMatchObject({ totpEnabled: false, required: false });
    const secret = String(start.data.enrolment.secretForTyping).replace(/\s/g, "");
    const confirm = await call(securityAction, "/account/security", { cookie, form: { intent: "confirm", code: await freshCode(secret, developer.id) } });
    expect(confirm.status).toBe(200);
    expect(confirm.data.recoveryCodes).toHaveLength(10);
    expect((await passwordStep(developer)).location).toMatch(/^\/login\/second-factor/);

    const remove = await call(securityAction, "/account/security", { cookie, form: { intent: "remove", code: await freshCode(secret, developer.id) } });
    expect(remove.status).toBe(200);
    expect((await passwordStep(developer)).location).toBe("/staff/claims");
  });

  it("sends a session that predates a promotion to operator to enrolment", async () => {
    const developer = await createUser();
    const { cookie } = await passwordStep(developer);
    await getDb().updateTable("users").set({ role: "support" }).where("id", "=", developer.id).execute();
    expect((await call(accountLoader, "/account", { cookie })).location).toBe("/login/enrol");
  });
});

describe("sessions page", () => {
  it("lists the user's sessions with device and IP, ends one, then all others; another user's session is not found", async () => {
    const developer = await createUser();
    const here = await passwordStep(developer, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
    await passwordStep(developer, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1");
    await passwordStep(developer, "curl/8.5.0");
    const list = await call(sessionsLoader, "/account/sessions", { cookie: here.cookie });
    const sessions = list.data.sessions as Array<{ key: string; browser: string | null; os: string | null; ip: string; current: boolean }>;
    expect(sessions).toHaveLength(3);
    expect(sessions[0]).toMatchObject({ current: true, browser: "Firefox", os: "Linux" });
    expect(sessions.map((s) => s.browser).sort()).toEqual(["Firefox", "Safari", "curl"]);
    expect(sessions.every((s) => /^10\./.test(s.ip))).toBe(true);

    const stranger = await createUser();
    const strangerCookie = await fullSessionCookie(stranger.id);
    const foreign = await call(sessionsAction, "/account/sessions", { cookie: strangerCookie, form: { intent: "end", key: sessions[1]!.key } });
    expect(foreign.status).toBe(404);

    const endOne = await call(sessionsAction, "/account/sessions", { cookie: here.cookie, form: { intent: "end", key: sessions[1]!.key } });
    expect(endOne.status).toBe(200);
    expect((await call(sessionsLoader, "/account/sessions", { cookie: here.cookie })).data.sessions).toHaveLength(2);
    const endOthers = await call(sessionsAction, "/account/sessions", { cookie: here.cookie, form: { intent: "end_others" } });
    expect(endOthers.data.count).toBe(1);
    const remaining = (await call(sessionsLoader, "/account/sessions", { cookie: here.cookie })).data.sessions;
    expect(remaining).toHaveLength(1);
    expect(remaining[0].current).toBe(true);
  });
});

describe("admin: reset a second factor, end all sessions", () => {
  let admin: TestUser;
  let adminCookie: string;
  beforeAll(async () => {
    admin = await createUser({ role: "admin" });
    adminCookie = await fullSessionCookie(admin.id);
  });

  it("resets an operator's factor with a reason: factors and sessions go, audited, and enrolment is asked again", async () => {
    const staff = await createUser({ role: "staff" });
    const { cookie } = await enrol(staff);
    const page = await call(adminSecurityLoader, `/admin/users/${staff.id}/security`, { cookie: adminCookie, params: { userId: staff.id } });
    expect(page.data.status.totpEnabled).toBe(true);
    expect(page.data.sessions).toHaveLength(1);

    const noReason = await call(adminSecurityAction, `/admin/users/${staff.id}/security`, { cookie: adminCookie, params: { userId: staff.id }, form: { intent: "reset_second_factor" } });
    expect(noReason.status).toBe(400);
    const reset = await call(adminSecurityAction, `/admin/users/${staff.id}/security`, { cookie: adminCookie, params: { userId: staff.id }, form: { intent: "reset_second_factor", reason: "lost phone, ticket 42" } });
    expect(reset.status).toBe(200);
    expect(await getDb().selectFrom("two_factor_totp").select("user_id").where("user_id", "=", staff.id).execute()).toHaveLength(0);
    expect(await getDb().selectFrom("two_factor_recovery_codes").select("id").where("user_id", "=", staff.id).execute()).toHaveLength(0);
    expect((await call(staffQueueLoader, "/staff/claims", { cookie })).location).toMatch(/^\/login\?/);
    const audit = await getDb().selectFrom("audit_log").selectAll().where("action", "=", "admin.two_factor_reset").where("target_id", "=", staff.id).executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(admin.id);
    expect(JSON.parse(audit.details)).toMatchObject({ reason: "lost phone, ticket 42", sessionsEnded: 1 });
    expect((await passwordStep(staff)).location).toMatch(/^\/login\/enrol/);
  });

  it("ends every session of an account, audited; staff may not", async () => {
    const developer = await createUser();
    const a = await passwordStep(developer);
    await passwordStep(developer);
    const staff = await createUser({ role: "staff" });
    const denied = await call(adminSecurityAction, `/admin/users/${developer.id}/security`, { cookie: await fullSessionCookie(staff.id), params: { userId: developer.id }, form: { intent: "end_sessions", reason: "stolen laptop" } });
    expect(denied.status).toBe(403);
    const ended = await call(adminSecurityAction, `/admin/users/${developer.id}/security`, { cookie: adminCookie, params: { userId: developer.id }, form: { intent: "end_sessions", reason: "stolen laptop" } });
    expect(ended.status).toBe(200);
    expect(await getDb().selectFrom("sessions").select("id").where("user_id", "=", developer.id).execute()).toHaveLength(0);
    expect((await call(accountLoader, "/account", { cookie: a.cookie })).location).toMatch(/^\/login\?/);
    const audit = await getDb().selectFrom("audit_log").selectAll().where("action", "=", "admin.sessions_ended").where("target_id", "=", developer.id).executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toMatchObject({ reason: "stolen laptop", sessionsEnded: 2 });
  });
});
