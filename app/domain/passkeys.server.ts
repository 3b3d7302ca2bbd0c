// Passkeys (WebAuthn) as a second factor next to TOTP: added from the security page by someone
// whose TOTP factor is enrolled (so recovery codes and the attempt limit exist), used at the second
// step of a log-in. Challenges are stored per session and purpose and consumed with DELETE …
// RETURNING: each is used once, and only within CHALLENGE_TTL_MS.
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from "@simplewebauthn/server";
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { z } from "zod";
import type { Role } from "~/lib/db-schema";
import type { Db, DbExecutor } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import type { RelyingParty } from "~/lib/webauthn-relying-party.server";
import { recordAudit } from "./audit.server";
import { countFailure, getSecondFactorStatus, lockedFor, unlockIfExpired, type TwoFactorRefusal, type TwoFactorResult } from "./two-factor.server";

export const CHALLENGE_TTL_MS = 5 * 60_000;
type ChallengePurpose = "register" | "authenticate";

const base64url = z.string().min(1).max(20_000).regex(/^[A-Za-z0-9_-]+={0,2}$/);
const credentialBase = {
  id: base64url,
  rawId: base64url,
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};

export const passkeyRegistrationSchema = z.object({
  name: z.string({ required_error: "twoFactor.errors.passkeyNameRequired" }).trim().min(1, "twoFactor.errors.passkeyNameRequired").max(60, "twoFactor.errors.passkeyNameTooLong"),
  response: z.object({
    ...credentialBase,
    response: z.object({
      clientDataJSON: base64url,
      attestationObject: base64url,
      transports: z.array(z.string().max(20)).max(10).optional(),
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: base64url.optional(),
      authenticatorData: base64url.optional(),
    }),
  }),
});

export const passkeyAssertionSchema = z.object({
  response: z.object({
    ...credentialBase,
    response: z.object({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url, userHandle: base64url.optional() }),
  }),
});

export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function listPasskeys(db: DbExecutor, userId: string): Promise<PasskeySummary[]> {
  const rows = await db.selectFrom("passkeys").select(["id", "name", "created_at", "last_used_at"]).where("user_id", "=", userId).orderBy("created_at").orderBy("id").execute();
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at }));
}

export async function hasPasskey(db: DbExecutor, userId: string): Promise<boolean> {
  return Boolean(await db.selectFrom("passkeys").select("id").where("user_id", "=", userId).executeTakeFirst());
}

/** A new challenge replaces the session's previous one for the same purpose. */
async function storeChallenge(db: DbExecutor, sessionKey: string, purpose: ChallengePurpose, challenge: string, now: Date): Promise<void> {
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString();
  await db
    .insertInto("webauthn_challenges")
    .values({ session_id: sessionKey, purpose, challenge, expires_at: expiresAt })
    .onConflict((conflict) => conflict.columns(["session_id", "purpose"]).doUpdateSet({ challenge, expires_at: expiresAt }))
    .execute();
}

/** Takes the session's challenge out (a second use finds none); null when missing or expired. */
async function consumeChallenge(db: DbExecutor, sessionKey: string, purpose: ChallengePurpose, now: Date): Promise<string | null> {
  const row = await db.deleteFrom("webauthn_challenges").where("session_id", "=", sessionKey).where("purpose", "=", purpose).returning(["challenge", "expires_at"]).executeTakeFirst();
  if (!row || Date.parse(row.expires_at) <= now.getTime()) return null;
  return row.challenge;
}

function parseTransports(json: string): AuthenticatorTransportFuture[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? (parsed.filter((t) => typeof t === "string") as AuthenticatorTransportFuture[]) : [];
}
type AuthenticatorTransportFuture = "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";

export async function passkeyRegistrationOptions(
  db: DbExecutor,
  user: { id: string; email: string; role: Role },
  sessionKey: string,
  rp: RelyingParty,
  now = new Date(),
): Promise<TwoFactorResult<{ options: PublicKeyCredentialCreationOptionsJSON }>> {
  const status = await getSecondFactorStatus(db, user);
  if (!status.totpEnabled) return { ok: false, reason: "not_enrolled" };
  const existing = await db.selectFrom("passkeys").select(["credential_id", "transports"]).where("user_id", "=", user.id).execute();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: parseTransports(row.transports) })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  await storeChallenge(db, sessionKey, "register", options.challenge, now);
  return { ok: true, options };
}

export async function addPasskey(
  db: Db,
  user: { id: string },
  sessionKey: string,
  rp: RelyingParty,
  input: z.infer<typeof passkeyRegistrationSchema>,
  ip: string | null,
  now = new Date(),
): Promise<TwoFactorResult<{ passkeyId: string }>> {
  const challenge = await consumeChallenge(db, sessionKey, "register", now);
  if (!challenge) return { ok: false, reason: "challenge_invalid" };
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch {
    return { ok: false, reason: "passkey_invalid" };
  }
  if (!verified.verified) return { ok: false, reason: "passkey_invalid" };
  const { credential } = verified.registrationInfo;
  const passkeyId = newId("pk");
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("passkeys")
      .values({
        id: passkeyId,
        user_id: user.id,
        credential_id: credential.id,
        public_key: isoBase64URL.fromBuffer(credential.publicKey),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        name: input.name,
        created_at: now.toISOString(),
        last_used_at: null,
      })
      .onConflict((conflict) => conflict.column("credential_id").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return { ok: false as const, reason: "already_enrolled" as const };
    await recordAudit(trx, { actorId: user.id, action: "two_factor.passkey_added", targetType: "user", targetId: user.id, details: { passkeyId, name: input.name }, ip }, now);
    return { ok: true as const, passkeyId };
  });
}

/** Options for the second step of a log-in: only this user's passkeys are allowed. */
export async function passkeyAuthenticationOptions(db: DbExecutor, userId: string, sessionKey: string, rp: RelyingParty, now = new Date()): Promise<TwoFactorResult<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  const rows = await db.selectFrom("passkeys").select(["credential_id", "transports"]).where("user_id", "=", userId).execute();
  if (rows.length === 0) return { ok: false, reason: "not_enrolled" };
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: rows.map((row) => ({ id: row.credential_id, transports: parseTransports(row.transports) })),
    userVerification: "preferred",
  });
  await storeChallenge(db, sessionKey, "authenticate", options.challenge, now);
  return { ok: true, options };
}

/**
 * An assertion at the second step. Every refusal counts towards the factor's lock like a wrong
 * code; the signature counter must move forward, and is advanced with a conditional UPDATE so two
 * requests with one assertion cannot both pass.
 */
export async function verifyPasskeyAssertion(
  db: Db,
  userId: string,
  sessionKey: string,
  rp: RelyingParty,
  input: z.infer<typeof passkeyAssertionSchema>,
  now = new Date(),
): Promise<TwoFactorResult<{ method: "passkey" }>> {
  const stored = await db.selectFrom("two_factor_totp").select(["user_id", "locked_until", "failed_attempts"]).where("user_id", "=", userId).where("confirmed_at", "is not", null).executeTakeFirst();
  if (!stored) return { ok: false, reason: "not_enrolled" };
  const totp = await unlockIfExpired(db, stored, now);
  const wait = lockedFor(totp.locked_until, now);
  if (wait > 0) return { ok: false, reason: "locked", retryAfterSeconds: wait };
  const refuse = async (): Promise<TwoFactorRefusal> => {
    const failure = await countFailure(db, userId, now);
    return failure.reason === "locked" ? failure : { ok: false, reason: "passkey_invalid" };
  };

  const challenge = await consumeChallenge(db, sessionKey, "authenticate", now);
  if (!challenge) return refuse();
  const passkey = await db.selectFrom("passkeys").selectAll().where("user_id", "=", userId).where("credential_id", "=", input.response.id).executeTakeFirst();
  if (!passkey) return refuse();
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response: input.response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.credential_id, publicKey: isoBase64URL.toBuffer(passkey.public_key), counter: Number(passkey.counter), transports: parseTransports(passkey.transports) },
      requireUserVerification: false,
    });
    if (!verified.verified) return refuse();
    newCounter = verified.authenticationInfo.newCounter;
  } catch {
    // A bad signature, a foreign origin or RP ID, a counter that did not move forward.
    return refuse();
  }
  const advanced = await db
    .updateTable("passkeys")
    .set({ counter: newCounter, last_used_at: now.toISOString() })
    .where("id", "=", passkey.id)
    // Authenticators without a counter report 0 every time: then only the single-use challenge guards.
    .where("counter", newCounter === 0 ? "=" : "<", newCounter)
    .returning("id")
    .executeTakeFirst();
  if (!advanced) return refuse();
  await db.updateTable("two_factor_totp").set({ failed_attempts: 0 }).where("user_id", "=", userId).execute();
  return { ok: true, method: "passkey" };
}

/** Removes one of the user's passkeys; an operator keeps at least one factor (TOTP or a passkey). */
export async function removePasskey(db: Db, user: { id: string; role: Role }, passkeyId: string, ip: string | null, now = new Date()): Promise<TwoFactorResult> {
  return db.transaction().execute(async (trx) => {
    const passkey = await trx.selectFrom("passkeys").select(["id", "name"]).where("id", "=", passkeyId).where("user_id", "=", user.id).executeTakeFirst();
    if (!passkey) return { ok: false as const, reason: "not_found" as const };
    const status = await getSecondFactorStatus(trx, user);
    const others = await trx.selectFrom("passkeys").select("id").where("user_id", "=", user.id).where("id", "!=", passkeyId).execute();
    if (status.required && !status.totpEnabled && others.length === 0) return { ok: false as const, reason: "operator_must_keep" as const };
    await trx.deleteFrom("passkeys").where("id", "=", passkeyId).execute();
    await recordAudit(trx, { actorId: user.id, action: "two_factor.passkey_removed", targetType: "user", targetId: user.id, details: { passkeyId, name: passkey.name }, ip }, now);
    return { ok: true as const };
  });
}
