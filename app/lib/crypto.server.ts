import { createHash, createHmac, randomBytes, randomInt } from "node:crypto";
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
