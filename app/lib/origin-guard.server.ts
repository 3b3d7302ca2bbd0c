import type { RequestHandler } from "express";
import { isCrossSiteRequest } from "./csrf.server";

/** Refuses state-changing requests whose Origin is not this site (CSRF). */
export function originGuard(appUrl: string | undefined): RequestHandler {
  const configuredOrigin = appUrl ? new URL(appUrl).origin : undefined;
  return (req, res, next) => {
    const ownOrigin = `${req.protocol}://${req.get("host")}`;
    const crossSite = isCrossSiteRequest({
      method: req.method,
      path: req.originalUrl,
      originHeader: req.get("origin"),
      refererHeader: req.get("referer"),
      allowedOrigins: configuredOrigin ? [configuredOrigin, ownOrigin] : [ownOrigin],
    });
    if (crossSite) {
      res.status(403).type("text/plain").send("Forbidden: this request did not come from this site (Origin check failed).");
      return;
    }
    next();
  };
}
