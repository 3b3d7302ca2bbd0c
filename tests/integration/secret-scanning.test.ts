// GitHub secret scanning partner endpoint: payloads signed with a key pair made here, the
// signature checked over the raw body, leaked keys revoked, recorded and their owners told.
import { generateKeyPairSync, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, generateApiKey } from "~/domain/api-keys.server";
import { authorizeApiKey } from "~/domain/gateway.server";
import { createSecretScanningHandler, parsePublishedKeys, SECRET_SCANNING_PATH } from "~/gateway/secret-scanning.server";
import { getDb } from "~/lib/db.server";
import { providerProfiles } from "~/providers";
import { countMailTo, createUser, latestMailTo } from "./helpers";

const glm = providerProfiles.glm;
const current = generateKeyPairSync("ec", { namedCurve: "P-256" });
const older = generateKeyPairSync("ec", { namedCurve: "P-256" });
const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pem = (pair: typeof current) => pair.publicKey.export({ type: "spki", format: "pem" }).toString();
// As GitHub serves it at /meta/public_keys/secret_scanning.
const published = JSON.stringify({
  public_keys: [
    { key_identifier: "current-id", key: pem(current), is_current: true },
    { key_identifier: "older-id", key: pem(older), is_current: false },
  ],
});

let server: Server;
let url: string;

beforeAll(async () => {
  const keys = parsePublishedKeys(published);
  if (typeof keys === "string") throw new Error(keys);
  server = createServer(createSecretScanningHandler({ db: getDb(), provider: glm, keys }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_SCANNING_PATH}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function signed(body: string, pair = current, identifier = "current-id") {
  return { "Content-Type": "application/json", "Github-Public-Key-Identifier": identifier, "Github-Public-Key-Signature": sign("sha256", Buffer.from(body), pair.privateKey).toString("base64") };
}

async function report(findings: unknown, headers?: Record<string, string>) {
  const body = JSON.stringify(findings);
  const response = await fetch(url, { method: "POST", headers: headers ?? signed(body), body });
  return { status: response.status, body: (await response.json()) as any };
}

async function liveKey(locale = "en") {
  const user = await createUser();
  if (locale !== "en") await getDb().updateTable("users").set({ locale }).where("id", "=", user.id).execute();
  const created = await createApiKey(getDb(), { accountId: user.id, name: "ci-key", prefix: glm.keyPrefix });
  if (!created.ok) throw new Error(created.reason);
  return { user, key: created.key, keyId: created.apiKey.id };
}

describe("signature", () => {
  it("refuses unsigned, wrongly signed, tampered or unknown-identifier reports and changes nothing", async () => {
    const { key, keyId } = await liveKey();
    const findings = [{ token: key, type: "glm_api_key", url: "https://github.com/o/r/blob/main/a.py", source: "content" }];
    const body = JSON.stringify(findings);
    const attempts: Record<string, string>[] = [
      { "Content-Type": "application/json" },
      signed(body, stranger),
      signed(body, current, "unknown-id"),
      { ...signed(body), "Github-Public-Key-Signature": "not base64 at all" },
      signed(`${body} `),
    ];
    for (const headers of attempts) {
      const response = await fetch(url, { method: "POST", headers, body });
      expect(response.status).toBe(401);
    }
    const row = await getDb().selectFrom("api_keys").select("revoked_at").where("id", "=", keyId).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
    expect(await getDb().selectFrom("api_key_leaks").select("id").where("key_id", "=", keyId).execute()).toHaveLength(0);
  });

  it("accepts a report signed with any published key (rotation)", async () => {
    const body = JSON.stringify([{ token: "nothing-of-ours", type: "glm_api_key", url: null, source: "content" }]);
    const response = await fetch(url, { method: "POST", headers: signed(body, older, "older-id"), body });
    expect(response.status).toBe(200);
  });
});

describe("leaked keys", () => {
  it("revokes our key, records where it was found, mails the owner, answers in the partner format", async () => {
    const { user, key, keyId } = await liveKey();
    const foreign = generateApiKey(glm.keyPrefix); // well-formed but never issued
    const broken = `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`; // checksum no longer matches
    const outcome = await report([
      { token: key, type: "glm_api_key", url: "https://github.com/octo/app/blob/abc/config.py", source: "content" },
      { token: foreign, type: "glm_api_key", url: "https://gist.github.com/x", source: "gist" },
      { token: broken, type: "glm_api_key", url: "https://github.com/y", source: "commit" },
    ]);
    expect(outcome.status).toBe(200);
    expect(outcome.body).toEqual([
      { token_raw: key, token_type: "glm_api_key", label: "true_positive" },
      { token_raw: foreign, token_type: "glm_api_key", label: "false_positive" },
      { token_raw: broken, token_type: "glm_api_key", label: "false_positive" },
    ]);
    expect(await authorizeApiKey(getDb(), glm, { apiKey: key })).toMatchObject({ ok: false, code: "key_revoked" });
    const leaks = await getDb().selectFrom("api_key_leaks").selectAll().where("key_id", "=", keyId).execute();
    expect(leaks).toEqual([expect.objectContaining({ url: "https://github.com/octo/app/blob/abc/config.py", source: "content", reporter: "github", revoked_now: 1, user_id: user.id })]);
    const mail = await latestMailTo(user.email);
    expect(mail?.subject).toContain("ci-key");
    expect(mail?.text_body).toContain("https://github.com/octo/app/blob/abc/config.py");
    expect(mail?.text_body).not.toContain(key);
    const audit = await getDb().selectFrom("audit_log").select(["action", "details"]).where("target_id", "=", keyId).where("action", "=", "api_key.leaked").execute();
    expect(audit).toHaveLength(1);
  });

  it("is still a true positive when reported again; the same place mails once, a new place mails again", async () => {
    const { user, key, keyId } = await liveKey("zh");
    const place = { token: key, type: "glm_api_key", url: "https://github.com/a/b/blob/c/.env", source: "content" };
    await report([place]);
    const mails = await countMailTo(user.email);
    expect((await latestMailTo(user.email))?.subject).toContain("已被吊销");
    const again = await report([place]);
    expect(again.body[0].label).toBe("true_positive");
    expect(await countMailTo(user.email)).toBe(mails);
    await report([{ ...place, url: "https://github.com/a/b/issues/9", source: "issue_comment" }]);
    expect(await countMailTo(user.email)).toBe(mails + 1);
    expect(await getDb().selectFrom("api_key_leaks").select("id").where("key_id", "=", keyId).execute()).toHaveLength(3);
  });

  it("refuses a body that is not the partner format (signed or not) with 400", async () => {
    expect((await report({ token: "x" })).status).toBe(400);
    expect((await report([{ type: "glm_api_key" }])).status).toBe(400);
  });
});

describe("configuration", () => {
  it("reads GitHub's published JSON and refuses what is not EC public keys", () => {
    expect(parsePublishedKeys(published)).toBeInstanceOf(Map);
    expect(typeof parsePublishedKeys("not json")).toBe("string");
    expect(typeof parsePublishedKeys(JSON.stringify({ public_keys: [{ key_identifier: "a", key: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----" }] }))).toBe("string");
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(parsePublishedKeys(JSON.stringify([{ key_identifier: "r", key: rsa }]))).toMatch(/not an EC/);
  });

  it("answers 404 when no keys are configured", async () => {
    const bare = createServer(createSecretScanningHandler({ db: getDb(), provider: glm, keys: new Map() }));
    await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}${SECRET_SCANNING_PATH}`, { method: "POST", body: "[]" });
      expect(response.status).toBe(404);
    } finally {
      bare.close();
    }
  });
});
