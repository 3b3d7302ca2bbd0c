// Calling loaders and actions the way Remix does: a real Request, a load context, thrown responses caught.
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { randomBytes } from "node:crypto";
import { createAccount } from "~/domain/accounts.server";
import { startSession } from "~/lib/auth.server";
import type { Role } from "~/lib/db-schema";
import { getDb } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { listOutbox } from "~/lib/mail.server";

export const BASE_URL = "http://ferry.test";

type RouteFunction = (args: LoaderFunctionArgs | ActionFunctionArgs) => unknown;

export interface CallOptions {
  method?: string;
  form?: Record<string, string>;
  cookie?: string;
  ip?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  body?: BodyInit;
}

export function buildRequest(path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.cookie) headers.set("Cookie", options.cookie);
  const method = options.method ?? (options.form || options.body ? "POST" : "GET");
  let body: BodyInit | undefined = options.body;
  if (options.form) {
    body = new URLSearchParams(options.form);
    headers.set("Content-Type", "application/x-www-form-urlencoded");
  }
  return new Request(new URL(path, BASE_URL), { method, headers, body });
}

/** Each call comes from its own address unless a test names one, so per-IP limits only bite where tested. */
export function loadContext(ip?: string): AppLoadContext {
  return { clientIp: ip ?? `10.${randomBytes(3).join(".")}`, cspNonce: "test-nonce" };
}

export interface RouteOutcome {
  status: number;
  headers: Headers;
  /** The value returned with `data()` or as a plain object, when there is one. */
  data: any;
  location: string | null;
  setCookies: string[];
}

/** Runs a loader or action; redirects and errors that routes throw come back as outcomes too. */
export async function call(fn: RouteFunction, path: string, options: CallOptions = {}): Promise<RouteOutcome> {
  const request = buildRequest(path, options);
  let result: unknown;
  try {
    result = await fn({ request, params: options.params ?? {}, context: loadContext(options.ip) });
  } catch (thrown) {
    result = thrown;
  }
  return toOutcome(result);
}

async function toOutcome(result: unknown): Promise<RouteOutcome> {
  if (result instanceof Response) {
    const text = await result.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* plain text body */
    }
    return {
      status: result.status,
      headers: result.headers,
      data: parsed,
      location: result.headers.get("Location"),
      setCookies: result.headers.getSetCookie(),
    };
  }
  if (result && typeof result === "object" && (result as { type?: string }).type === "DataWithResponseInit") {
    const wrapped = result as { data: unknown; init?: ResponseInit | null };
    const headers = new Headers(wrapped.init?.headers);
    return { status: wrapped.init?.status ?? 200, headers, data: wrapped.data, location: headers.get("Location"), setCookies: headers.getSetCookie() };
  }
  if (result instanceof Error) throw result;
  return { status: 200, headers: new Headers(), data: result, location: null, setCookies: [] };
}

/** `name=value` pairs from Set-Cookie headers, ready to send back as a Cookie header. */
export function cookieHeader(setCookies: string[]): string {
  return setCookies.map((cookie) => cookie.split(";")[0]).join("; ");
}

export function uniqueEmail(label = "dev"): string {
  return `${label}-${randomBytes(5).toString("hex")}@example.com`;
}

export const STRONG_PASSWORD = "correct horse battery staple 42";

export async function createUser(options: { role?: Role; verified?: boolean; email?: string; password?: string } = {}) {
  const email = options.email ?? uniqueEmail(options.role ?? "dev");
  const password = options.password ?? STRONG_PASSWORD;
  const user = await createAccount(getDb(), { email, password, role: options.role ?? "developer", verified: options.verified ?? true });
  return { ...user, password };
}

export async function latestMailTo(email: string) {
  return (await listOutbox(getDb(), 1, email))[0];
}

export async function countMailTo(email: string): Promise<number> {
  const rows = await getDb().selectFrom("mail_outbox").select("id").where("to_address", "=", email).execute();
  return rows.length;
}

/**
 * A session that has passed the second factor, as after a full log-in: what tests of operator
 * pages need (the second factor itself is tested in two-factor.test.ts).
 */
export async function fullSessionCookie(userId: string, origin: { ip: string | null; userAgent: string | null } = { ip: "192.0.2.50", userAgent: "integration-test" }): Promise<string> {
  return cookieHeader([await startSession(userId, origin, "passed")]);
}

/** A bare developer row (no password, no session): an account for the ledger's tests. */
export async function insertLedgerAccount(emailDomain = "ledger.test"): Promise<string> {
  const id = newId("usr");
  const at = new Date().toISOString();
  await getDb()
    .insertInto("users")
    .values({ id, email: `${id}@${emailDomain}`, password_hash: "x", email_verified_at: at, role: "developer", locale: "en", disabled_at: null, password_changed_at: at, created_at: at, updated_at: at })
    .execute();
  return id;
}
