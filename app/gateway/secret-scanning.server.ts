// GitHub's secret scanning partner program: GitHub POSTs the tokens matching our key pattern that
// it found in public, signed with ECDSA P-256 / SHA-256 over the raw body (headers
// Github-Public-Key-Identifier and Github-Public-Key-Signature, base64 DER). Keys are configured
// as GitHub publishes them (GET https://api.github.com/meta/public_keys/secret_scanning).
import { verify, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { reportLeakedKeys } from "~/domain/leaked-keys.server";
import type { DbExecutor } from "~/lib/db.server";
import { errorFields, log } from "~/lib/logger.server";
import type { ProviderProfile } from "~/providers/types";
export { parsePublishedKeys } from "~/lib/secret-scanning-keys.server";

export const SECRET_SCANNING_PATH = "/api/secret-scanning/github";
/** GitHub sends findings in batches; a thousand findings fit well under this. */
export const SECRET_SCANNING_BODY_LIMIT = 1024 * 1024;

export function signatureValid(keys: Map<string, KeyObject>, identifier: string | undefined, signature: string | undefined, body: Buffer): boolean {
  if (!identifier || !signature) return false;
  const key = keys.get(identifier);
  if (!key) return false;
  try {
    return verify("sha256", body, { key, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

const findingsSchema = z
  .array(
    z.object({
      token: z.string().min(1).max(500),
      type: z.string().min(1).max(100),
      url: z.string().max(2000).nullish(),
      source: z.string().max(100).nullish(),
    }),
  )
  .max(1000);

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= SECRET_SCANNING_BODY_LIMIT) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > SECRET_SCANNING_BODY_LIMIT ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export interface SecretScanningOptions {
  db: DbExecutor;
  provider: Pick<ProviderProfile, "keyPrefix">;
  /** Verification keys by identifier; none = the endpoint answers 404 (not configured). */
  keys: Map<string, KeyObject>;
}

export function createSecretScanningHandler(options: SecretScanningOptions) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (options.keys.size === 0) {
      req.resume();
      return send(res, 404, { error: "secret scanning is not configured" });
    }
    if (req.method !== "POST") {
      req.resume();
      return send(res, 405, { error: "use POST" });
    }
    readBody(req)
      .then(async (body) => {
        if (body === null) return send(res, 413, { error: "body too large" });
        const identifier = req.headers["github-public-key-identifier"];
        const signature = req.headers["github-public-key-signature"];
        // Verified over the raw bytes, before anything is parsed.
        if (!signatureValid(options.keys, typeof identifier === "string" ? identifier : undefined, typeof signature === "string" ? signature : undefined, body)) {
          return send(res, 401, { error: "signature does not verify" });
        }
        let json: unknown;
        try {
          json = JSON.parse(body.toString("utf8"));
        } catch {
          return send(res, 400, { error: "body is not JSON" });
        }
        const findings = findingsSchema.safeParse(json);
        if (!findings.success) return send(res, 400, { error: "expected an array of { token, type, url, source }" });
        const verdicts = await reportLeakedKeys(options.db, options.provider, { findings: findings.data, reporter: "github" });
        send(res, 200, verdicts);
      })
      .catch((error: unknown) => {
        // Never log the body: it holds keys.
        log.error({ ...errorFields(error) }, "secret scanning report failed");
        if (!res.headersSent) send(res, 500, { error: "could not process the report; retry" });
      });
  };
}
