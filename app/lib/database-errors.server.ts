// Database failures that are the database's state, not a bug: a lock held elsewhere, a statement
// past its time limit, a connection that is gone. The HTTP edges answer them with 503 + Retry-After.

/** The write lock (SQLite) or a row/table lock or statement time limit (PostgreSQL) was not had in time. */
export class DatabaseBusyError extends Error {
  readonly retryAfterSeconds = 1;
  constructor(readonly cause: unknown) {
    super("the database is busy");
    this.name = "DatabaseBusyError";
  }
}

/** The database cannot be reached (refused, terminated, shutting down, connect timeout). */
export class DatabaseUnavailableError extends Error {
  readonly retryAfterSeconds = 5;
  constructor(readonly cause: unknown) {
    super("the database is unavailable");
    this.name = "DatabaseUnavailableError";
  }
}

export type DatabaseTrouble = DatabaseBusyError | DatabaseUnavailableError;

// PostgreSQL SQLSTATEs: 57014 statement_timeout/query_canceled, 55P03 lock_not_available,
// 40P01 deadlock_detected, 40001 serialization_failure (all: try again shortly).
const PG_BUSY = new Set(["57014", "55P03", "40P01", "40001"]);
// 57P01–57P03 shutdown / cannot connect now, 53300 too many connections, class 08 connection exceptions.
const PG_UNAVAILABLE = new Set(["57P01", "57P02", "57P03", "53300"]);
const NODE_NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"]);
const PG_CONNECTION_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error",
  "Client was closed and is not queryable",
];

function classify(error: unknown, depth: number): DatabaseTrouble | null {
  if (!error || typeof error !== "object" || depth > 4) return null;
  if (error instanceof DatabaseBusyError || error instanceof DatabaseUnavailableError) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return new DatabaseBusyError(error);
    if (PG_BUSY.has(code)) return new DatabaseBusyError(error);
    if (PG_UNAVAILABLE.has(code) || /^08/.test(code) || NODE_NETWORK.has(code)) return new DatabaseUnavailableError(error);
  }
  if (typeof message === "string" && PG_CONNECTION_MESSAGES.some((known) => message.includes(known))) {
    return new DatabaseUnavailableError(error);
  }
  // Node reports "localhost" refusals as an AggregateError (IPv4 and IPv6 attempts).
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = classify(inner, depth + 1);
      if (found) return found;
    }
  }
  return classify((error as { cause?: unknown }).cause, depth + 1);
}

/** The typed trouble behind `error`, or null when it is something else (a bug: answer 500). */
export function databaseTroubleOf(error: unknown): DatabaseTrouble | null {
  return classify(error, 0);
}
