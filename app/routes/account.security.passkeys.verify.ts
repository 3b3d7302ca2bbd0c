// Adding a passkey: checks the browser's attestation against the session's challenge and stores
// the credential's public key under the name given.
import type { ActionFunctionArgs } from "@remix-run/node";
import { addPasskey, passkeyRegistrationSchema } from "~/domain/passkeys.server";
import { requestOrigin, requireSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { jsonError, jsonOk, readJsonBody } from "~/lib/json-endpoint.server";
import { relyingParty } from "~/lib/webauthn-relying-party.server";

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requireSession(request);
  const body = await readJsonBody(request, passkeyRegistrationSchema);
  if (!body) return jsonError("twoFactor.errors.passkey_invalid");
  const { ip } = requestOrigin(request, context);
  const result = await addPasskey(getDb(), current.user, current.sessionKey, relyingParty(), body, ip);
  if (!result.ok) return jsonError(`twoFactor.errors.${result.reason}`);
  return jsonOk({ passkeyId: result.passkeyId });
}
