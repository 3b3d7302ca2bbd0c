// The API key format, pure so the gateway, the docs page and secret scanners share one definition:
// `<provider prefix>_<32 random base62 chars><6-char base62 CRC32 of everything before it>`.

export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 32 base62 characters carry 32 × log2(62) ≈ 190.5 bits. */
export const KEY_RANDOM_LENGTH = 32;
export const KEY_CHECKSUM_LENGTH = 6;
/** Characters after the prefix shown in lists (`glmsk_7Hq2…a9Zx`); the rest stays secret. */
export const VISIBLE_RANDOM_CHARS = 4;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function toBase62(value: number, width: number): string {
  let out = "";
  let rest = value;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, "0");
}

/** The 6-character checksum of a key's body (`prefix_random`). 62^6 > 2^32, so it always fits. */
export function keyChecksum(body: string): string {
  return toBase62(crc32(body), KEY_CHECKSUM_LENGTH);
}

export function assembleKey(prefix: string, random: string): string {
  const body = `${prefix}_${random}`;
  return `${body}${keyChecksum(body)}`;
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The pattern secret scanners search for, published on the docs page. */
export function keyScannerPattern(prefix: string): string {
  return `\\b${escapeRegExp(prefix)}_[0-9A-Za-z]{${KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH}}\\b`;
}

export type KeyFormatFailure = "malformed" | "foreign_prefix" | "bad_checksum";

const TAIL = new RegExp(`^[0-9A-Za-z]{${KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH}}$`);

/** Checks shape, prefix and checksum without touching any database. */
export function checkKeyFormat(candidate: string, prefix: string): { ok: true } | { ok: false; reason: KeyFormatFailure } {
  const separator = candidate.lastIndexOf("_");
  if (separator <= 0 || !TAIL.test(candidate.slice(separator + 1))) return { ok: false, reason: "malformed" };
  if (candidate.slice(0, separator) !== prefix) return { ok: false, reason: "foreign_prefix" };
  const body = candidate.slice(0, -KEY_CHECKSUM_LENGTH);
  if (keyChecksum(body) !== candidate.slice(-KEY_CHECKSUM_LENGTH)) return { ok: false, reason: "bad_checksum" };
  return { ok: true };
}

/** What may be shown of a key after creation: `glmsk_7Hq2` and the last four characters. */
export function visibleParts(key: string, prefix: string): { visiblePrefix: string; lastFour: string } {
  return { visiblePrefix: key.slice(0, prefix.length + 1 + VISIBLE_RANDOM_CHARS), lastFour: key.slice(-4) };
}
