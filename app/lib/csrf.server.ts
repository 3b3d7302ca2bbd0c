// Origin checks for every state-changing request: a form posted from another site is refused.
import { normalizedPath } from "./request-path";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Paths called by machines with their own authentication (service token, signature), not by browsers. */
const MACHINE_PATH_PREFIXES = ["/api/gateway/", "/webhooks/"];

export interface OriginCheckInput {
  method: string;
  path: string;
  originHeader: string | undefined;
  refererHeader: string | undefined;
  /** Origins this deployment answers on: APP_URL's and the request's own scheme://host. */
  allowedOrigins: string[];
}

export function isCrossSiteRequest(input: OriginCheckInput): boolean {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return false;
  // Decided on the path Remix will route (`/webhooks/../login` is `/login`), never the raw one.
  const path = normalizedPath(input.path);
  if (MACHINE_PATH_PREFIXES.some((prefix) => path.startsWith(prefix))) return false;
  const claimed = input.originHeader ?? originOf(input.refererHeader);
  if (!claimed || claimed === "null") return true;
  return !input.allowedOrigins.includes(claimed);
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
