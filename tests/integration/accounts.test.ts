import { describe, expect, it } from "vitest";
import { action as changePasswordAction } from "~/routes/account.password";
import { loader as accountLoader } from "~/routes/account";
import { action as forgotAction } from "~/routes/forgot-password";
import { action as loginAction } from "~/routes/login";
import { action as logoutAction, loader as logoutLoader } from "~/routes/logout";
import { action as resetAction, loader as resetLoader } from "~/routes/reset-password";
import { action as signupAction } from "~/routes/signup";
import { action as verifyAction } from "~/routes/verify";
import { getDb } from "~/lib/db.server";
import { sha256Hex } from "~/lib/crypto.server";
import { call, cookieHeader, countMailTo, createUser, latestMailTo, STRONG_PASSWORD, uniqueEmail } from "./helpers";
import { RATE_LIMITS } from "~/lib/rate-limit.server";

async function logIn(email: string, password: string, ip = "198.51.100.1") {
  return call(loginAction, "/login", { form: { email, password }, ip });
}

async function sessionCookieFor(email: string, password: string) {
  const outcome = await logIn(email, password);
  expect(outcome.status).toBe(302);
  return cookieHeader(outcome.setCookies.filter((cookie) => !cookie.includes("Expires=Thu, 01 Jan 1970")));
}

async function codeFrom(email: string) {
  const mail = await latestMailTo(email);
  return mail?.text_body.match(/\b(\d{6})\b/)?.[1] ?? "";
}

async function resetTokenFrom(email: string) {
  const mail = await latestMailTo(email);
  return mail?.text_body.match(/token=([A-Za-z0-9_-]+)/)?.[1] ?? "";
}

async function isAuthenticated(cookie: string) {
  const outcome = await call(accountLoader, "/account", { cookie });
  return outcome.status === 200;
}

describe("sign-up", () => {
  it("creates an unverified developer, mails a code, and the code verifies and logs in", async () => {
    const email = uniqueEmail();
    const outcome = await call(signupAction, "/signup", { form: { email: email.toUpperCase(), password: STRONG_PASSWORD } });
    expect(outcome.status).toBe(302);
    expect(outcome.location).toBe(`/verify?email=${encodeURIComponent(email)}`);
    const user = await getDb().selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
    expect(user.role).toBe("developer");
    expect(user.email_verified_at).toBeNull();
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const code = await codeFrom(email);
    const verified = await call(verifyAction, "/verify", { form: { email, code } });
    expect(verified.location).toBe("/account");
    const cookie = cookieHeader(verified.setCookies);
    expect(await isAuthenticated(cookie)).toBe(true);
    const after = await getDb().selectFrom("users").select("email_verified_at").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(after.email_verified_at).not.toBeNull();
  });

  it("answers an existing address exactly like a new one, and mails its owner instead", async () => {
    const existing = await createUser();
    const fresh = uniqueEmail();
    const forExisting = await call(signupAction, "/signup", { form: { email: existing.email, password: "another long passphrase 9" } });
    const forFresh = await call(signupAction, "/signup", { form: { email: fresh, password: "another long passphrase 9" } });
    expect(forExisting.status).toBe(forFresh.status);
    expect(forExisting.location?.replace(encodeURIComponent(existing.email), "X")).toBe(forFresh.location?.replace(encodeURIComponent(fresh), "X"));
    expect((await latestMailTo(existing.email))?.subject).toMatch(/tried to sign up/);
    // The existing account's password is untouched.
    expect((await logIn(existing.email, existing.password)).status).toBe(302);
  });

  it.each([
    ["empty email", { email: "", password: STRONG_PASSWORD }, "email", "errors.emailRequired"],
    ["malformed email", { email: "not-an-email", password: STRONG_PASSWORD }, "email", "errors.emailInvalid"],
    ["overlong email", { email: `${"a".repeat(250)}@example.com`, password: STRONG_PASSWORD }, "email", "errors.emailInvalid"],
    ["11 characters", { email: "x@example.com", password: "abcdefghijk" }, "password", "errors.passwordTooShort"],
    ["129 characters", { email: "x@example.com", password: "a".repeat(129) }, "password", "errors.passwordTooLong"],
    ["missing password", { email: "x@example.com" }, "password", "errors.passwordRequired"],
  ])("refuses %s with a message and creates nothing", async (_label, form, field, message) => {
    const before = await getDb().selectFrom("users").select("id").execute();
    const outcome = await call(signupAction, "/signup", { form: form as Record<string, string> });
    expect(outcome.status).toBe(400);
    expect(outcome.data.fieldErrors[field]).toBe(message);
    const after = await getDb().selectFrom("users").select("id").execute();
    expect(after.length).toBe(before.length);
  });

  it("accepts exactly 12 and exactly 128 characters, and keeps spaces and any characters as typed", async () => {
    const sentence = "Ferry moves tokens across the sea; orange kites drift over quiet harbours while seven lanterns hum beside the old stone bridge!é";
    expect([...sentence].length).toBe(128);
    for (const password of ["  密码 with spaces ", sentence, "ab12!@#$%^&*"]) {
      const email = uniqueEmail();
      const outcome = await call(signupAction, "/signup", { form: { email, password } });
      expect(outcome.status).toBe(302);
      await call(verifyAction, "/verify", { form: { email, code: await codeFrom(email) } });
      expect((await logIn(email, password)).status).toBe(302);
      expect((await logIn(email, password.trim())).status).toBe(password === password.trim() ? 302 : 400);
    }
  });

  it("refuses common passwords, whatever their case", async () => {
    for (const password of ["123456654321", "QWERTY123456", "1q2w3e4r5t6y", "LeaveMeAlone"]) {
      const outcome = await call(signupAction, "/signup", { form: { email: uniqueEmail(), password } });
      expect(outcome.status, password).toBe(400);
      expect(outcome.data.fieldErrors.password).toBe("errors.passwordWeak.common");
    }
  });
});

describe("verification codes", () => {
  async function pendingSignup() {
    const email = uniqueEmail();
    await call(signupAction, "/signup", { form: { email, password: STRONG_PASSWORD } });
    return email;
  }

  it("stores only a hash of the code", async () => {
    const email = await pendingSignup();
    const code = await codeFrom(email);
    const rows = await getDb().selectFrom("email_codes").select("code_hash").execute();
    expect(rows.some((row) => row.code_hash.includes(code))).toBe(false);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.code_hash))).toBe(true);
  });

  it("works once: a replayed code is refused", async () => {
    const email = await pendingSignup();
    const code = await codeFrom(email);
    expect((await call(verifyAction, "/verify", { form: { email, code } })).status).toBe(302);
    const replay = await call(verifyAction, "/verify", { form: { email, code } });
    expect(replay.status).toBe(400);
    expect(replay.data.fieldErrors.code).toBe("errors.invalid_code");
  });

  it("expires after 15 minutes", async () => {
    const email = await pendingSignup();
    const code = await codeFrom(email);
    await getDb().updateTable("email_codes").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    const outcome = await call(verifyAction, "/verify", { form: { email, code } });
    // The same answer as any other refusal: /verify does not tell whether the address has an account.
    expect(outcome.data.fieldErrors.code).toBe("errors.invalid_code");
  });

  it("allows five wrong tries, then refuses even the right code", async () => {
    const email = await pendingSignup();
    const code = await codeFrom(email);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 4; i++) {
      expect((await call(verifyAction, "/verify", { form: { email, code: wrong } })).data.fieldErrors.code).toBe("errors.invalid_code");
    }
    expect((await call(verifyAction, "/verify", { form: { email, code: wrong } })).data.fieldErrors.code).toBe("errors.invalid_code");
    const right = await call(verifyAction, "/verify", { form: { email, code } });
    expect(right.status).toBe(400);
  });

  it("a new code replaces the old one", async () => {
    const email = await pendingSignup();
    const first = await codeFrom(email);
    await call(verifyAction, "/verify", { form: { email, intent: "resend" } });
    const second = await codeFrom(email);
    if (first !== second) {
      expect((await call(verifyAction, "/verify", { form: { email, code: first } })).status).toBe(400);
    }
    expect((await call(verifyAction, "/verify", { form: { email, code: second } })).status).toBe(302);
  });

  it("refuses malformed codes without touching the attempt count", async () => {
    const email = await pendingSignup();
    for (const code of ["", "12345", "1234567", "abcdef"]) {
      const outcome = await call(verifyAction, "/verify", { form: { email, code } });
      expect(outcome.status).toBe(400);
      expect(outcome.data.fieldErrors.code).toBeDefined();
    }
    const row = await getDb().selectFrom("email_codes").innerJoin("users", "users.id", "email_codes.user_id").select("attempts").where("users.email", "=", email).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(0);
  });

  it("answers the same for an unknown address", async () => {
    const outcome = await call(verifyAction, "/verify", { form: { email: uniqueEmail(), code: "123456" } });
    expect(outcome.data.fieldErrors.code).toBe("errors.invalid_code");
  });
});

describe("log-in and sessions", () => {
  it("gives the same answer for an unknown email and a wrong password", async () => {
    const user = await createUser();
    const unknown = await logIn(uniqueEmail(), STRONG_PASSWORD);
    const wrong = await logIn(user.email, "wrong password entirely");
    expect(unknown.status).toBe(wrong.status);
    // Each answer refills the address its sender typed (the log-in page runs without scripts); the rest is identical.
    expect({ ...unknown.data, email: "typed" }).toEqual({ ...wrong.data, email: "typed" });
    expect(wrong.data.email).toBe(user.email);
    expect(unknown.data.formError).toBe("errors.invalid_credentials");
  });

  it("sets an HttpOnly, SameSite=Lax session cookie (not Secure outside production) and stores only its hash", async () => {
    const user = await createUser();
    const outcome = await logIn(user.email, user.password);
    const sessionCookie = outcome.setCookies.find((cookie) => cookie.startsWith("ferry_session=") && !cookie.startsWith("ferry_session=;"));
    expect(sessionCookie).toBeDefined();
    expect(sessionCookie).toMatch(/HttpOnly/i);
    expect(sessionCookie).toMatch(/SameSite=Lax/i);
    expect(sessionCookie).not.toMatch(/Secure/i);
    const id = sessionCookie!.split(";")[0]!.split("=")[1]!;
    const stored = await getDb().selectFrom("sessions").select("id").where("user_id", "=", user.id).execute();
    expect(stored.map((row) => row.id)).toEqual([sha256Hex(id)]);
  });

  it("issues a fresh session id at every log-in and drops the one the browser came with", async () => {
    const user = await createUser();
    const first = await sessionCookieFor(user.email, user.password);
    const second = await call(loginAction, "/login", { form: { email: user.email, password: user.password }, cookie: first });
    const secondCookie = cookieHeader(second.setCookies.filter((cookie) => !cookie.startsWith("ferry_session=;")));
    expect(secondCookie).not.toBe(first);
    expect(await isAuthenticated(first)).toBe(false);
    expect(await isAuthenticated(secondCookie)).toBe(true);
  });

  it("logout kills the session on the server; a GET to /logout changes nothing", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.email, user.password);
    const viaGet = await call(logoutLoader, "/logout", { cookie });
    expect(viaGet.status).toBe(302);
    expect(await isAuthenticated(cookie)).toBe(true);
    const outcome = await call(logoutAction, "/logout", { method: "POST", cookie });
    expect(outcome.location).toBe("/login?notice=logged-out");
    expect(await isAuthenticated(cookie)).toBe(false);
  });

  it("refuses a disabled account and ends its sessions", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.email, user.password);
    await getDb().updateTable("users").set({ disabled_at: new Date().toISOString() }).where("id", "=", user.id).execute();
    expect(await isAuthenticated(cookie)).toBe(false);
    expect((await logIn(user.email, user.password)).data.formError).toBe("errors.account_disabled");
  });

  it("redirects only to same-site paths after log-in", async () => {
    const user = await createUser();
    const offsite = await call(loginAction, "/login", { form: { email: user.email, password: user.password, redirectTo: "//evil.example/x" } });
    expect(offsite.location).toBe("/account");
    const onsite = await call(loginAction, "/login", { form: { email: user.email, password: user.password, redirectTo: "/account/password" } });
    expect(onsite.location).toBe("/account/password");
  });

  it("sends anonymous visitors of the account area to log-in", async () => {
    const outcome = await call(accountLoader, "/account?tab=1");
    expect(outcome.status).toBe(302);
    expect(outcome.location).toBe(`/login?redirectTo=${encodeURIComponent("/account?tab=1")}`);
  });
});

describe("rate limits", () => {
  it("slows down wrong passwords for an account from one address with 429 and Retry-After", async () => {
    const user = await createUser();
    let last;
    for (let i = 0; i < 6; i++) last = await logIn(user.email, "wrong password entirely", "192.0.2.1");
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("Retry-After"))).toBeGreaterThan(0);
    // The owner, from elsewhere, is not locked out.
    expect((await logIn(user.email, user.password, "192.0.2.200")).status).toBe(302);
  });

  it("limits log-in attempts per IP across accounts", async () => {
    let last;
    for (let i = 0; i < 31; i++) last = await logIn(uniqueEmail(), "wrong password entirely", "198.51.100.77");
    expect(last!.status).toBe(429);
    expect(last!.headers.get("Retry-After")).toMatch(/^\d+$/);
  });

  it("limits e-mails sent to one address", async () => {
    const user = await createUser();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await call(forgotAction, "/forgot-password", { form: { email: user.email }, ip: `203.0.113.${i + 1}` })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(429);
    expect(await countMailTo(user.email)).toBe(5);
  });

  it("limits code checks per IP", async () => {
    let last;
    for (let i = 0; i <= RATE_LIMITS.codeCheckPerIp.limit; i++) last = await call(verifyAction, "/verify", { form: { email: uniqueEmail(), code: "123456" }, ip: "203.0.113.99" });
    expect(last!.status).toBe(429);
  });
});

describe("password reset", () => {
  it("answers the same for unknown addresses and mails nothing", async () => {
    const unknown = uniqueEmail();
    const outcome = await call(forgotAction, "/forgot-password", { form: { email: unknown } });
    const user = await createUser();
    const known = await call(forgotAction, "/forgot-password", { form: { email: user.email } });
    expect(outcome.status).toBe(known.status);
    expect(outcome.data).toEqual(known.data);
    expect(await countMailTo(unknown)).toBe(0);
    expect(await countMailTo(user.email)).toBe(1);
  });

  it("resets once with the mailed link, ends every session, and the old password stops working", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.email, user.password);
    await call(forgotAction, "/forgot-password", { form: { email: user.email } });
    const token = await resetTokenFrom(user.email);
    expect(token.length).toBeGreaterThanOrEqual(40);
    const stored = await getDb().selectFrom("email_codes").select("code_hash").where("user_id", "=", user.id).execute();
    expect(stored.some((row) => row.code_hash.includes(token))).toBe(false);

    expect((await call(resetLoader, `/reset-password?token=${token}`)).data.token).toBe(token);
    const newPassword = "a brand new passphrase 77";
    const outcome = await call(resetAction, "/reset-password", { form: { token, password: newPassword, confirm: newPassword } });
    expect(outcome.location).toBe("/login?notice=reset");
    expect(await isAuthenticated(cookie)).toBe(false);
    expect((await logIn(user.email, user.password)).status).toBe(400);
    expect((await logIn(user.email, newPassword)).status).toBe(302);

    const replay = await call(resetAction, "/reset-password", { form: { token, password: "yet another passphrase 8", confirm: "yet another passphrase 8" } });
    expect(replay.data.formError).toBe("errors.reset_link_invalid");
    expect((await call(resetLoader, `/reset-password?token=${token}`)).data.token).toBeNull();
  });

  it("refuses an expired link and a forged one", async () => {
    const user = await createUser();
    await call(forgotAction, "/forgot-password", { form: { email: user.email } });
    const token = await resetTokenFrom(user.email);
    const forged = await call(resetAction, "/reset-password", { form: { token: "x".repeat(43), password: "a brand new passphrase 77", confirm: "a brand new passphrase 77" } });
    expect(forged.data.formError).toBe("errors.reset_link_invalid");
    await getDb().updateTable("email_codes").set({ expires_at: new Date(Date.now() - 1).toISOString() }).where("user_id", "=", user.id).execute();
    const expired = await call(resetAction, "/reset-password", { form: { token, password: "a brand new passphrase 77", confirm: "a brand new passphrase 77" } });
    expect(expired.data.formError).toBe("errors.reset_link_invalid");
    expect((await logIn(user.email, user.password)).status).toBe(302);
  });

  it("keeps the link usable after a refused password, but not forever", async () => {
    const user = await createUser();
    await call(forgotAction, "/forgot-password", { form: { email: user.email } });
    const token = await resetTokenFrom(user.email);
    const mismatch = await call(resetAction, "/reset-password", { form: { token, password: "a brand new passphrase 77", confirm: "different" } });
    expect(mismatch.data.fieldErrors.confirm).toBe("errors.passwordMismatch");
    for (let i = 0; i < 5; i++) {
      const common = await call(resetAction, "/reset-password", { form: { token, password: "123456654321", confirm: "123456654321" } });
      expect(common.status).toBe(400);
    }
    const afterTries = await call(resetAction, "/reset-password", { form: { token, password: "a brand new passphrase 77", confirm: "a brand new passphrase 77" } });
    expect(afterTries.data.formError).toBe("errors.reset_link_invalid");
  });
});

describe("change password", () => {
  it("needs the current password, then ends every other session but this one", async () => {
    const user = await createUser();
    const here = await sessionCookieFor(user.email, user.password);
    const elsewhere = await sessionCookieFor(user.email, user.password);
    const wrong = await call(changePasswordAction, "/account/password", {
      cookie: here,
      form: { currentPassword: "not my password!", password: "fresh passphrase number 1", confirm: "fresh passphrase number 1" },
    });
    expect(wrong.data.fieldErrors.currentPassword).toBe("errors.wrong_password");
    expect(await isAuthenticated(elsewhere)).toBe(true);

    const done = await call(changePasswordAction, "/account/password", {
      cookie: here,
      form: { currentPassword: user.password, password: "fresh passphrase number 1", confirm: "fresh passphrase number 1" },
    });
    expect(done.status).toBe(200);
    expect(done.data.ok).toBe(true);
    expect(await isAuthenticated(here)).toBe(true);
    expect(await isAuthenticated(elsewhere)).toBe(false);
    expect((await logIn(user.email, "fresh passphrase number 1")).status).toBe(302);
    expect((await latestMailTo(user.email))?.subject).toMatch(/password was changed/);
  });

  it("refuses the same password and common ones", async () => {
    const user = await createUser();
    const cookie = await sessionCookieFor(user.email, user.password);
    const same = await call(changePasswordAction, "/account/password", { cookie, form: { currentPassword: user.password, password: user.password, confirm: user.password } });
    expect(same.data.fieldErrors.password).toBe("errors.password_reused");
    const common = await call(changePasswordAction, "/account/password", { cookie, form: { currentPassword: user.password, password: "123456654321", confirm: "123456654321" } });
    expect(common.data.fieldErrors.password).toBe("errors.passwordWeak.common");
  });
});
