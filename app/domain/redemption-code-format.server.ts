// What a redemption code looks like: FERRY- then 20 random Crockford base32 characters (100 bits)
// and 4 check characters (20 bits of SHA-256 of the random part), in groups of four. A typo fails
// the check before any database look-up; input tolerates case, spaces, dashes and the look-alikes
// Crockford allows (O→0, I/L→1). Stored as SHA-256 of the normalized 24 characters.
import { createHash, randomBytes } from "node:crypto";

export const CODE_PREFIX = "FERRY";
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_LENGTH = 20;
const CHECK_LENGTH = 4;
const BODY_LENGTH = RANDOM_LENGTH + CHECK_LENGTH;

function checkCharacters(random: string): string {
  const digest = createHash("sha256").update(`ferry-code-check:${random}`).digest();
  // The first 20 bits of the digest, five at a time.
  const bits = (digest[0]! << 16) | (digest[1]! << 8) | digest[2]!;
  let check = "";
  for (let index = 0; index < CHECK_LENGTH; index++) check += ALPHABET[(bits >> (19 - index * 5)) & 31];
  return check;
}

/** A fresh code, grouped for reading aloud: FERRY-XXXX-XXXX-XXXX-XXXX-XXXX-CCCC. */
export function generateRedemptionCode(): string {
  // One byte per character, masked to 5 bits: 20 × 5 = 100 uniform random bits.
  const random = [...randomBytes(RANDOM_LENGTH)].map((byte) => ALPHABET[byte & 31]).join("");
  const body = random + checkCharacters(random);
  return [CODE_PREFIX, ...body.match(/.{4}/g)!].join("-");
}

export type ParsedCode = { ok: true; body: string } | { ok: false };

/** The 24 significant characters of what a person typed, if they form a code whose check holds. */
export function parseRedemptionCode(input: string): ParsedCode {
  let body = input
    .toUpperCase()
    .replace(/[\s\-_.]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (body.length === BODY_LENGTH + CODE_PREFIX.length && body.startsWith(CODE_PREFIX)) body = body.slice(CODE_PREFIX.length);
  if (body.length !== BODY_LENGTH || [...body].some((char) => !ALPHABET.includes(char))) return { ok: false };
  const random = body.slice(0, RANDOM_LENGTH);
  return body.slice(RANDOM_LENGTH) === checkCharacters(random) ? { ok: true, body } : { ok: false };
}

/** What is stored: codes carry 100 random bits, so a plain SHA-256 cannot be reversed by guessing. */
export function hashRedemptionCode(body: string): string {
  return createHash("sha256").update(`ferry-code:${body}`).digest("hex");
}
