// The HTTP server without its start-up: the operations endpoints, path normalization, static files
// (from memory, precompressed), the gateway, then Express: request logging, security headers, body
// limits, the CSRF origin check and Remix.
// Tests build one in-process.
import { createServer, type RequestListener, type Server } from "node:http";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { createGatewayHandler, GATEWAY_PATH } from "~/gateway/router.server";
import { createSecretScanningHandler, SECRET_SCANNING_PATH } from "~/gateway/secret-scanning.server";
import { bodyLimits, FORM_BODY_LIMIT } from "~/lib/body-limit.server";
import { sharingSessionLookups } from "~/lib/auth.server";
import type { Db } from "~/lib/db.server";
import type { Env } from "~/lib/env.server";
import { sendNotReady } from "~/lib/ops-endpoints.server";
import { originGuard } from "~/lib/origin-guard.server";
import { STREAMED_COMPRESSION } from "~/lib/page-compression.server";
import { clientAddress, trustsHop } from "~/lib/proxy-trust.server";
import { currentProvider } from "~/lib/provider.server";
import type { Readiness } from "~/lib/readiness.server";
import { remixHandler } from "~/lib/remix-handler.server";
import { observeHttpRequest } from "~/lib/metrics.server";
import { requestLogging } from "~/lib/request-logging.server";
import { normalizedRequestTarget } from "~/lib/request-path";
import { routeLabeler } from "~/lib/route-label.server";
import { installRouteMatchCache } from "~/lib/route-match-cache.server";
import { assignCspNonce, securityHeaders } from "~/lib/security-headers.server";
import { chooseEncoding, staticFiles } from "~/lib/static-files.server";
import { PAGE_TEXTS_PREFIX, pageTextsAt } from "~/lib/translations.server";
import { checkoutFormActionOrigins } from "~/lib/stripe.server";

/** The Stripe webhook verifies its signature over the raw bytes; Stripe's events stay far below this. */
const WEBHOOK_BODY_LIMIT = 512 * 1024;
/** Multipart framing and the small fields sent next to the file. */
const UPLOAD_OVERHEAD_BYTES = 64 * 1024;

export interface FerryServerOptions {
  build: ServerBuild;
  env: Env;
  db: Db;
  /** Until migrations have run, requests that need the database get 503 (absent: always ready). */
  readiness?: Pick<Readiness, "migrated">;
  /** `/healthz`, `/readyz`, `/metrics`: answers and returns true when the request is one of them. */
  opsEndpoints?: (req: Parameters<RequestListener>[0], res: Parameters<RequestListener>[1]) => boolean;
  /** Where static files are (default `public`, relative to the working directory). */
  publicDir?: string;
}

export function createFerryServer(options: FerryServerOptions): Server {
  return createServer(createFerryRequestListener(options));
}

export function createFerryRequestListener(options: FerryServerOptions): RequestListener {
  const { build, env, db, readiness } = options;
  installRouteMatchCache();
  const publicDir = options.publicDir ?? "public";
  const migrated = () => readiness?.migrated ?? true;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustsHop(env.TRUST_PROXY));
  app.use(requestLogging(routeLabeler(Object.values(build.routes))));
  app.use(assignCspNonce);
  app.use(securityHeaders({ isProduction: env.isProduction, formActionOrigins: checkoutFormActionOrigins() }));
  app.use(compression(STREAMED_COMPRESSION));
  app.use((_req, res, next) => (migrated() ? next() : sendNotReady(res)));
  app.use(originGuard(env.APP_URL));
  app.use(
    bodyLimits({
      defaultLimit: FORM_BODY_LIMIT,
      rawPaths: { "/webhooks/stripe": WEBHOOK_BODY_LIMIT },
      streamingPaths: { "/account/evidence/upload": env.EVIDENCE_MAX_BYTES + UPLOAD_OVERHEAD_BYTES },
    }),
  );
  const remix = remixHandler({
    build,
    mode: env.isProduction ? "production" : "development",
    getLoadContext: (req, res) => ({
      clientIp: clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], env.TRUST_PROXY),
      cspNonce: res.locals.cspNonce as string,
      requestId: res.locals.requestId as string,
    }),
  });
  app.all("*", (req, res, next) => (req.method === "GET" || req.method === "HEAD" ? sharingSessionLookups(() => remix(req, res, next)) : remix(req, res, next)));

  // The gateway API is machine traffic on every LLM request: it is answered before Express and
  // Remix see the request (no CSP nonce, compression, session or HTML rendering on that path).
  const gateway = createGatewayHandler({ db, provider: currentProvider(), tokens: env.GATEWAY_TOKENS, appUrl: env.APP_URL });
  const secretScanning = createSecretScanningHandler({ db, provider: currentProvider(), keys: env.SECRET_SCANNING_PUBLIC_KEYS });
  // Static files likewise: no session, nonce, logging or compression (their copies are compressed
  // at build time); counted in the metrics like any request.
  const publicFiles = staticFiles({ root: publicDir, immutablePrefix: "/build/" });
  return (req, res) => {
    if (options.opsEndpoints?.(req, res)) return;
    // `/webhooks/../login` is `/login` to Remix and to browsers: every decision below sees that form.
    req.url = normalizedRequestTarget(req.url ?? "/");
    const started = performance.now();
    if (publicFiles(req, res)) {
      observeHttpRequest(req.url.startsWith("/build/") ? "/build/*" : "static", req.method ?? "GET", res.statusCode, (performance.now() - started) / 1000);
      return;
    }
    if (req.url.startsWith(PAGE_TEXTS_PREFIX) && servePageTexts(req, res)) {
      observeHttpRequest("/texts/*", req.method ?? "GET", res.statusCode, (performance.now() - started) / 1000);
      return;
    }
    if (req.url.startsWith(`${GATEWAY_PATH}/`)) {
      if (migrated()) gateway(req, res);
      else sendNotReady(res);
    } else if (req.url.split("?")[0] === SECRET_SCANNING_PATH) {
      if (migrated()) secretScanning(req, res);
      else sendNotReady(res);
    } else app(req, res);
  };
}

/** A page's strings (see translations.server.ts), like a static file; false for anything else. */
function servePageTexts(req: Parameters<RequestListener>[0], res: Parameters<RequestListener>[1]): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const texts = pageTextsAt(query === -1 ? url : url.slice(0, query));
  if (!texts) return false;
  const encoding = chooseEncoding(req.headers["accept-encoding"], { br: true, gzip: true });
  const body = texts.file[encoding];
  res.writeHead(200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Content-Length": String(body.length),
    // An older page's tag (a deploy in between) gets today's strings: not to be kept under that name.
    "Cache-Control": texts.current ? "public, max-age=31536000, immutable" : "no-cache",
    "X-Content-Type-Options": "nosniff",
    Vary: "Accept-Encoding",
    ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
  });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}
