// API keys through the routes a person uses: create (show once), list, revoke, roll, re-authenticate.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkKeyFormat } from "~/domain/api-key-format";
import { createApiKey, hashApiKey, listApiKeys, MAX_ACTIVE_KEYS, rollApiKey } from "~/domain/api-keys.server";
import { getDb, dialectOf } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { action as loginAction } from "~/routes/login";
import { action as newKeyAction, loader as newKeyLoader } from "~/routes/account.keys.new";
import { action as keysAction, loader as keysLoader } from "~/routes/account.keys._index";
import { action as rollAction, loader as rollLoader } from "~/routes/account.keys.$keyId.roll";
import { loader as snippetsLoader } from "~/routes/account.snippets";
import { loader as dashboardLoader } from "~/routes/account._index";
import { call, cookieHeader, countMailTo, createUser, latestMailTo } from "./helpers";

async function signedIn() {
  const user = await createUser();
  const login = await call(loginAction, "/login", { form: { email: user.email, password: user.password } });
  expect(login.status).toBe(302);
  return { user, cookie: cookieHeader(login.setCookies) };
}

async function createViaForm(cookie: string, form: Record<string, string> = {}) {
  const page = await call(newKeyLoader, "/account/keys/new", { cookie });
  expect(page.status).toBe(200);
  return call(newKeyAction, "/account/keys/new", { cookie, form: { name: "laptop", formToken: page.data.formToken, ...form } });
}

async function ageSession(userId: string, minutes: number) {
  const at = new Date(Date.now() - minutes * 60_000).toISOString();
  await getDb().updateTable("sessions").set({ authenticated_at: at }).where("user_id", "=", userId).execute();
}

/** Every byte of the SQLite database (main file, WAL, shared memory), as Latin-1 text. */
function sqliteBytes(): string {
  const file = getEnv().DATABASE_URL;
  const base = file.split("/").pop()!;
  return readdirSync(dirname(file))
    .filter((name) => name.startsWith(base))
    .map((name) => readFileSync(join(dirname(file), name)).toString("latin1"))
    .join("\n");
}

describe("creating a key", () => {
  it("returns a well-formed key once, stores only its hash, and mails a notice", async () => {
    const { user, cookie } = await signedIn();
    const stepOf = async () => (await call(dashboardLoader, "/account", { cookie })).data.steps.find((step: { id: string }) => step.id === "apiKeys");
    expect(await stepOf()).toMatchObject({ state: "next", href: "/account/keys" });
    const created = await createViaForm(cookie, { expiresInDays: "30" });
    expect(await stepOf()).toMatchObject({ state: "done" });
    expect(created.status).toBe(200);
    expect(created.headers.get("Cache-Control")).toBe("no-store");
    const key: string = created.data.key;
    expect(checkKeyFormat(key, "glmsk")).toEqual({ ok: true });
    expect(created.data.apiKey.expiresAt).toBeTruthy();
    const python = created.data.snippets.snippets.find((snippet: { id: string }) => snippet.id === "python");
    expect(python.code).toContain(`api_key="${key}"`);
    expect(python.html).toContain("hljs-");

    const row = await getDb().selectFrom("api_keys").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(key));
    expect(row.visible_prefix).toBe(key.slice(0, 10));
    expect(row.last_four).toBe(key.slice(-4));
    const mail = await latestMailTo(user.email);
    expect(mail?.subject).toContain("laptop");
    expect(mail?.text_body).toContain(`${row.visible_prefix}…${row.last_four}`);

    // Not in any table as text (both dialects) …
    const secretPart = key.slice(10, -4);
    for (const table of ["api_keys", "audit_log", "mail_outbox", "sessions"] as const) {
      const rows = await getDb().selectFrom(table).selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(secretPart);
    }
    // … and not anywhere in the SQLite files on disk, including the WAL.
    if (dialectOf(getDb()) === "sqlite") {
      const bytes = sqliteBytes();
      expect(bytes).toContain(row.key_hash);
      expect(bytes).not.toContain(key);
      expect(bytes).not.toContain(secretPart);
    }
  });

  it("never shows the key again: not in the list, not on reload, not on a resubmitted form", async () => {
    const { user, cookie } = await signedIn();
    const page = await call(newKeyLoader, "/account/keys/new", { cookie });
    const form = { name: "ci", formToken: page.data.formToken };
    const created = await call(newKeyAction, "/account/keys/new", { cookie, form });
    const key: string = created.data.key;
    const list = await call(keysLoader, "/account/keys", { cookie });
    expect(list.data.keys).toHaveLength(1);
    expect(list.data.keys[0].visiblePrefix).toBe(key.slice(0, 10));
    expect(JSON.stringify(list.data)).not.toContain(key);
    const reload = await call(newKeyLoader, "/account/keys/new", { cookie });
    expect(JSON.stringify(reload.data)).not.toContain(key);
    const snippets = await call(snippetsLoader, "/account/snippets", { cookie });
    expect(JSON.stringify(snippets.data)).not.toContain(key);
    expect(JSON.stringify(snippets.data)).toContain("YOUR_API_KEY");

    const resubmitted = await call(newKeyAction, "/account/keys/new", { cookie, form });
    expect(resubmitted.status).toBe(400);
    expect(resubmitted.data.formError).toBe("keys.errors.already_created");
    expect(JSON.stringify(resubmitted.data)).not.toContain(key);
    expect(await listApiKeys(getDb(), user.id)).toHaveLength(1);
  });

  it("validates the form and changes nothing on bad input", async () => {
    const { user, cookie } = await signedIn();
    const blank = await createViaForm(cookie, { name: "   " });
    expect(blank.status).toBe(400);
    expect(blank.data.fieldErrors.name).toBe("keys.errors.nameRequired");
    const longName = await createViaForm(cookie, { name: "x".repeat(61) });
    expect(longName.data.fieldErrors.name).toBe("keys.errors.nameTooLong");
    const badExpiry = await createViaForm(cookie, { expiresInDays: "9999" });
    expect(badExpiry.data.fieldErrors.expiresInDays).toBe("keys.errors.expiryInvalid");
    expect(await listApiKeys(getDb(), user.id)).toHaveLength(0);
  });

  it("asks for the password again when the last entry is over 10 minutes old", async () => {
    const { user, cookie } = await signedIn();
    await ageSession(user.id, 11);
    const page = await call(newKeyLoader, "/account/keys/new", { cookie });
    expect(page.data.needsPassword).toBe(true);
    const missing = await createViaForm(cookie);
    expect(missing.status).toBe(401);
    expect(missing.data.fieldErrors.password).toBe("keys.errors.passwordRequired");
    const wrong = await createViaForm(cookie, { password: "not the password at all" });
    expect(wrong.status).toBe(401);
    expect(wrong.data.fieldErrors.password).toBe("keys.errors.wrongPassword");
    expect(await listApiKeys(getDb(), user.id)).toHaveLength(0);

    const right = await createViaForm(cookie, { password: user.password });
    expect(right.status).toBe(200);
    expect(right.data.key).toMatch(/^glmsk_/);
    // The session counts as fresh again: the next key needs no password.
    const again = await call(newKeyLoader, "/account/keys/new", { cookie });
    expect(again.data.needsPassword).toBe(false);
    expect((await createViaForm(cookie, { name: "second" })).status).toBe(200);
  });

  it("a fresh session needs no password", async () => {
    const { user, cookie } = await signedIn();
    await ageSession(user.id, 9);
    expect((await createViaForm(cookie)).status).toBe(200);
  });

  it("allows at most 20 active keys, counting neither revoked nor rolled ones", async () => {
    const { user, cookie } = await signedIn();
    const db = getDb();
    const made = [];
    for (let i = 0; i < MAX_ACTIVE_KEYS; i++) {
      const result = await createApiKey(db, { accountId: user.id, name: `k${i}`, prefix: "glmsk" });
      expect(result.ok).toBe(true);
      if (result.ok) made.push(result.apiKey.id);
    }
    const refused = await createViaForm(cookie, { name: "one too many" });
    expect(refused.status).toBe(409);
    expect(refused.data.formError).toBe("keys.errors.too_many_keys");
    // Rolling at the limit works: the old key is on its way out.
    const rolled = await rollApiKey(db, { accountId: user.id, keyId: made[0]!, graceHours: 24, prefix: "glmsk" });
    expect(rolled.ok).toBe(true);
    const revoke = await call(keysAction, "/account/keys", { cookie, form: { intent: "revoke", keyId: made[1]! } });
    expect(revoke.status).toBe(200);
    expect((await createViaForm(cookie, { name: "fits again" })).status).toBe(200);
  });
});

describe("revoking and rolling", () => {
  it("revokes idempotently, and another account's key is a 404", async () => {
    const { user, cookie } = await signedIn();
    const created = await createViaForm(cookie);
    const keyId: string = created.data.apiKey.id;
    const first = await call(keysAction, "/account/keys", { cookie, form: { intent: "revoke", keyId } });
    expect(first.data).toMatchObject({ ok: true, alreadyRevoked: false });
    const second = await call(keysAction, "/account/keys", { cookie, form: { intent: "revoke", keyId } });
    expect(second.data).toMatchObject({ ok: true, alreadyRevoked: true });
    const rows = await getDb().selectFrom("api_keys").select("revoked_at").where("user_id", "=", user.id).execute();
    expect(rows[0]!.revoked_at).toBeTruthy();
    const audits = await getDb().selectFrom("audit_log").select("action").where("target_id", "=", keyId).execute();
    expect(audits.map((audit) => audit.action).sort()).toEqual(["api_key.create", "api_key.revoke"]);

    const other = await signedIn();
    const otherKey = (await createViaForm(other.cookie)).data.apiKey.id as string;
    const foreignRevoke = await call(keysAction, "/account/keys", { cookie, form: { intent: "revoke", keyId: otherKey } });
    expect(foreignRevoke.status).toBe(404);
    const foreignRoll = await call(rollLoader, `/account/keys/${otherKey}/roll`, { cookie, params: { keyId: otherKey } });
    expect(foreignRoll.status).toBe(404);
    const foreignRollPost = await call(rollAction, `/account/keys/${otherKey}/roll`, { cookie, params: { keyId: otherKey }, form: { graceHours: "0", formToken: "x".repeat(24) } });
    expect(foreignRollPost.status).toBe(404);
    const untouched = await getDb().selectFrom("api_keys").select(["revoked_at", "rolled_at"]).where("id", "=", otherKey).executeTakeFirstOrThrow();
    expect(untouched).toEqual({ revoked_at: null, rolled_at: null });
  });

  it("rolls through the page: new key shown once, old one kept for the chosen grace, notice mailed", async () => {
    const { user, cookie } = await signedIn();
    const created = await createViaForm(cookie);
    const keyId: string = created.data.apiKey.id;
    const mailsBefore = await countMailTo(user.email);
    const page = await call(rollLoader, `/account/keys/${keyId}/roll`, { cookie, params: { keyId } });
    expect(page.status).toBe(200);
    const tooLong = await call(rollAction, `/account/keys/${keyId}/roll`, { cookie, params: { keyId }, form: { graceHours: "169", formToken: page.data.formToken } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.data.fieldErrors.graceHours).toBe("keys.errors.graceInvalid");
    const rolledFrom = Date.now();
    const rolled = await call(rollAction, `/account/keys/${keyId}/roll`, { cookie, params: { keyId }, form: { graceHours: "24", formToken: page.data.formToken } });
    const rolledBy = Date.now();
    expect(rolled.status).toBe(200);
    expect(rolled.data.key).not.toBe(created.data.key);
    expect(checkKeyFormat(rolled.data.key, "glmsk").ok).toBe(true);
    const until = Date.parse(rolled.data.previous.until);
    // Bracketed by the clock around the call, so a slow machine cannot push it out of range.
    expect(until).toBeGreaterThanOrEqual(rolledFrom + 24 * 3_600_000 - 1000);
    expect(until).toBeLessThanOrEqual(rolledBy + 24 * 3_600_000 + 1000);
    expect(await countMailTo(user.email)).toBe(mailsBefore + 1);
    const keys = await listApiKeys(getDb(), user.id);
    expect(keys.map((key) => key.status).sort()).toEqual(["active", "rolling"]);
    // A rolling key cannot be rolled again.
    const again = await call(rollAction, `/account/keys/${keyId}/roll`, { cookie, params: { keyId }, form: { graceHours: "0", formToken: "y".repeat(24) } });
    expect(again.status).toBe(409);
  });

  it("roll needs a recent password too", async () => {
    const { user, cookie } = await signedIn();
    const keyId: string = (await createViaForm(cookie)).data.apiKey.id;
    await ageSession(user.id, 30);
    const refused = await call(rollAction, `/account/keys/${keyId}/roll`, { cookie, params: { keyId }, form: { graceHours: "0", formToken: "z".repeat(24) } });
    expect(refused.status).toBe(401);
    expect((await listApiKeys(getDb(), user.id)).map((key) => key.status)).toEqual(["active"]);
  });
});
