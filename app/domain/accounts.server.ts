// Accounts: sign-up, e-mail verification, log-in, password reset and change.
// Answers never reveal whether an e-mail address has an account.
import { ORGANIZATION_ROLE, type Role, type User } from "~/lib/db-schema";
import type { Db, DbExecutor } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { translator } from "~/lib/i18n.server";
import { newId } from "~/lib/ids.server";
import { isOrganizationAddress, sendMail } from "~/lib/mail.server";
import { clearAccountLoginFailures, clearLoginFailures, loginWaitSeconds, recordLoginFailure } from "~/lib/login-throttle.server";
import { decoyPasswordHash, hashPassword, passwordWeakness, verifyPassword } from "~/lib/password.server";
import { consumeUserCode, countFailedAttempt, findLiveToken, issueEmailCode, markConsumed, newestLiveCode } from "./email-codes.server";
import { recordReferral } from "./referrals.server";

export type AccountFailure =
  | "invalid_code"
  | "invalid_credentials"
  | "throttled"
  | "account_disabled"
  | "password_weak"
  | "password_reused"
  | "wrong_password"
  | "reset_link_invalid";

export interface AccountFailureResult {
  ok: false;
  reason: AccountFailure;
  /** password_weak: the i18n key saying why (zxcvbn's feedback). */
  passwordIssue?: string;
  /** throttled: seconds before the next try. */
  retryAfterSeconds?: number;
}

export type AccountResult<T = object> = ({ ok: true } & T) | AccountFailureResult;

function weakPassword(password: string, email: string | undefined): AccountFailureResult | null {
  const issue = passwordWeakness(password, email ? [email] : []);
  return issue ? { ok: false, reason: "password_weak", passwordIssue: issue } : null;
}

export interface SignInContext {
  ip: string | null;
  userAgent: string | null;
}

export function appUrl(path: string): string {
  const env = getEnv();
  const base = env.APP_URL ?? `http://localhost:${env.PORT}`;
  return new URL(path, base).toString();
}

/** A person's account: never an organization's ledger owner row. */
export type PersonUser = User & { role: Role };

/**
 * The person with this address. An organization's ledger row is never found here, so no password,
 * e-mail code, reset link or sign-up path can reach it.
 */
export async function findUserByEmail(db: DbExecutor, email: string): Promise<PersonUser | undefined> {
  const user = await db.selectFrom("users").selectAll().where("email", "=", email.trim().toLowerCase()).where("role", "!=", ORGANIZATION_ROLE).executeTakeFirst();
  return user as PersonUser | undefined;
}

/** The person with this id (an organization's ledger row is not a person). */
export async function findUserById(db: DbExecutor, id: string): Promise<PersonUser | undefined> {
  const user = await db.selectFrom("users").selectAll().where("id", "=", id).where("role", "!=", ORGANIZATION_ROLE).executeTakeFirst();
  return user as PersonUser | undefined;
}

/** Creates an account directly (operators' CLI, demo seed): no code, no e-mail. */
export async function createAccount(
  db: DbExecutor,
  input: { email: string; password: string; role: Role; verified: boolean; locale?: string },
  now: Date = new Date(),
): Promise<PersonUser> {
  const iso = now.toISOString();
  const user: PersonUser = {
    id: newId("usr"),
    email: input.email.trim().toLowerCase(),
    password_hash: await hashPassword(input.password),
    email_verified_at: input.verified ? iso : null,
    role: input.role,
    locale: input.locale ?? "en",
    disabled_at: null,
    password_changed_at: iso,
    created_at: iso,
    updated_at: iso,
  };
  await db.insertInto("users").values(user).execute();
  return user;
}

/**
 * Sign-up. A new address gets an account and a code; a verified one gets a "you already have an
 * account" e-mail. An unverified one keeps its password: this sign-up gets a code of its own that
 * carries the password chosen here, and only entering that code makes it the account's password
 * (so one sign-up cannot overwrite another's; the mail says when another sign-up is pending).
 * The caller answers every case the same way.
 */
export async function signUp(
  db: Db,
  input: { email: string; password: string; locale: string; referralCode?: string | null },
  now: Date = new Date(),
): Promise<AccountResult> {
  const weak = weakPassword(input.password, input.email);
  if (weak) return weak;
  const passwordHash = await hashPassword(input.password);
  const t = translator(input.locale);
  await db.transaction().execute(async (trx) => {
    // The reserved address of an organization's ledger row: nothing to sign up, answered alike.
    if (isOrganizationAddress(input.email)) return;
    const existing = await findUserByEmail(trx, input.email);
    if (existing?.email_verified_at) {
      await sendMail(trx, {
        to: existing.email,
        subject: t("mail.alreadyRegistered.subject"),
        text: t("mail.alreadyRegistered.body", { loginUrl: appUrl("/login"), resetUrl: appUrl("/forgot-password") }),
      });
      return;
    }
    if (existing?.disabled_at) return;
    const iso = now.toISOString();
    let userId: string;
    if (existing) {
      userId = existing.id;
    } else {
      userId = newId("usr");
      await trx
        .insertInto("users")
        .values({
          id: userId,
          email: input.email,
          password_hash: passwordHash,
          email_verified_at: null,
          role: "developer",
          locale: input.locale,
          disabled_at: null,
          password_changed_at: iso,
          created_at: iso,
          updated_at: iso,
        })
        .execute();
      await recordReferral(trx, userId, input.referralCode, now);
    }
    await sendVerificationCode(trx, { userId, email: input.email, locale: input.locale, passwordHash }, now);
  });
  return { ok: true };
}

async function sendVerificationCode(
  db: DbExecutor,
  flow: { userId: string; email: string; locale: string; passwordHash: string | null; replaces?: string },
  now: Date,
) {
  const { secret: code, otherLive } = await issueEmailCode(db, flow.userId, "verify_email", now, { passwordHash: flow.passwordHash, replaces: flow.replaces });
  const t = translator(flow.locale);
  const body = t("mail.verify.body", { code, url: appUrl(`/verify?email=${encodeURIComponent(flow.email)}`) });
  const started = otherLive > 0 ? await otherPendingSince(db, flow.userId, now) : null;
  await sendMail(db, {
    to: flow.email,
    subject: t("mail.verify.subject", { code }),
    text: started ? `${t("mail.verify.otherPending", { started })}\n\n${body}` : body,
  });
}

async function otherPendingSince(db: DbExecutor, userId: string, now: Date): Promise<string> {
  const oldest = await db
    .selectFrom("email_codes")
    .select("created_at")
    .where("user_id", "=", userId)
    .where("purpose", "=", "verify_email")
    .where("consumed_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .orderBy("created_at", "asc")
    .executeTakeFirst();
  return `${(oldest?.created_at ?? now.toISOString()).slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Sends a new code if the address has an unverified account; silent otherwise. It renews the newest
 * pending sign-up (same password); with none pending, the code keeps the account's password.
 */
export async function resendVerificationCode(db: Db, email: string, now: Date = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, email);
    if (!user || user.email_verified_at || user.disabled_at) return;
    const newest = await newestLiveCode(trx, user.id, "verify_email", now);
    await sendVerificationCode(trx, { userId: user.id, email: user.email, locale: user.locale, passwordHash: newest?.password_hash ?? null, replaces: newest?.id }, now);
  });
}

/**
 * Verifies the address with a code. Every failure is the same `invalid_code`, whether or not the
 * address has an account. The code's own sign-up decides the password, and sessions opened before
 * (by whoever knew an earlier password) end.
 */
export async function verifyEmail(
  db: Db,
  input: { email: string; code: string },
  now: Date = new Date(),
): Promise<AccountResult<{ userId: string }>> {
  return db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, input.email);
    if (!user || user.email_verified_at || user.disabled_at) return { ok: false, reason: "invalid_code" } as const;
    const checked = await consumeUserCode(trx, user.id, "verify_email", input.code, now);
    if (!checked.ok) return { ok: false, reason: "invalid_code" } as const;
    const iso = now.toISOString();
    const password = checked.passwordHash ? { password_hash: checked.passwordHash, password_changed_at: iso } : {};
    await trx.updateTable("users").set({ ...password, email_verified_at: iso, updated_at: iso }).where("id", "=", user.id).execute();
    await trx.deleteFrom("sessions").where("user_id", "=", user.id).execute();
    return { ok: true, userId: user.id } as const;
  });
}

/**
 * Checks an e-mail and password. Failures slow down the (account, IP) pair and the IP that fail,
 * never the account as such (see login-throttle): a stranger cannot lock the owner out.
 */
export async function authenticate(
  db: Db,
  input: { email: string; password: string },
  context: SignInContext,
  now: Date = new Date(),
): Promise<AccountResult<{ user: PersonUser }>> {
  const attempt = { email: input.email, ip: context.ip };
  const wait = await loginWaitSeconds(db, attempt, now);
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };
  const user = await findUserByEmail(db, input.email);
  if (!user) {
    await verifyPassword(await decoyPasswordHash(), input.password);
    await recordLoginFailure(db, attempt, now);
    return { ok: false, reason: "invalid_credentials" };
  }
  const passwordOk = await verifyPassword(user.password_hash, input.password);
  const outcome = !passwordOk ? "bad_password" : user.disabled_at ? "disabled" : "success";
  await db
    .insertInto("sign_in_events")
    .values({ id: newId("sig"), user_id: user.id, outcome, ip: context.ip, user_agent: context.userAgent, created_at: now.toISOString() })
    .execute();
  if (outcome === "bad_password") {
    await recordLoginFailure(db, attempt, now);
    return { ok: false, reason: "invalid_credentials" };
  }
  await clearLoginFailures(db, attempt);
  if (outcome === "disabled") return { ok: false, reason: "account_disabled" };
  return { ok: true, user };
}

/** Mails a reset link when the address has an account; does the same amount of nothing otherwise. */
export async function requestPasswordReset(db: Db, email: string, now: Date = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, email);
    if (!user || user.disabled_at) return;
    const { secret: token } = await issueEmailCode(trx, user.id, "reset_password", now);
    const t = translator(user.locale);
    await sendMail(trx, {
      to: user.email,
      subject: t("mail.reset.subject"),
      text: t("mail.reset.body", { url: appUrl(`/reset-password?token=${token}`), minutes: 60 }),
    });
  });
}

export async function isResetTokenLive(db: DbExecutor, token: string, now: Date = new Date()): Promise<boolean> {
  return (await findLiveToken(db, "reset_password", token, now)) !== null;
}

/** Sets a new password from a reset link. Every session of the account ends, and its log-in throttling. */
export async function resetPassword(
  db: Db,
  input: { token: string; password: string },
  now: Date = new Date(),
): Promise<AccountResult<{ userId: string }>> {
  const owner = await findLiveToken(db, "reset_password", input.token, now);
  const ownerEmail = owner ? (await findUserById(db, owner.userId))?.email : undefined;
  const weak = weakPassword(input.password, ownerEmail);
  const passwordHash = weak ? null : await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const live = await findLiveToken(trx, "reset_password", input.token, now);
    if (!live) return { ok: false, reason: "reset_link_invalid" } as const;
    if (!passwordHash) {
      await countFailedAttempt(trx, live.id, "reset_password", now);
      return weak!;
    }
    const consumed = await markConsumed(trx, live.id, now);
    if (!consumed.ok) return { ok: false, reason: "reset_link_invalid" } as const;
    const iso = now.toISOString();
    await trx
      .updateTable("users")
      // Following the link proves the mailbox, so an unverified address becomes verified.
      .set((eb) => ({
        password_hash: passwordHash,
        password_changed_at: iso,
        updated_at: iso,
        email_verified_at: eb.fn.coalesce("email_verified_at", eb.val(iso)),
      }))
      .where("id", "=", live.userId)
      .execute();
    await trx.deleteFrom("sessions").where("user_id", "=", live.userId).execute();
    // Pending sign-ups' codes would otherwise still set their own password later.
    await trx.updateTable("email_codes").set({ consumed_at: iso }).where("user_id", "=", live.userId).where("consumed_at", "is", null).execute();
    if (ownerEmail) await clearAccountLoginFailures(trx, ownerEmail);
    return { ok: true, userId: live.userId } as const;
  });
}

/** Changes the password after checking the current one; the caller ends the user's other sessions. */
export async function changePassword(
  db: Db,
  input: { userId: string; currentPassword: string; password: string },
  now: Date = new Date(),
): Promise<AccountResult> {
  const user = await findUserById(db, input.userId);
  if (!user) return { ok: false, reason: "wrong_password" };
  if (!(await verifyPassword(user.password_hash, input.currentPassword))) return { ok: false, reason: "wrong_password" };
  if (input.password === input.currentPassword) return { ok: false, reason: "password_reused" };
  const weak = weakPassword(input.password, user.email);
  if (weak) return weak;
  const iso = now.toISOString();
  await db
    .updateTable("users")
    .set({ password_hash: await hashPassword(input.password), password_changed_at: iso, updated_at: iso })
    .where("id", "=", user.id)
    .execute();
  const t = translator(user.locale);
  await sendMail(db, { to: user.email, subject: t("mail.passwordChanged.subject"), text: t("mail.passwordChanged.body", { resetUrl: appUrl("/forgot-password"), helpUrl: appUrl("/help#contact") }) });
  return { ok: true };
}

export async function setAccountLocale(db: DbExecutor, userId: string, locale: string): Promise<void> {
  await db.updateTable("users").set({ locale, updated_at: new Date().toISOString() }).where("id", "=", userId).execute();
}
