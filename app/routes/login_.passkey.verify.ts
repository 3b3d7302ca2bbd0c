// Second step of a log-in with a passkey: checks the assertion and, as a right code does, replaces
// the waiting session with a full one.
import type { ActionFunctionArgs } from "@remix-run/node";
import { passkeyAssertionSchema, verifyPasskeyAssertion } from "~/domain/passkeys.server";
import { requestOrigin, requirePendingSession, upgradeToFullSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { jsonError, jsonOk, readJsonBody } from "~/lib/json-endpoint.server";
import { hitRateLimits, RATE_LIMITS } from "~/lib/rate-limit.server";
import { homePathFor } from "~/lib/roles";
import { safeRedirect } from "~/lib/safe-redirect";
import { relyingParty } from "~/lib/webauthn-relying-party.server";
import { z } from "zod";

const bodySchema = passkeyAssertionSchema.extend({ redirectTo: z.string().max(2000).optional() });

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requirePendingSession(request, "verify");
  const body = await readJsonBody(request, bodySchema);
  if (!body) return jsonError("twoFactor.errors.passkey_invalid");
  const db = getDb();
  const origin = requestOrigin(request, context);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.codeCheckPerIp, origin.ip]]);
  if (!limit.allowed) return jsonError("errors.rateLimited", 429, limit.retryAfterSeconds);
  const result = await verifyPasskeyAssertion(db, current.user.id, current.sessionKey, relyingParty(), body);
  if (!result.ok) {
    if (result.reason === "locked") return jsonError("twoFactor.errors.locked", 429, result.retryAfterSeconds ?? 60);
    return jsonError(`twoFactor.errors.${result.reason}`);
  }
  const cookie = await upgradeToFullSession(current, origin);
  return jsonOk({ redirectTo: safeRedirect(body.redirectTo, homePathFor(current.user.role)) }, { "Set-Cookie": cookie });
}
