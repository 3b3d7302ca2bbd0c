// GitHub's secret scanning verification keys, configured as GitHub publishes them
// (GET https://api.github.com/meta/public_keys/secret_scanning): parsed once at start-up.
import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";

const publishedKeysSchema = z.union([
  z.object({ public_keys: z.array(z.object({ key_identifier: z.string().min(1), key: z.string().min(1), is_current: z.boolean().optional() })).min(1) }),
  z.array(z.object({ key_identifier: z.string().min(1), key: z.string().min(1), is_current: z.boolean().optional() })).min(1),
]);

/** Parses the configured JSON (the object GitHub serves, or its public_keys array) into verification keys by identifier; a message on failure. */
export function parsePublishedKeys(json: string): Map<string, KeyObject> | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return "must be the JSON GitHub publishes ({\"public_keys\":[{\"key_identifier\":…,\"key\":\"-----BEGIN PUBLIC KEY-----…\"}]})";
  }
  const parsed = publishedKeysSchema.safeParse(value);
  if (!parsed.success) return "needs public_keys: [{ key_identifier, key }]";
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.public_keys;
  const keys = new Map<string, KeyObject>();
  for (const entry of list) {
    try {
      const key = createPublicKey(entry.key);
      if (key.asymmetricKeyType !== "ec") return `key ${entry.key_identifier} is not an EC public key`;
      keys.set(entry.key_identifier, key);
    } catch {
      return `key ${entry.key_identifier} is not a PEM public key`;
    }
  }
  return keys;
}

