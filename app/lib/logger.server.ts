// Structured JSON logs (pino). Every line written while a request is being answered carries that
// request's id, taken from AsyncLocalStorage, so domain code logs through `logger` without passing ids.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { getEnv } from "./env.server";

interface RequestScope {
  requestId: string;
}

const requestScope = new AsyncLocalStorage<RequestScope>();

// Secrets never reach the log, whatever object a caller passes (headers, forms, errors).
const REDACTED_KEYS = ["authorization", "cookie", "set-cookie", "password", "apiKey", "api_key", "adminKey", "admin_key", "code", "token", "secret", "key"];
const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `req.headers["${key}"]`, `headers["${key}"]`]);

function createLogger() {
  const env = getEnv();
  return pino({
    level: env.LOG_LEVEL ?? (env.NODE_ENV === "test" ? "silent" : "info"),
    base: { service: "ferry" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: "[redacted]" },
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { requestId: scope.requestId } : {};
    },
  });
}

let instance: pino.Logger | undefined;

/** The process logger; created on first use so tests can set LOG_LEVEL first. */
export function getLogger(): pino.Logger {
  instance ??= createLogger();
  return instance;
}

/** Shorthand for the process logger, created lazily. */
export const log = {
  debug: (object: object | string, message?: string) => write("debug", object, message),
  info: (object: object | string, message?: string) => write("info", object, message),
  warn: (object: object | string, message?: string) => write("warn", object, message),
  error: (object: object | string, message?: string) => write("error", object, message),
};

function write(level: "debug" | "info" | "warn" | "error", object: object | string, message?: string) {
  const logger = getLogger();
  if (typeof object === "string") logger[level](object);
  else logger[level](object, message);
}

/** An error as loggable fields: its name, message and stack, never the object (it may hold a query's parameters). */
export function errorFields(error: unknown): { err: { name: string; message: string; errorCode?: string; stack?: string } } {
  if (error instanceof Error) {
    // `errorCode`, not `code`: "code" is a redacted key (one-time codes).
    const code = (error as { code?: unknown }).code;
    return { err: { name: error.name, message: error.message, ...(typeof code === "string" ? { errorCode: code } : {}), stack: error.stack } };
  }
  return { err: { name: "NonError", message: String(error) } };
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The caller's X-Request-Id when it looks like an id (no spaces, no control characters), else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Runs `work` with `requestId` attached to every log line it writes (also across awaits). */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return requestScope.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}
