// The one check for every redirect target that comes from input (`redirectTo`, forms, query strings).
const BASE = "http://same-origin.invalid";

/**
 * A same-origin path, or `fallback`. Browsers drop tabs, newlines and other control characters from
 * a Location and read `\` as `/`, so `/%09/evil.example` or `/\evil.example` would leave the site:
 * those characters are stripped first, then anything that is not a plain path (`//host`, `/\host`,
 * `scheme:`) is refused, and the path is checked again after the URL parser resolves `.` and `..`.
 */
export function safeRedirect(target: unknown, fallback = "/account"): string {
  if (typeof target !== "string") return fallback;
  // eslint-disable-next-line no-control-regex
  const cleaned = target.replace(/[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/g, "");
  if (!cleaned.startsWith("/") || cleaned.startsWith("//") || cleaned.includes("\\")) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(cleaned, BASE);
  } catch {
    return fallback;
  }
  if (parsed.origin !== BASE || parsed.pathname.startsWith("//")) return fallback;
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}
