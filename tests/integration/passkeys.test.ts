// Passkeys through the real JSON endpoints with a software authenticator (real P-256 signatures):
// adding one needs a full session and an enrolled app; challenges are bound to the session, used
// once and expire; the second step of a log-in with a passkey gives a full session; a replayed
// assertion, a foreign origin and a counter that does not move forward are refused and counted
// towards the lock; removal keeps an operator's required factor.
import { beforeEach, describe, expect, it } from "vitest";
import { removePasskey } from "~/domain/passkeys.server";
import { enrolTotpWithKnownSecret, MAX_FAILED_ATTEMPTS } from "~/domain/two-factor.server";
import { generateTotpSecret } from "~/domain/totp";
import { getDb } from "~/lib/db.server";
import { loader as accountLoader } from "~/routes/account";
import { action as securityAction, loader as securityLoader } from "~/routes/account.security";
import { action as registrationOptions } from "~/routes/account.security.passkeys.options";
import { action as registrationVerify } from "~/routes/account.security.passkeys.verify";
import { action as loginAction } from "~/routes/login";
import { action as assertionOptions } from "~/routes/login_.passkey.options";
import { action as assertionVerify } from "~/routes/login_.passkey.verify";
import { loader as secondFactorLoader } from "~/routes/login_.second-factor";
import { call, cookieHeader, createUser, fullSessionCookie } from "./helpers";
import { SoftAuthenticator } from "./soft-authenticator";

const RP_ID = "ferry.test"; // tests/integration/setup.ts sets APP_URL=http://ferry.test
const ORIGIN = "http://ferry.test";

type TestUser = Awaited<ReturnType<typeof createUser>>;

const postJson = (fn: Parameters<typeof call>[0], path: string, cookie: string, body: unknown = {}) =>
  call(fn, path, { cookie, method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });

async function operatorWithApp(): Promise<TestUser> {
  const user = await createUser({ role: "staff" });
  await enrolTotpWithKnownSecret(getDb(), user.id, generateTotpSecret());
  return user;
}

/** Adds a passkey in a full session; returns that session's cookie. */
async function addPasskey(user: TestUser, authenticator: SoftAuthenticator, name = "Laptop"): Promise<string> {
  const cookie = await fullSessionCookie(user.id);
  const options = await postJson(registrationOptions, "/account/security/passkeys/options", cookie);
  expect(options.status).toBe(200);
  const saved = await postJson(registrationVerify, "/account/security/passkeys/verify", cookie, { name, response: authenticator.register(options.data.challenge) });
  expect(saved.status).toBe(200);
  return cookie;
}

/** The password step: a session waiting for the second factor. */
async function pendingSession(user: TestUser): Promise<string> {
  const outcome = await call(loginAction, "/login", { form: { email: user.email, password: user.password } });
  expect(outcome.location).toMatch(/^\/login\/second-factor/);
  return cookieHeader(outcome.setCookies);
}

async function challengeFor(cookie: string): Promise<{ challenge: string; allowCredentials: { id: string }[] }> {
  const options = await postJson(assertionOptions, "/login/passkey/options", cookie);
  expect(options.status).toBe(200);
  return options.data;
}

async function failedAttempts(userId: string): Promise<number> {
  const row = await getDb().selectFrom("two_factor_totp").select("failed_attempts").where("user_id", "=", userId).executeTakeFirstOrThrow();
  return row.failed_attempts;
}

describe("adding a passkey", () => {
  it("needs an enrolled authenticator app first", async () => {
    const developer = await createUser();
    const cookie = await fullSessionCookie(developer.id);
    const options = await postJson(registrationOptions, "/account/security/passkeys/options", cookie);
    expect(options.status).toBe(400);
    expect(options.data.error).toBe("twoFactor.errors.not_enrolled");
  });

  it("stores the public key, counter, transports and name (nothing secret), and lists it", async () => {
    const staff = await operatorWithApp();
    const authenticator = new SoftAuthenticator(RP_ID, ORIGIN);
    const cookie = await addPasskey(staff, authenticator, "Work laptop");
    const row = await getDb().selectFrom("passkeys").selectAll().where("user_id", "=", staff.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ credential_id: authenticator.id, name: "Work laptop", counter: 0, transports: '["internal"]', last_used_at: null });
    expect(row.public_key).toMatch(/^[A-Za-z0-9_-]+$/);
    const page = await call(securityLoader, "/account/security", { cookie });
    expect(page.data.passkeys.map((p: { name: string }) => p.name)).toEqual(["Work laptop"]);
  });

  it("binds the challenge to the session and uses it once", async () => {
    const staff = await operatorWithApp();
    const authenticator = new SoftAuthenticator(RP_ID, ORIGIN);
    const mine = await fullSessionCookie(staff.id);
    const other = await fullSessionCookie(staff.id);
    const options = await postJson(registrationOptions, "/account/security/passkeys/options", mine);
    const response = authenticator.register(options.data.challenge);

    const elsewhere = await postJson(registrationVerify, "/account/security/passkeys/verify", other, { name: "Laptop", response });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.data.error).toBe("twoFactor.errors.challenge_invalid");

    const saved = await postJson(registrationVerify, "/account/security/passkeys/verify", mine, { name: "Laptop", response });
    expect(saved.status).toBe(200);
    const replayed = await postJson(registrationVerify, "/account/security/passkeys/verify", mine, { name: "Laptop", response });
    expect(replayed.data.error).toBe("twoFactor.errors.challenge_invalid");
    await expect(getDb().selectFrom("passkeys").select("id").where("user_id", "=", staff.id).execute()).resolves.toHaveLength(1);
  });

  it("refuses an attestation from another origin, and a body that is not a credential", async () => {
    const staff = await operatorWithApp();
    const cookie = await fullSessionCookie(staff.id);
    const options = await postJson(registrationOptions, "/account/security/passkeys/options", cookie);
    const foreign = new SoftAuthenticator(RP_ID, "https://evil.example").register(options.data.challenge);
    const refused = await postJson(registrationVerify, "/account/security/passkeys/verify", cookie, { name: "Laptop", response: foreign });
    expect(refused.data.error).toBe("twoFactor.errors.passkey_invalid");
    const junk = await postJson(registrationVerify, "/account/security/passkeys/verify", cookie, { name: "Laptop", response: { id: "x" } });
    expect(junk.status).toBe(400);
  });
});

describe("the second step with a passkey", () => {
  let staff: TestUser;
  let authenticator: SoftAuthenticator;
  beforeEach(async () => {
    staff = await operatorWithApp();
    authenticator = new SoftAuthenticator(RP_ID, ORIGIN);
    await addPasskey(staff, authenticator);
  });

  it("offers the user's credentials and upgrades the session like a code; the counter is recorded", async () => {
    const cookie = await pendingSession(staff);
    const page = await call(secondFactorLoader, "/login/second-factor", { cookie });
    expect(page.data.hasPasskey).toBe(true);
    const { challenge, allowCredentials } = await challengeFor(cookie);
    expect(allowCredentials.map((c) => c.id)).toEqual([authenticator.id]);

    const verified = await postJson(assertionVerify, "/login/passkey/verify", cookie, { response: authenticator.assert(challenge), redirectTo: "/staff/claims" });
    expect(verified.status).toBe(200);
    expect(verified.data.redirectTo).toBe("/staff/claims");
    const full = cookieHeader(verified.setCookies);
    expect(full).not.toBe(cookie);
    expect((await call(accountLoader, "/account", { cookie: full })).status).toBe(200);
    // The waiting session is gone.
    expect((await call(accountLoader, "/account", { cookie })).status).toBe(302);
    const row = await getDb().selectFrom("passkeys").select(["counter", "last_used_at"]).where("user_id", "=", staff.id).executeTakeFirstOrThrow();
    expect(row.counter).toBe(1);
    expect(row.last_used_at).not.toBeNull();
  });

  it("refuses a replayed assertion, an expired challenge, another origin and a counter that went back", async () => {
    const first = await pendingSession(staff);
    const { challenge } = await challengeFor(first);
    const assertion = authenticator.assert(challenge);
    expect((await postJson(assertionVerify, "/login/passkey/verify", first, { response: assertion })).status).toBe(200);

    const cookie = await pendingSession(staff);
    await challengeFor(cookie);
    const replayed = await postJson(assertionVerify, "/login/passkey/verify", cookie, { response: assertion });
    expect(replayed.status).toBe(400);
    expect(replayed.data.error).toBe("twoFactor.errors.passkey_invalid");

    const expiring = await challengeFor(cookie);
    await getDb().updateTable("webauthn_challenges").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    expect((await postJson(assertionVerify, "/login/passkey/verify", cookie, { response: authenticator.assert(expiring.challenge) })).status).toBe(400);

    const foreign = await challengeFor(cookie);
    expect((await postJson(assertionVerify, "/login/passkey/verify", cookie, { response: authenticator.assert(foreign.challenge, { origin: "https://evil.example" }) })).status).toBe(400);

    const stale = await challengeFor(cookie);
    const regressed = await postJson(assertionVerify, "/login/passkey/verify", cookie, { response: authenticator.assert(stale.challenge, { counter: 1 }) });
    expect(regressed.status).toBe(400);
    expect(await failedAttempts(staff.id)).toBe(4);
    // Still waiting for the second factor; a right assertion passes.
    const right = await challengeFor(cookie);
    expect((await postJson(assertionVerify, "/login/passkey/verify", cookie, { response: authenticator.assert(right.challenge) })).status).toBe(200);
    expect(await failedAttempts(staff.id)).toBe(0);
  });

  it("counts failures with the code attempts: the limit locks the factor for passkeys too", async () => {
    const cookie = await pendingSession(staff);
    for (let attempt = 1; attempt <= MAX_FAILED_ATTEMPTS; attempt++) {
      const { challenge } = await challengeFor(cookie);
      const refused = await postJson(assertionVerify, "/login/passkey/verify", cookie, { response: authenticator.assert(challenge, { origin: "https://evil.example" }) });
      expect(refused.status).toBe(attempt === MAX_FAILED_ATTEMPTS ? 429 : 400);
    }
    const { challenge } = await challengeFor(cookie);
    const locked = await postJson(assertionVerify, "/login/passkey/verify", cookie, { response: authenticator.assert(challenge) });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("Retry-After")).toBeTruthy();
  });

  it("is not reachable for a full session or a visitor", async () => {
    const full = await fullSessionCookie(staff.id);
    expect((await postJson(assertionOptions, "/login/passkey/options", full)).location).toBe("/staff/claims");
    expect((await postJson(assertionOptions, "/login/passkey/options", "")).location).toMatch(/^\/login/);
  });
});

describe("removing a passkey", () => {
  it("removes one of the user's passkeys; another user's id is not found", async () => {
    const staff = await operatorWithApp();
    const cookie = await addPasskey(staff, new SoftAuthenticator(RP_ID, ORIGIN));
    const [passkey] = await getDb().selectFrom("passkeys").select("id").where("user_id", "=", staff.id).execute();
    const stranger = await operatorWithApp();
    const foreign = await call(securityAction, "/account/security", { cookie: await fullSessionCookie(stranger.id), form: { intent: "removePasskey", passkeyId: passkey!.id } });
    expect(foreign.status).toBe(400);
    const removed = await call(securityAction, "/account/security", { cookie, form: { intent: "removePasskey", passkeyId: passkey!.id } });
    expect(removed.status).toBe(200);
    await expect(getDb().selectFrom("passkeys").select("id").where("user_id", "=", staff.id).execute()).resolves.toHaveLength(0);
  });

  it("keeps an operator's last factor", async () => {
    const staff = await operatorWithApp();
    await addPasskey(staff, new SoftAuthenticator(RP_ID, ORIGIN));
    await getDb().deleteFrom("two_factor_totp").where("user_id", "=", staff.id).execute();
    const [passkey] = await getDb().selectFrom("passkeys").select("id").where("user_id", "=", staff.id).execute();
    const refused = await removePasskey(getDb(), staff, passkey!.id, null);
    expect(refused).toEqual({ ok: false, reason: "operator_must_keep" });
  });
});
