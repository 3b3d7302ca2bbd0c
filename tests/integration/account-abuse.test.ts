// Issue #11: accounts hold against abuse. Each block is one point of the issue; the races run on
// SQLite and on PostgreSQL (TEST_DATABASE_URL), where concurrent transactions really interleave.
import { describe, expect, it, vi } from "vitest";
import { requestPasswordReset, resetPassword } from "~/domain/accounts.server";
import { createApiKey, listApiKeys, MAX_ACTIVE_KEYS } from "~/domain/api-keys.server";
import { getDb } from "~/lib/db.server";
import { resetEnvForTests } from "~/lib/env.server";
import { LOGIN_THROTTLE, loginWaitSeconds, recordLoginFailure } from "~/lib/login-throttle.server";
import { listOutbox } from "~/lib/mail.server";
import { hitRateLimit, RATE_LIMITS } from "~/lib/rate-limit.server";
import { action as evidenceAction } from "~/routes/account.evidence._index";
import { action as uploadAction } from "~/routes/account.evidence.upload";
import { action as loginAction, loader as loginLoader } from "~/routes/login";
import { action as resetAction } from "~/routes/reset-password";
import { action as signupAction } from "~/routes/signup";
import { action as verifyAction } from "~/routes/verify";
import { call, cookieHeader, createUser, latestMailTo, STRONG_PASSWORD, uniqueEmail } from "./helpers";

const codeIn = (text: string | undefined) => text?.match(/\b(\d{6})\b/)?.[1] ?? "";
const tokenIn = (text: string | undefined) => text?.match(/token=([A-Za-z0-9_-]+)/)?.[1] ?? "";

function logIn(email: string, password: string, ip: string) {
  return call(loginAction, "/login", { form: { email, password }, ip });
}

async function sessionCookie(email: string, password: string) {
  const outcome = await logIn(email, password, "198.51.100.50");
  expect(outcome.status).toBe(302);
  return cookieHeader(outcome.setCookies.filter((cookie) => !cookie.startsWith("ferry_session=;")));
}

async function signUp(email: string, password: string) {
  const outcome = await call(signupAction, "/signup", { form: { email, password } });
  expect(outcome.status).toBe(302);
  return latestMailTo(email);
}

describe("2. redirect after log-in", () => {
  it("keeps /login?redirectTo=%2F%09%2Fevil.example on this site, in the form and after the post", async () => {
    const page = await call(loginLoader, "/login?redirectTo=%2F%09%2Fevil.example");
    // Nothing unsafe reaches the form: it carries no target, and the user lands on their role's home.
    expect(page.data.redirectTo).toBe("");
    const user = await createUser();
    for (const redirectTo of ["/\t/evil.example", "/\\evil.example", "/.//evil.example", "https://evil.example"]) {
      const outcome = await call(loginAction, "/login", { form: { email: user.email, password: user.password, redirectTo } });
      expect(outcome.location, redirectTo).toBe("/account");
    }
  });
});

describe("4. counters under concurrency", () => {
  it("25 parallel wrong codes use up the code: the right one is refused afterwards", async () => {
    const email = uniqueEmail();
    const code = codeIn((await signUp(email, STRONG_PASSWORD))?.text_body);
    const wrong = code === "000000" ? "111111" : "000000";
    const attempts = await Promise.all(Array.from({ length: 25 }, () => call(verifyAction, "/verify", { form: { email, code: wrong } })));
    expect(attempts.every((outcome) => outcome.status === 400)).toBe(true);
    const right = await call(verifyAction, "/verify", { form: { email, code } });
    expect(right.status).toBe(400);
    const user = await getDb().selectFrom("users").select("email_verified_at").where("email", "=", email).executeTakeFirstOrThrow();
    expect(user.email_verified_at).toBeNull();
  });

  it("25 parallel refused passwords use up a reset link", async () => {
    const user = await createUser();
    await requestPasswordReset(getDb(), user.email);
    const token = tokenIn((await latestMailTo(user.email))?.text_body);
    const refused = await Promise.all(Array.from({ length: 25 }, () => resetPassword(getDb(), { token, password: "123456654321" })));
    expect(refused.every((result) => !result.ok)).toBe(true);
    const after = await resetPassword(getDb(), { token, password: "a brand new passphrase 77" });
    expect(after).toEqual({ ok: false, reason: "reset_link_invalid" });
  });

  it(`never lets concurrent creations pass ${MAX_ACTIVE_KEYS} active keys`, async () => {
    const user = await createUser();
    const results = await Promise.all(
      Array.from({ length: 27 }, (_, i) => createApiKey(getDb(), { accountId: user.id, name: `race ${i}`, prefix: "glmsk" })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(MAX_ACTIVE_KEYS);
    expect(results.filter((result) => !result.ok && result.reason === "too_many_keys")).toHaveLength(27 - MAX_ACTIVE_KEYS);
    expect((await listApiKeys(getDb(), user.id)).filter((key) => key.status === "active")).toHaveLength(MAX_ACTIVE_KEYS);
  });

  it("counts every concurrent hit of a rate limit once", async () => {
    const rule = { name: `race-${uniqueEmail()}`, limit: 30, windowSeconds: 3600 };
    const outcomes = await Promise.all(Array.from({ length: 45 }, () => hitRateLimit(getDb(), rule, "203.0.113.5")));
    expect(outcomes.filter((outcome) => outcome.allowed)).toHaveLength(30);
  });
});

describe("5. pending sign-ups and resets", () => {
  it("a second sign-up does not replace the password; the code used decides which password counts", async () => {
    const email = uniqueEmail();
    const ownerPassword = "the owner's own passphrase 1";
    const strangerPassword = "a stranger's passphrase 2";
    const ownerCode = codeIn((await signUp(email, ownerPassword))?.text_body);
    const ownerSession = await sessionCookie(email, ownerPassword);
    const strangerMail = await signUp(email, strangerPassword);
    // The mailbox owner is told that another sign-up is pending.
    expect(strangerMail?.text_body).toMatch(/another sign-up for this address/);
    expect((await logIn(email, strangerPassword, "198.51.100.51")).status).toBe(400);
    expect((await logIn(email, ownerPassword, "198.51.100.52")).status).toBe(302);

    const verified = await call(verifyAction, "/verify", { form: { email, code: ownerCode } });
    expect(verified.status).toBe(302);
    expect((await logIn(email, ownerPassword, "198.51.100.53")).status).toBe(302);
    expect((await logIn(email, strangerPassword, "198.51.100.54")).status).toBe(400);
    // The stranger's code no longer works once the address is verified.
    const strangerCode = codeIn(strangerMail?.text_body);
    expect((await call(verifyAction, "/verify", { form: { email, code: strangerCode } })).status).toBe(400);
    expect(ownerSession).not.toBe("");
  });

  it("a later sign-up's code sets that sign-up's password and ends sessions opened with the earlier one", async () => {
    const email = uniqueEmail();
    const firstPassword = "an earlier passphrase 33";
    const laterPassword = "the later passphrase 44";
    await signUp(email, firstPassword);
    const earlySession = await sessionCookie(email, firstPassword);
    const laterCode = codeIn((await signUp(email, laterPassword))?.text_body);
    const verified = await call(verifyAction, "/verify", { form: { email, code: laterCode } });
    expect(verified.status).toBe(302);
    expect((await logIn(email, laterPassword, "198.51.100.61")).status).toBe(302);
    expect((await logIn(email, firstPassword, "198.51.100.62")).status).toBe(400);
    const sessions = await getDb().selectFrom("sessions").innerJoin("users", "users.id", "sessions.user_id").select("sessions.id").where("users.email", "=", email).execute();
    // Only the sessions opened by the verification and the log-in above remain.
    expect(sessions).toHaveLength(2);
    expect(earlySession).not.toBe("");
  });

  it("a reset revokes every API key when asked to, and only then", async () => {
    for (const revokeKeys of [true, false]) {
      const user = await createUser();
      await createApiKey(getDb(), { accountId: user.id, name: "server", prefix: "glmsk" });
      await requestPasswordReset(getDb(), user.email);
      const token = tokenIn((await latestMailTo(user.email))?.text_body);
      const password = "a brand new passphrase 77";
      const form: Record<string, string> = { token, password, confirm: password };
      if (revokeKeys) form.revokeKeys = "on";
      expect((await call(resetAction, "/reset-password", { form })).status).toBe(302);
      const statuses = (await listApiKeys(getDb(), user.id)).map((key) => key.status);
      expect(statuses).toEqual([revokeKeys ? "revoked" : "active"]);
    }
  });
});

describe("7. failed log-ins slow the one who fails, not the account", () => {
  it("a stranger's wrong passwords from many addresses never keep the owner out", async () => {
    const user = await createUser();
    for (let i = 0; i < 30; i++) await logIn(user.email, "not the password at all", `192.0.2.${(i % 3) + 10}`);
    expect((await logIn(user.email, "not the password at all", "192.0.2.10")).status).toBe(429);
    expect((await logIn(user.email, user.password, "203.0.113.77")).status).toBe(302);
  });

  it("waits grow with each failure past the free ones, and a password reset clears them", async () => {
    const user = await createUser();
    const attempt = { email: user.email, ip: "192.0.2.99" };
    const now = new Date();
    const waits: number[] = [];
    for (let i = 1; i <= LOGIN_THROTTLE.accountIp.freeFailures + 3; i++) {
      await recordLoginFailure(getDb(), attempt, now);
      waits.push(await loginWaitSeconds(getDb(), attempt, now));
    }
    expect(waits).toEqual([0, 0, 0, 0, 2, 4, 8, 16]);
    expect(await loginWaitSeconds(getDb(), attempt, new Date(now.getTime() + 16_000))).toBe(0);
    expect(await loginWaitSeconds(getDb(), { ...attempt, ip: "192.0.2.98" }, now)).toBe(0);

    await recordLoginFailure(getDb(), attempt);
    expect((await logIn(user.email, user.password, "192.0.2.99")).status).toBe(429);
    await requestPasswordReset(getDb(), user.email);
    const token = tokenIn((await latestMailTo(user.email))?.text_body);
    expect((await resetPassword(getDb(), { token, password: "a brand new passphrase 77" })).ok).toBe(true);
    expect((await logIn(user.email, "a brand new passphrase 77", "192.0.2.99")).status).toBe(302);
  });
});

describe("8. /verify does not tell whether an account exists", () => {
  it("answers an unknown address, a wrong code, an expired code and a used-up code the same way", async () => {
    const answers = [];
    answers.push(await call(verifyAction, "/verify", { form: { email: uniqueEmail(), code: "123456" } }));
    const pending = uniqueEmail();
    await signUp(pending, STRONG_PASSWORD);
    answers.push(await call(verifyAction, "/verify", { form: { email: pending, code: "000001" } }));
    for (let i = 0; i < 5; i++) answers.push(await call(verifyAction, "/verify", { form: { email: pending, code: "000002" } }));
    const expired = uniqueEmail();
    const code = codeIn((await signUp(expired, STRONG_PASSWORD))?.text_body);
    const user = await getDb().selectFrom("users").select("id").where("email", "=", expired).executeTakeFirstOrThrow();
    await getDb().updateTable("email_codes").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where("user_id", "=", user.id).execute();
    answers.push(await call(verifyAction, "/verify", { form: { email: expired, code } }));
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.data).toEqual(answers[0]!.data);
    }
  });
});

describe("9. mail is never kept in clear", () => {
  it("seals the dev outbox: the stored row holds neither the code nor the link", async () => {
    const email = uniqueEmail();
    const code = codeIn((await signUp(email, STRONG_PASSWORD))?.text_body);
    expect(code).toMatch(/^\d{6}$/);
    const stored = await getDb().selectFrom("mail_outbox").selectAll().where("to_address", "=", email).executeTakeFirstOrThrow();
    expect(stored.text_body).not.toContain(code);
    expect(stored.subject).not.toContain(code);
    expect((await listOutbox(getDb(), 1, email))[0]!.text_body).toContain(code);
  });

  it("with MAIL_TRANSPORT=log-redacted, stores nothing and logs neither code nor link", async () => {
    process.env.MAIL_TRANSPORT = "log-redacted";
    resetEnvForTests();
    const logged = vi.spyOn(console, "info").mockImplementation(() => undefined);
    try {
      const user = await createUser();
      await requestPasswordReset(getDb(), user.email);
      expect(await listOutbox(getDb(), 5, user.email)).toHaveLength(0);
      const lines = logged.mock.calls.map((args) => args.join(" "));
      expect(lines.some((line) => line.includes(user.email))).toBe(true);
      expect(lines.some((line) => /token=|reset-password/.test(line))).toBe(false);
    } finally {
      logged.mockRestore();
      delete process.env.MAIL_TRANSPORT;
      resetEnvForTests();
    }
  });
});

describe("10. password strength", () => {
  it.each([
    ["aaaaaaaaaaaa", "errors.passwordWeak.simpleRepeat"],
    ["Password123!", "errors.passwordWeak.similarToCommon"],
    ["qwertyuiop[]", "errors.passwordWeak.straightRow"],
  ])("refuses %s and says why", async (password, reason) => {
    const outcome = await call(signupAction, "/signup", { form: { email: uniqueEmail(), password } });
    expect(outcome.status).toBe(400);
    expect(outcome.data.fieldErrors.password).toBe(reason);
  });

  it("refuses a password made of the e-mail address", async () => {
    const outcome = await call(signupAction, "/signup", { form: { email: "kingfisher.ferryman@example.com", password: "kingfisher.ferryman" } });
    expect(outcome.status).toBe(400);
    expect(outcome.data.fieldErrors.password).toMatch(/^errors\.passwordWeak\./);
  });

  it("refuses a weak new password on reset with the reason", async () => {
    const user = await createUser();
    await requestPasswordReset(getDb(), user.email);
    const token = tokenIn((await latestMailTo(user.email))?.text_body);
    const outcome = await call(resetAction, "/reset-password", { form: { token, password: "aaaaaaaaaaaa", confirm: "aaaaaaaaaaaa" } });
    expect(outcome.data.fieldErrors.password).toBe("errors.passwordWeak.simpleRepeat");
  });
});

describe("11. every 429 says when to retry", () => {
  it("the evidence upload and the OpenAI read send Retry-After", async () => {
    const user = await createUser();
    const cookie = await sessionCookie(user.email, user.password);
    for (let i = 0; i < RATE_LIMITS.evidenceUploadPerAccount.limit; i++) await hitRateLimit(getDb(), RATE_LIMITS.evidenceUploadPerAccount, user.id);
    for (let i = 0; i < RATE_LIMITS.evidenceApiReadPerAccount.limit; i++) await hitRateLimit(getDb(), RATE_LIMITS.evidenceApiReadPerAccount, user.id);
    const upload = await call(uploadAction, "/account/evidence/upload", {
      cookie,
      headers: { Accept: "application/json", "Content-Type": "multipart/form-data; boundary=x" },
      body: "--x--\r\n",
    });
    expect(upload.status).toBe(429);
    expect(Number(upload.headers.get("Retry-After"))).toBeGreaterThan(0);
    const read = await call(evidenceAction, "/account/evidence", { cookie, form: { intent: "read_api", adminKey: "sk-admin-0123456789abcdefghijklmnop" } });
    expect(read.status, JSON.stringify(read.data)).toBe(429);
    expect(Number(read.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});
