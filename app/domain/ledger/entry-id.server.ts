// Ledger entry ids that sort in creation order (time, then a per-process counter, then randomness),
// so entries written in the same millisecond — the parts of one split debit — list in order.
import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const RANDOM_CHARS = 12;
let lastMillis = 0;
let counter = 0;
// Random bytes drawn in blocks: one CSPRNG call per 340 ids instead of one per id.
const pool = Buffer.alloc(RANDOM_CHARS * 340);
let poolOffset = pool.length;

function base32(value: number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i += 1) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/** `led_` + 10 chars of milliseconds + 4 of counter + 12 random (60 bits): 30 characters. */
export function newLedgerEntryId(): string {
  const millis = Date.now();
  if (millis > lastMillis) {
    lastMillis = millis;
    counter = 0;
  } else {
    counter += 1;
    if (counter >= 32 ** 4) {
      lastMillis += 1;
      counter = 0;
    }
  }
  if (poolOffset + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let random = "";
  for (let i = 0; i < RANDOM_CHARS; i += 1) random += ALPHABET[pool[poolOffset + i]! & 31];
  poolOffset += RANDOM_CHARS;
  return `led_${base32(lastMillis, 10)}${base32(counter, 4)}${random}`;
}
