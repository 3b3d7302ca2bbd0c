import { hash, verify } from "@node-rs/argon2";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";

// OWASP: argon2id, m=19456 KiB, t=2, p=1. Algorithm 2 is Argon2id (the package's const enum).
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

const commonPasswords = new Set<string>(
  (dictionary["passwords-common"] as string[]).map((entry) => entry.toLowerCase()),
);

export function commonPasswordCount(): number {
  return commonPasswords.size;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords.has(password.toLowerCase());
}

/** zxcvbn's score (0–4) a new password needs: 3 is "safely unguessable" against an online attack with throttling. */
export const MIN_PASSWORD_SCORE = 3;

// Levenshtein matching is off: it costs about a second of CPU per long password, which anyone could
// make the server spend; "similar to common" is still caught through l33t and capitalization rules.
const strength = new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });

/** zxcvbn's warnings, each with a message in `errors.passwordWeak.*` (en and zh). */
export const PASSWORD_WARNINGS = [
  "straightRow", "keyPattern", "simpleRepeat", "extendedRepeat", "sequences", "recentYears", "dates", "topTen",
  "topHundred", "common", "similarToCommon", "wordByItself", "namesByThemselves", "commonNames", "userInputs", "pwned",
] as const;

/**
 * Null when the password is strong enough; otherwise the i18n key saying why (zxcvbn's warning, or a
 * general one). `userInputs` (the e-mail and its parts) count as guessable words.
 */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  const words = userInputs.flatMap((input) => [input, ...input.split(/[@._+-]+/)]).filter((word) => word.length >= 3);
  const result = strength.check(password, words);
  if (result.score < MIN_PASSWORD_SCORE) return weaknessKey(result.feedback.warning);
  // zxcvbn charges for the separators between known words, so "name.surname" for
  // name.surname@… scores well: a password that is the address's words plus a few characters is refused.
  let rest = password;
  for (const word of words.filter((candidate) => candidate.length >= 4).sort((a, b) => b.length - a.length)) rest = rest.replace(new RegExp(escapeRegExp(word), "gi"), "");
  if (rest !== password && rest.replace(/[^\p{L}\p{N}]/gu, "").length < 4) return "errors.passwordWeak.userInputs";
  return null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function weaknessKey(warning: string | null): string {
  const known = PASSWORD_WARNINGS.find((name) => name === warning);
  return known ? `errors.passwordWeak.${known}` : "errors.passwordWeak.general";
}

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against this keeps a log-in for an unknown email as slow as one for a real account.
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword("decoy-password-that-matches-nothing");
  return decoyHash;
}
