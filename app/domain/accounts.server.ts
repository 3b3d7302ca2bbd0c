// Accounts: sign-up, e-mail verification, log-in, password reset and change.
// Answers never reveal whether an e-mail address has an account.
import type { Role, User } from "~/lib/db-schema";
import type { Db, DbExecutor } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { translator } from "~/lib/i18n";
import { newId } from "~/lib/ids.server";
import { sendMail } from "~/lib/mail.server";
import { decoyPasswordHash, hashPassword, isCommonPassword, verifyPassword } from "~/lib/password.server";
import { consumeUserCode, countFailedAttempt, findLiveToken, issueEmailCode, markConsumed, type CodeCheckFailure } from "./email-codes.server";

export type AccountFailure =
  | CodeCheckFailure
  | "invalid_credentials"
  | "account_disabled"
  | "password_common"
  | "password_reused"
  | "wrong_password"
  | "reset_link_invalid";

export type AccountResult<T = object> = ({ ok: true } & T) | { ok: false; reason: AccountFailure };

export interface SignInContext {
  ip: string | null;
  userAgent: string | null;
}

export function appUrl(path: string): string {
  const env = getEnv();
  const base = env.APP_URL ?? `http://localhost:${env.PORT}`;
  return new URL(path, base).toString();
}

export async function findUserByEmail(db: DbExecutor, email: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", email.trim().toLowerCase()).executeTakeFirst();
}

export async function findUserById(db: DbExecutor, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Creates an account directly (operators' CLI, demo seed): no code, no e-mail. */
export async function createAccount(
  db: DbExecutor,
  input: { email: string; password: string; role: Role; verified: boolean; locale?: string },
  now: Date = new Date(),
): Promise<User> {
  const iso = now.toISOString();
  const user: User = {
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
 * Sign-up. A new address gets an account and a code; an unverified one gets the new password and
 * a fresh code; a verified one gets a "you already have an account" e-mail. The caller answers
 * every case the same way.
 */
export async function signUp(
  db: Db,
  input: { email: string; password: string; locale: string },
  now: Date = new Date(),
): Promise<AccountResult> {
  if (isCommonPassword(input.password)) return { ok: false, reason: "password_common" };
  const passwordHash = await hashPassword(input.password);
  const t = translator(input.locale);
  await db.transaction().execute(async (trx) => {
    const existing = await findUserByEmail(trx, input.email);
    if (existing?.email_verified_at) {
      await sendMail(trx, {
        to: existing.email,
        subject: t("mail.alreadyRegistered.subject"),
        text: t("mail.alreadyRegistered.body", { loginUrl: appUrl("/login"), resetUrl: appUrl("/forgot-password") }),
      });
      return;
    }
    const iso = now.toISOString();
    let userId: string;
    if (existing) {
      userId = existing.id;
      await trx
        .updateTable("users")
        .set({ password_hash: passwordHash, password_changed_at: iso, updated_at: iso, locale: input.locale })
        .where("id", "=", userId)
        .execute();
      await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
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
    }
    await sendVerificationCode(trx, userId, input.email, input.locale, now);
  });
  return { ok: true };
}

async function sendVerificationCode(db: DbExecutor, userId: string, email: string, locale: string, now: Date) {
  const code = await issueEmailCode(db, userId, "verify_email", now);
  const t = translator(locale);
  await sendMail(db, {
    to: email,
    subject: t("mail.verify.subject", { code }),
    text: t("mail.verify.body", { code, url: appUrl(`/verify?email=${encodeURIComponent(email)}`) }),
  });
}

/** Sends a new verification code if the address has an unverified account; silent otherwise. */
export async function resendVerificationCode(db: Db, email: string, now: Date = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, email);
    if (!user || user.email_verified_at || user.disabled_at) return;
    await sendVerificationCode(trx, user.id, user.email, user.locale, now);
  });
}

export async function verifyEmail(
  db: Db,
  input: { email: string; code: string },
  now: Date = new Date(),
): Promise<AccountResult<{ userId: string }>> {
  return db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, input.email);
    if (!user || user.email_verified_at || user.disabled_at) return { ok: false, reason: "invalid_code" } as const;
    const checked = await consumeUserCode(trx, user.id, "verify_email", input.code, now);
    if (!checked.ok) return checked;
    const iso = now.toISOString();
    await trx.updateTable("users").set({ email_verified_at: iso, updated_at: iso }).where("id", "=", user.id).execute();
    return { ok: true, userId: user.id } as const;
  });
}

export async function authenticate(
  db: Db,
  input: { email: string; password: string },
  context: SignInContext,
  now: Date = new Date(),
): Promise<AccountResult<{ user: User }>> {
  const user = await findUserByEmail(db, input.email);
  if (!user) {
    await verifyPassword(await decoyPasswordHash(), input.password);
    return { ok: false, reason: "invalid_credentials" };
  }
  const passwordOk = await verifyPassword(user.password_hash, input.password);
  const outcome = !passwordOk ? "bad_password" : user.disabled_at ? "disabled" : "success";
  await db
    .insertInto("sign_in_events")
    .values({ id: newId("sig"), user_id: user.id, outcome, ip: context.ip, user_agent: context.userAgent, created_at: now.toISOString() })
    .execute();
  if (outcome === "bad_password") return { ok: false, reason: "invalid_credentials" };
  if (outcome === "disabled") return { ok: false, reason: "account_disabled" };
  return { ok: true, user };
}

/** Mails a reset link when the address has an account; does the same amount of nothing otherwise. */
export async function requestPasswordReset(db: Db, email: string, now: Date = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, email);
    if (!user || user.disabled_at) return;
    const token = await issueEmailCode(trx, user.id, "reset_password", now);
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

/** Sets a new password from a reset link. Every session of the account ends. */
export async function resetPassword(
  db: Db,
  input: { token: string; password: string },
  now: Date = new Date(),
): Promise<AccountResult<{ userId: string }>> {
  const passwordHash = isCommonPassword(input.password) ? null : await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const live = await findLiveToken(trx, "reset_password", input.token, now);
    if (!live) return { ok: false, reason: "reset_link_invalid" } as const;
    if (!passwordHash) {
      await countFailedAttempt(trx, live.id);
      return { ok: false, reason: "password_common" } as const;
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
  if (isCommonPassword(input.password)) return { ok: false, reason: "password_common" };
  const iso = now.toISOString();
  await db
    .updateTable("users")
    .set({ password_hash: await hashPassword(input.password), password_changed_at: iso, updated_at: iso })
    .where("id", "=", user.id)
    .execute();
  const t = translator(user.locale);
  await sendMail(db, { to: user.email, subject: t("mail.passwordChanged.subject"), text: t("mail.passwordChanged.body", { resetUrl: appUrl("/forgot-password") }) });
  return { ok: true };
}

export async function setAccountLocale(db: DbExecutor, userId: string, locale: string): Promise<void> {
  await db.updateTable("users").set({ locale, updated_at: new Date().toISOString() }).where("id", "=", userId).execute();
}
