import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, randomInt } from "node:crypto";
import { getEnv } from "./env.server";

export function sha256Hex(value: string | Buffer): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Keyed hash for short secrets (one-time codes): a stolen database alone cannot brute-force them. */
export function hmacHex(value: string): string {
  return createHmac("sha256", getEnv().appSecret).update(value).digest("hex");
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function randomDigits(length: number): string {
  let digits = "";
  for (let i = 0; i < length; i++) digits += String(randomInt(0, 10));
  return digits;
}

/** A 256-bit key for one purpose, derived from APP_SECRET (HKDF-SHA-256), so each use has its own key. */
function derivedKey(purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", getEnv().appSecret, "ferry", `ferry:${purpose}`, 32));
}

/** AES-256-GCM; the result is `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(plaintext: string, purpose: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derivedKey(purpose), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
}

/** The plaintext, or null when the value was not made by `encryptSecret` with this APP_SECRET and purpose. */
export function tryDecryptSecret(sealed: string, purpose: string): string | null {
  try {
    return decryptSecret(sealed, purpose);
  } catch {
    return null;
  }
}

/** Throws when the value was not made by `encryptSecret` with the same APP_SECRET and purpose. */
export function decryptSecret(sealed: string, purpose: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("Unknown sealed secret format");
  const decipher = createDecipheriv("aes-256-gcm", derivedKey(purpose), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}
