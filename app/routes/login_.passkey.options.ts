// Second step of a log-in with a passkey: the options (challenge, this user's credentials) for
// navigator.credentials.get. POST only: it stores a challenge.
import type { ActionFunctionArgs } from "@remix-run/node";
import { passkeyAuthenticationOptions } from "~/domain/passkeys.server";
import { requirePendingSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { jsonError, jsonOk } from "~/lib/json-endpoint.server";
import { relyingParty } from "~/lib/webauthn-relying-party.server";

export async function action({ request }: ActionFunctionArgs) {
  const current = await requirePendingSession(request, "verify");
  const result = await passkeyAuthenticationOptions(getDb(), current.user.id, current.sessionKey, relyingParty());
  if (!result.ok) return jsonError(`twoFactor.errors.${result.reason}`);
  return jsonOk(result.options);
}
