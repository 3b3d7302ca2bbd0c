// Small JSON answers for the browser's fetch calls (the passkey endpoints).
import type { z, ZodTypeAny } from "zod";

const NO_STORE = { "Cache-Control": "no-store" };

/** The request body parsed as JSON and checked by `schema`; null when it is not JSON or does not fit. */
export async function readJsonBody<S extends ZodTypeAny>(request: Request, schema: S): Promise<z.output<S> | null> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return null;
  }
  const parsed = schema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

export function jsonOk(body: unknown, headers: HeadersInit = {}): Response {
  return Response.json(body, { headers: { ...NO_STORE, ...headers } });
}

/** `error` is an i18n key the page shows. */
export function jsonError(error: string, status = 400, retryAfterSeconds?: number): Response {
  const headers: Record<string, string> = { ...NO_STORE };
  if (retryAfterSeconds) headers["Retry-After"] = String(retryAfterSeconds);
  return Response.json({ error, retryAfterSeconds }, { status, headers });
}
