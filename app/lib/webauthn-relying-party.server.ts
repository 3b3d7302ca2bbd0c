import { getEnv } from "./env.server";
import { currentProvider } from "./provider.server";

export interface RelyingParty {
  /** The WebAuthn RP ID: APP_URL's host name (an IP address is not a valid one). */
  id: string;
  origin: string;
  name: string;
}

export function relyingParty(): RelyingParty {
  const env = getEnv();
  const url = new URL(env.APP_URL ?? `http://localhost:${env.PORT}`);
  return { id: url.hostname, origin: url.origin, name: `Ferry (${currentProvider().name})` };
}
