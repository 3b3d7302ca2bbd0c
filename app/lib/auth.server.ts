// Sessions (lucia v3, the only place lucia is called) and the guards every route starts with.
import { redirect, type AppLoadContext } from "@remix-run/node";
import { Lucia, TimeSpan } from "lucia";
import type { Role } from "./db-schema";
import { getDb } from "./db.server";
import { getEnv } from "./env.server";
import { createKyselyAdapter } from "./lucia-adapter.server";
import { sha256Hex } from "./crypto.server";
import { hasRole } from "./roles";

export const SESSION_COOKIE_NAME = "ferry_session";

function buildLucia() {
  return new Lucia(createKyselyAdapter(getDb()), {
    sessionExpiresIn: new TimeSpan(30, "d"),
    sessionCookie: {
      name: SESSION_COOKIE_NAME,
      attributes: { secure: getEnv().isProduction, sameSite: "lax", path: "/" },
    },
    getSessionAttributes: (attributes) => ({ authenticatedAt: attributes.authenticatedAt }),
    getUserAttributes: (attributes) => ({
      email: attributes.email,
      role: attributes.role,
      locale: attributes.locale,
      emailVerified: attributes.emailVerifiedAt !== null,
      disabled: attributes.disabledAt !== null,
    }),
  });
}

let lucia: ReturnType<typeof buildLucia> | undefined;
function getLucia() {
  lucia ??= buildLucia();
  return lucia;
}

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof buildLucia>;
    DatabaseUserAttributes: {
      email: string;
      role: Role;
      locale: string;
      emailVerifiedAt: string | null;
      disabledAt: string | null;
    };
    DatabaseSessionAttributes: { authenticatedAt?: string; ip?: string | null; userAgent?: string | null };
  }
}

export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  locale: string;
  emailVerified: boolean;
  disabled: boolean;
}

export interface CurrentSession {
  user: SessionUser;
  sessionId: string;
  authenticatedAt: Date;
}

export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

export function requestOrigin(request: Request, context: AppLoadContext | undefined): RequestOrigin {
  return {
    ip: context?.clientIp ?? null,
    userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null,
  };
}

export async function getCurrentSession(request: Request): Promise<CurrentSession | null> {
  const sessionId = getLucia().readSessionCookie(request.headers.get("cookie") ?? "");
  if (!sessionId) return null;
  const { session, user } = await getLucia().validateSession(sessionId);
  if (!session || !user) return null;
  if (user.disabled) {
    await getLucia().invalidateSession(sessionId);
    return null;
  }
  return {
    user: {
      id: user.id,
      email: user.email,
      role: user.role,
      locale: user.locale,
      emailVerified: user.emailVerified,
      disabled: user.disabled,
    },
    sessionId,
    authenticatedAt: new Date(session.authenticatedAt ?? 0),
  };
}

export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  return (await getCurrentSession(request))?.user ?? null;
}

function loginRedirect(request: Request): Response {
  const url = new URL(request.url);
  const redirectTo = `${url.pathname}${url.search}`;
  return redirect(`/login?${new URLSearchParams({ redirectTo })}`);
}

export async function requireSession(request: Request): Promise<CurrentSession> {
  const current = await getCurrentSession(request);
  if (!current) throw loginRedirect(request);
  return current;
}

export async function requireUser(request: Request): Promise<SessionUser> {
  return (await requireSession(request)).user;
}

export async function requireRole(request: Request, role: Role): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!hasRole(user.role, role)) {
    throw new Response("Forbidden", { status: 403 });
  }
  return user;
}

export async function requireAnonymous(request: Request): Promise<void> {
  if (await getCurrentSession(request)) throw redirect("/account");
}

/** Starts a brand-new session (never reuses an id) and returns its Set-Cookie header. */
export async function startSession(userId: string, origin: RequestOrigin): Promise<string> {
  const session = await getLucia().createSession(userId, {
    authenticatedAt: new Date().toISOString(),
    ip: origin.ip,
    userAgent: origin.userAgent,
  });
  return getLucia().createSessionCookie(session.id).serialize();
}

export async function endSession(request: Request): Promise<string> {
  const sessionId = getLucia().readSessionCookie(request.headers.get("cookie") ?? "");
  if (sessionId) await getLucia().invalidateSession(sessionId);
  return getLucia().createBlankSessionCookie().serialize();
}

export async function endOtherSessions(userId: string, keepSessionId: string): Promise<void> {
  await getDb()
    .deleteFrom("sessions")
    .where("user_id", "=", userId)
    .where("id", "!=", sha256Hex(keepSessionId))
    .execute();
}

/** Marks the current session as freshly re-authenticated (after a password entry). */
export async function markSessionAuthenticated(sessionId: string): Promise<void> {
  await getDb()
    .updateTable("sessions")
    .set({ authenticated_at: new Date().toISOString() })
    .where("id", "=", sha256Hex(sessionId))
    .execute();
}

export function isRecentlyAuthenticated(current: CurrentSession, maxAgeMs: number, now = Date.now()): boolean {
  return now - current.authenticatedAt.getTime() <= maxAgeMs;
}

export async function deleteExpiredSessions(): Promise<void> {
  await getLucia().deleteExpiredSessions();
}
