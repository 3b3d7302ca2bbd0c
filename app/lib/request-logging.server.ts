// Per portal request: an id (the caller's sane X-Request-Id or a new one) echoed in the response
// and attached to every log line, one access-log line when it is answered, and the HTTP metrics.
// The gateway API does not pass through here: its hot path only counts (metrics.server.ts).
import type { RequestHandler } from "express";
import { log, requestIdFrom, withRequestId } from "./logger.server";
import { observeHttpRequest } from "./metrics.server";

export function requestLogging(routeLabel: (path: string) => string): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    const started = performance.now();
    res.locals.requestId = requestId;
    res.setHeader("X-Request-Id", requestId);
    res.once("finish", () => {
      const seconds = (performance.now() - started) / 1000;
      const route = routeLabel(req.path);
      observeHttpRequest(route, req.method, res.statusCode, seconds);
      if (route === "/build/*") return;
      // The path only: query strings can carry one-time codes and tokens.
      withRequestId(requestId, () =>
        log.info({ method: req.method, path: req.path, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, "request"),
      );
    });
    withRequestId(requestId, next);
  };
}
