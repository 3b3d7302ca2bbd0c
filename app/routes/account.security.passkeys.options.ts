// Adding a passkey: the options (challenge, credentials to exclude) for navigator.credentials.create.
import type { ActionFunctionArgs } from "@remix-run/node";
import { passkeyRegistrationOptions } from "~/domain/passkeys.server";
import { requireSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { jsonError, jsonOk } from "~/lib/json-endpoint.server";
import { relyingParty } from "~/lib/webauthn-relying-party.server";

export async function action({ request }: ActionFunctionArgs) {
  const current = await requireSession(request);
  const result = await passkeyRegistrationOptions(getDb(), current.user, current.sessionKey, relyingParty());
  if (!result.ok) return jsonError(`twoFactor.errors.${result.reason}`);
  return jsonOk(result.options);
}
