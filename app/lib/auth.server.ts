// Sessions (lucia v3, the only place lucia is called) and the guards every route starts with.
import { AsyncLocalStorage } from "node:async_hooks";
import { redirect, type AppLoadContext } from "@remix-run/node";
import { Lucia, TimeSpan } from "lucia";
import type { Role, SessionSecondFactor } from "./db-schema";
import { getDb } from "./db.server";
import { getEnv } from "./env.server";
import { createKyselyAdapter } from "./lucia-adapter.server";
import { sha256Hex } from "./crypto.server";
import { hasRole, homePathFor } from "./roles";

export const SESSION_COOKIE_NAME = "ferry_session";

function buildLucia() {
  return new Lucia(createKyselyAdapter(getDb()), {
    sessionExpiresIn: new TimeSpan(30, "d"),
    sessionCookie: {
      name: SESSION_COOKIE_NAME,
      attributes: { secure: getEnv().isProduction, sameSite: "lax", path: "/" },
    },
    getSessionAttributes: (attributes) => ({
      authenticatedAt: attributes.authenticatedAt,
      secondFactor: attributes.secondFactor ?? "none",
      lastSeenAt: attributes.lastSeenAt ?? null,
    }),
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
    DatabaseSessionAttributes: {
      authenticatedAt?: string;
      ip?: string | null;
      userAgent?: string | null;
      secondFactor?: SessionSecondFactor;
      lastSeenAt?: string | null;
    };
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
  /** The session's row id (SHA-256 of `sessionId`), what the sessions page names sessions by. */
  sessionKey: string;
  authenticatedAt: Date;
  /** Where the session stands with the second factor; only "none" and "passed" are full sessions. */
  secondFactor: SessionSecondFactor;
  lastSeenAt: string | null;
}

/** Operators (support, staff, admin) must have a second factor; developers may. */
export function requiresSecondFactor(role: Role): boolean {
  return hasRole(role, "support");
}

/** Sessions that started before an account became an operator are sent to enrolment too. */
function effectiveSecondFactor(stored: SessionSecondFactor, role: Role): SessionSecondFactor {
  return stored === "none" && requiresSecondFactor(role) ? "enrol" : stored;
}

export function isFullSession(current: CurrentSession): boolean {
  return current.secondFactor === "none" || current.secondFactor === "passed";
}

// Writing last-seen on every request would turn reads into writes; once a minute is enough.
const LAST_SEEN_RESOLUTION_MS = 60_000;

async function touchLastSeen(sessionId: string, lastSeenAt: string | null, now = new Date()): Promise<void> {
  if (lastSeenAt && now.getTime() - Date.parse(lastSeenAt) < LAST_SEEN_RESOLUTION_MS) return;
  await getDb()
    .updateTable("sessions")
    .set({ last_seen_at: now.toISOString() })
    .where("id", "=", sha256Hex(sessionId))
    .execute();
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

// A page's loaders (root, layout, page) each ask who is signed in; within one read-only request
// the answer is looked up once. Requests that run an action are left out: it may end the session.
const sessionLookups = new AsyncLocalStorage<Map<string, Promise<CurrentSession | null>>>();

/** Runs a GET or HEAD request's work sharing one session lookup per session id. */
export function sharingSessionLookups<T>(work: () => T): T {
  return sessionLookups.run(new Map(), work);
}

export function getCurrentSession(request: Request): Promise<CurrentSession | null> {
  const sessionId = getLucia().readSessionCookie(request.headers.get("cookie") ?? "");
  if (!sessionId) return Promise.resolve(null);
  const shared = request.method === "GET" || request.method === "HEAD" ? sessionLookups.getStore() : undefined;
  let lookup = shared?.get(sessionId);
  if (!lookup) {
    lookup = lookUpSession(sessionId);
    shared?.set(sessionId, lookup);
  }
  return lookup;
}

async function lookUpSession(sessionId: string): Promise<CurrentSession | null> {
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
    sessionKey: sha256Hex(sessionId),
    authenticatedAt: new Date(session.authenticatedAt ?? 0),
    secondFactor: effectiveSecondFactor(session.secondFactor, user.role),
    lastSeenAt: session.lastSeenAt,
  };
}

/** The signed-in user of a full session; a session still waiting for its second factor is nobody yet. */
export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  const current = await getCurrentSession(request);
  return current && isFullSession(current) ? current.user : null;
}

function loginRedirect(request: Request): Response {
  const url = new URL(request.url);
  const redirectTo = `${url.pathname}${url.search}`;
  return redirect(`/login?${new URLSearchParams({ redirectTo })}`);
}

export const SECOND_FACTOR_PATHS = { verify: "/login/second-factor", enrol: "/login/enrol" } as const;

/**
 * Where a session waiting for its second factor is sent, keeping where the user was going. The
 * developer dashboard is not kept: only operators have a second step, and they land on their own home.
 */
export function secondFactorPath(state: "enrol" | "verify", redirectTo?: string | null): string {
  const path = SECOND_FACTOR_PATHS[state];
  return redirectTo && redirectTo !== "/account" ? `${path}?${new URLSearchParams({ redirectTo })}` : path;
}

/** A full session (password and, where needed, second factor); anything else is redirected. */
export async function requireSession(request: Request): Promise<CurrentSession> {
  const current = await getCurrentSession(request);
  if (!current) throw loginRedirect(request);
  if (current.secondFactor === "enrol" || current.secondFactor === "verify") {
    const url = new URL(request.url);
    throw redirect(secondFactorPath(current.secondFactor, `${url.pathname}${url.search}`));
  }
  await touchLastSeen(current.sessionId, current.lastSeenAt);
  return current;
}

/** The two second-factor pages: a session waiting for `state`; full sessions go to their account. */
export async function requirePendingSession(request: Request, state: "enrol" | "verify"): Promise<CurrentSession> {
  const current = await getCurrentSession(request);
  if (!current) throw redirect("/login");
  if (isFullSession(current)) throw redirect(homePathFor(current.user.role));
  if (current.secondFactor !== state) throw redirect(secondFactorPath(current.secondFactor as "enrol" | "verify"));
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

/** Log-in and sign-up pages: a full session goes to its account; a half-finished log-in may start over. */
export async function requireAnonymous(request: Request): Promise<void> {
  const current = await getCurrentSession(request);
  if (current && isFullSession(current)) throw redirect(homePathFor(current.user.role));
}

/**
 * Starts a brand-new session (never reuses an id) and returns its Set-Cookie header.
 * `secondFactor` says what the log-in still needs ("enrol", "verify") or has ("none", "passed").
 */
export async function startSession(userId: string, origin: RequestOrigin, secondFactor: SessionSecondFactor): Promise<string> {
  const session = await getLucia().createSession(userId, {
    authenticatedAt: new Date().toISOString(),
    ip: origin.ip,
    userAgent: origin.userAgent,
    secondFactor,
  });
  return getLucia().createSessionCookie(session.id).serialize();
}

/**
 * The second factor was given: the waiting session is replaced by a new, full one (a new id, as
 * at any change of privilege). Returns the Set-Cookie header.
 */
export async function upgradeToFullSession(current: CurrentSession, origin: RequestOrigin): Promise<string> {
  await getLucia().invalidateSession(current.sessionId);
  return startSession(current.user.id, origin, "passed");
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
