// What the create and roll pages share: the recent-password rule and the show-once response.
import { data } from "@remix-run/node";
import { KEY_REAUTH_MAX_AGE_MS } from "~/domain/api-keys.server";
import { confirmPassword } from "~/domain/reauthentication.server";
import { isRecentlyAuthenticated, markSessionAuthenticated, type CurrentSession } from "./auth.server";
import type { DbExecutor } from "./db.server";
import type { FormFailure } from "./forms";
import { retryAfterHeader } from "./rate-limit.server";

export function needsPassword(current: CurrentSession): boolean {
  return !isRecentlyAuthenticated(current, KEY_REAUTH_MAX_AGE_MS);
}

/**
 * Null when the session may go ahead (re-authenticating it with `password` if needed),
 * otherwise the form failure to return. The password is only checked when it is needed.
 */
export async function requireRecentPassword(db: DbExecutor, current: CurrentSession, password: string | undefined) {
  if (!needsPassword(current)) return null;
  if (!password) return keyFormFailure("keys.errors.passwordRequired", 401, { password: "keys.errors.passwordRequired" });
  const outcome = await confirmPassword(db, current.user.id, password);
  if (!outcome.ok) {
    if (outcome.reason === "rate_limited") {
      return data<FormFailure & { needsPassword: true }>(
        { ok: false, fieldErrors: {}, formError: "errors.rateLimited", retryAfterSeconds: outcome.retryAfterSeconds, needsPassword: true },
        { status: 429, headers: retryAfterHeader(outcome.retryAfterSeconds) },
      );
    }
    return keyFormFailure("keys.errors.wrongPassword", 401, { password: "keys.errors.wrongPassword" });
  }
  await markSessionAuthenticated(current.sessionId);
  return null;
}

export function keyFormFailure(formError: string, status: number, fieldErrors: Record<string, string> = {}) {
  return data<FormFailure & { needsPassword: boolean }>({ ok: false, fieldErrors, formError, needsPassword: status === 401 }, { status });
}

/** A page holding a live key must never be cached or stored by the browser or a proxy. */
export const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
