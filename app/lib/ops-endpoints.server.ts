// /healthz (the process is alive), /readyz (database reachable, migrations current, not shutting
// down) and /metrics (token-protected). Answered before Express so they work when all else is busy.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createMetricsEndpoint } from "./metrics.server";
import type { Readiness } from "./readiness.server";

const JSON_NO_STORE = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };

export function createOpsEndpoints(options: { readiness: Readiness; metricsToken?: string }) {
  const metrics = createMetricsEndpoint(options.metricsToken);
  /** Answers and returns true when `req` is one of the operations endpoints. */
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, JSON_NO_STORE);
      res.end(JSON.stringify({ ok: true }));
      return true;
    }
    if (path === "/readyz") {
      void options.readiness.probe().then(({ ready, reason }) => {
        res.writeHead(ready ? 200 : 503, ready ? JSON_NO_STORE : { ...JSON_NO_STORE, "Retry-After": "5" });
        res.end(JSON.stringify(ready ? { ready } : { ready, reason }));
      });
      return true;
    }
    if (path === "/metrics") {
      void metrics(req, res);
      return true;
    }
    return false;
  };
}

/** The answer to a request that needs a database this instance does not have yet. */
export function sendNotReady(res: ServerResponse) {
  res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "Retry-After": "5" });
  res.end("Ferry is starting or its database is unavailable; retry shortly.");
}
