import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    clientIp: string;
    cspNonce: string;
    /** Set by app/server.ts; the same id is on every log line of the request. */
    requestId?: string;
    /** Set by entry.server's handleError when the database was busy or away: the answer becomes 503. */
    databaseTrouble?: { reason: "busy" | "unavailable"; retryAfterSeconds: number };
  }
  interface Future {
    v3_singleFetch: true;
  }
}

export {};
