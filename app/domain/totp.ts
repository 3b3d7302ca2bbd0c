// The pure parts of the second factor: TOTP secrets and codes (RFC 6238: SHA-1, 6 digits, 30 s),
// and recovery codes. No database, no clock of its own.
import { randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";

export const TOTP_PERIOD_SECONDS = 30;
/** Codes of the step before and after the current one are accepted too (clock drift). */
export const TOTP_WINDOW_STEPS = 1;
export const RECOVERY_CODE_COUNT = 10;

export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, label = "", issuer = ""): TOTP {
  return new TOTP({ secret: Secret.fromBase32(secretBase32), algorithm: "SHA1", digits: 6, period: TOTP_PERIOD_SECONDS, label, issuer });
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, accountLabel: string, issuer: string): string {
  return totpFor(secretBase32, accountLabel, issuer).toString();
}

export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

export function totpCodeAt(secretBase32: string, step: number): string {
  return totpFor(secretBase32).generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 });
}

/** Spaces in the secret as shown for typing by hand: groups of four. */
export function formatSecretForTyping(secretBase32: string): string {
  return secretBase32.replace(/(.{4})/g, "$1 ").trim();
}

export function isTotpCodeShape(input: string): boolean {
  return /^\d{6}$/.test(input.replace(/\s/g, ""));
}

/**
 * The time step a code belongs to, or null when it matches no step in the window. Steps at or
 * before `lastUsedStep` never match: a code (or an older one) cannot be used twice.
 */
export function matchTotpStep(secretBase32: string, code: string, now: Date, lastUsedStep: number | null): number | null {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const current = totpStep(now);
  for (let offset = -TOTP_WINDOW_STEPS; offset <= TOTP_WINDOW_STEPS; offset++) {
    const step = current + offset;
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    if (totpCodeAt(secretBase32, step) === token) return step;
  }
  return null;
}

// Recovery codes: 10 characters of an alphabet without look-alikes (0/o, 1/l/i), shown as xxxxx-xxxxx.
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(10);
    const chars = Array.from(bytes, (byte) => RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** What is hashed and compared: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.toLowerCase().replace(/[\s-]/g, "");
  if (compact.length !== 10 || ![...compact].every((char) => RECOVERY_ALPHABET.includes(char))) return null;
  return compact;
}
