// After log-in each role lands on its own home (developer /account, support /support, staff
// /staff/claims, admin /admin): after the password, after the second factor (code, enrolment,
// passkey), and when a signed-in user opens /login. A page the user was sent from still wins, and
// only a same-site path can.
import { describe, expect, it } from "vitest";
import { enrolTotpWithKnownSecret } from "~/domain/two-factor.server";
import { generateTotpSecret, totpCodeAt, totpStep } from "~/domain/totp";
import type { Role } from "~/lib/db-schema";
import { getDb } from "~/lib/db.server";
import { homePathFor } from "~/lib/roles";
import { action as loginAction, loader as loginLoader } from "~/routes/login";
import { action as enrolAction, loader as enrolLoader } from "~/routes/login_.enrol";
import { action as assertionOptions } from "~/routes/login_.passkey.options";
import { action as assertionVerify } from "~/routes/login_.passkey.verify";
import { action as secondFactorAction, loader as secondFactorLoader } from "~/routes/login_.second-factor";
import { action as registrationOptions } from "~/routes/account.security.passkeys.options";
import { action as registrationVerify } from "~/routes/account.security.passkeys.verify";
import { call, cookieHeader, createUser, fullSessionCookie } from "./helpers";
import { SoftAuthenticator } from "./soft-authenticator";

const HOMES: Record<Role, string> = { developer: "/account", support: "/support", staff: "/staff/claims", admin: "/admin" };
const OPERATORS = ["support", "staff", "admin"] as const;

async function operator(role: Role) {
  const user = await createUser({ role });
  const secret = generateTotpSecret();
  await enrolTotpWithKnownSecret(getDb(), user.id, secret);
  return { ...user, secret };
}

async function passwordStep(user: { email: string; password: string }, redirectTo?: string) {
  const form: Record<string, string> = { email: user.email, password: user.password };
  if (redirectTo !== undefined) form.redirectTo = redirectTo;
  const outcome = await call(loginAction, "/login", { form });
  expect(outcome.status).toBe(302);
  return { location: outcome.location!, cookie: cookieHeader(outcome.setCookies) };
}

/** What the log-in page's form carries, then the password step, then the code: where the person lands. */
async function logInWithCode(user: { email: string; password: string; secret: string }, loginUrl = "/login") {
  const page = await call(loginLoader, loginUrl);
  const step = await passwordStep(user, page.data.redirectTo);
  expect(step.location).toMatch(/^\/login\/second-factor/);
  const codePage = await call(secondFactorLoader, step.location, { cookie: step.cookie });
  const code = totpCodeAt(user.secret, totpStep(new Date()));
  const done = await call(secondFactorAction, "/login/second-factor", { cookie: step.cookie, form: { code, redirectTo: codePage.data.redirectTo } });
  expect(done.status).toBe(302);
  return { location: done.location, cookie: cookieHeader(done.setCookies) };
}

describe("where each role lands after log-in", () => {
  it("maps each role to its home", () => {
    for (const role of Object.keys(HOMES) as Role[]) expect(homePathFor(role)).toBe(HOMES[role]);
  });

  it("sends a developer to the dashboard after the password", async () => {
    const developer = await createUser();
    const page = await call(loginLoader, "/login");
    expect(page.data.redirectTo).toBe("");
    expect((await passwordStep(developer, page.data.redirectTo)).location).toBe("/account");
  });

  for (const role of OPERATORS) {
    it(`sends ${role} to ${HOMES[role]} after the second factor, not to the developer onboarding`, async () => {
      const user = await operator(role);
      const landed = await logInWithCode(user);
      expect(landed.location).toBe(HOMES[role]);
      // And a signed-in operator who opens /login again goes home too.
      expect((await call(loginLoader, "/login", { cookie: landed.cookie })).location).toBe(HOMES[role]);
    });
  }

  it("keeps the page an operator was sent from, through the second factor", async () => {
    const staff = await operator("staff");
    const landed = await logInWithCode(staff, `/login?${new URLSearchParams({ redirectTo: "/support?q=abc" })}`);
    expect(landed.location).toBe("/support?q=abc");
  });

  it("never leaves the site: an unsafe target falls back to the role's home, at every step", async () => {
    const admin = await operator("admin");
    const unsafe = ["https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example"];
    for (const target of unsafe) {
      expect((await call(loginLoader, `/login?${new URLSearchParams({ redirectTo: target })}`)).data.redirectTo, target).toBe("");
      expect((await passwordStep(admin, target)).location, target).toBe("/login/second-factor");
    }
    const step = await passwordStep(admin);
    const done = await call(secondFactorAction, "/login/second-factor", { cookie: step.cookie, form: { code: totpCodeAt(admin.secret, totpStep(new Date())), redirectTo: "//evil.example" } });
    expect(done.location).toBe("/admin");
  });

  it("sends an operator who enrols at the first log-in to their home", async () => {
    const support = await createUser({ role: "support" });
    const step = await passwordStep(support, "");
    expect(step.location).toBe("/login/enrol");
    const page = await call(enrolLoader, "/login/enrol", { cookie: step.cookie });
    expect(page.data.redirectTo).toBe("");
    const secret = String(page.data.enrolment.secretForTyping).replace(/\s/g, "");
    const done = await call(enrolAction, "/login/enrol", { cookie: step.cookie, form: { code: totpCodeAt(secret, totpStep(new Date())), redirectTo: page.data.redirectTo } });
    expect(done.status).toBe(200);
    expect(done.data.next).toBe("/support");
  });

  it("sends an operator who logs in with a passkey to their home", async () => {
    const staff = await operator("staff");
    const authenticator = new SoftAuthenticator("ferry.test", "http://ferry.test");
    const full = await fullSessionCookie(staff.id);
    const json = (body: unknown = {}) => ({ method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
    const registration = await call(registrationOptions, "/account/security/passkeys/options", { cookie: full, ...json() });
    expect((await call(registrationVerify, "/account/security/passkeys/verify", { cookie: full, ...json({ name: "Laptop", response: authenticator.register(registration.data.challenge) }) })).status).toBe(200);

    const step = await passwordStep(staff);
    const options = await call(assertionOptions, "/login/passkey/options", { cookie: step.cookie, ...json() });
    const verified = await call(assertionVerify, "/login/passkey/verify", { cookie: step.cookie, ...json({ response: authenticator.assert(options.data.challenge), redirectTo: "" }) });
    expect(verified.status).toBe(200);
    expect(verified.data.redirectTo).toBe("/staff/claims");
  });
});
