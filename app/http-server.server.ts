// The HTTP server without its start-up: path normalization, the gateway, security headers, body
// limits, the CSRF origin check, static files, then Remix. Tests build one in-process.
import { createServer, type Server } from "node:http";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { createGatewayHandler, GATEWAY_PATH } from "~/gateway/router.server";
import { bodyLimits, FORM_BODY_LIMIT } from "~/lib/body-limit.server";
import type { Db } from "~/lib/db.server";
import type { Env } from "~/lib/env.server";
import { originGuard } from "~/lib/origin-guard.server";
import { clientAddress, trustsHop } from "~/lib/proxy-trust.server";
import { currentProvider } from "~/lib/provider.server";
import { remixHandler } from "~/lib/remix-handler.server";
import { normalizedRequestTarget } from "~/lib/request-path";
import { assignCspNonce, securityHeaders } from "~/lib/security-headers.server";
import { checkoutFormActionOrigins } from "~/lib/stripe.server";

/** The Stripe webhook verifies its signature over the raw bytes; Stripe's events stay far below this. */
const WEBHOOK_BODY_LIMIT = 512 * 1024;
/** Multipart framing and the small fields sent next to the file. */
const UPLOAD_OVERHEAD_BYTES = 64 * 1024;

export function createFerryServer(options: { build: ServerBuild; env: Env; db: Db }): Server {
  const { build, env, db } = options;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", trustsHop(env.TRUST_PROXY));
  app.use(assignCspNonce);
  app.use(securityHeaders({ isProduction: env.isProduction, formActionOrigins: checkoutFormActionOrigins() }));
  app.use(compression());
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.use(originGuard(env.APP_URL));
  app.use(
    bodyLimits({
      defaultLimit: FORM_BODY_LIMIT,
      rawPaths: { "/webhooks/stripe": WEBHOOK_BODY_LIMIT },
      streamingPaths: { "/account/evidence/upload": env.EVIDENCE_MAX_BYTES + UPLOAD_OVERHEAD_BYTES },
    }),
  );
  app.all(
    "*",
    remixHandler({
      build,
      mode: env.isProduction ? "production" : "development",
      getLoadContext: (req, res) => ({
        clientIp: clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], env.TRUST_PROXY),
        cspNonce: res.locals.cspNonce as string,
      }),
    }),
  );

  // The gateway API is machine traffic on every LLM request: it is answered before Express and
  // Remix see the request (no CSP nonce, compression, session or HTML rendering on that path).
  const gateway = createGatewayHandler({ db, provider: currentProvider(), tokens: env.GATEWAY_TOKENS, appUrl: env.APP_URL });
  return createServer((req, res) => {
    // `/webhooks/../login` is `/login` to Remix and to browsers: every decision below sees that form.
    req.url = normalizedRequestTarget(req.url ?? "/");
    if (req.url.startsWith(`${GATEWAY_PATH}/`)) gateway(req, res);
    else app(req, res);
  });
}
