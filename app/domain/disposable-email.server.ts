// Disposable (throw-away) e-mail domains, from the maintained `disposable-email-domains` list.
import { createRequire } from "node:module";

let domains: Set<string> | undefined;

function disposableDomains(): Set<string> {
  if (!domains) {
    // The package's entry point is a JSON array; createRequire loads it the same way in the ESM server and in tests.
    const list = createRequire(import.meta.url)("disposable-email-domains") as string[];
    domains = new Set(list.map((domain) => domain.toLowerCase()));
  }
  return domains;
}

/** True for an address at a listed domain or any subdomain of one (x@a.mailinator.com). */
export function isDisposableEmail(email: string): boolean {
  const at = email.lastIndexOf("@");
  if (at < 0) return false;
  const labels = email.slice(at + 1).toLowerCase().replace(/\.$/, "").split(".");
  const list = disposableDomains();
  for (let start = 0; start < labels.length - 1; start++) {
    if (list.has(labels.slice(start).join("."))) return true;
  }
  return false;
}
