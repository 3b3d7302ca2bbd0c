import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** A random, prefixed, URL-safe id such as `usr_3k9…`: 100 bits from the CSPRNG. */
export function newId(prefix: string): string {
  const bytes = randomBytes(20);
  let body = "";
  for (const byte of bytes) body += ALPHABET[byte & 31];
  return `${prefix}_${body}`;
}

export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}
