import { currentProvider } from "./provider.server";

/** The name authenticator apps show next to the code. */
export function totpIssuer(): string {
  return `Ferry (${currentProvider().name})`;
}
