// The HTTP server: operations endpoints and the gateway API first, then security headers, CSRF
// origin check, static files and Remix. Starts serving before the database is reachable (requests
// get 503 until migrations have run) and drains in-flight requests on SIGTERM.
import { createRequestHandler } from "@remix-run/express";
import * as build from "@remix-run/dev/server-build";
import { createServer } from "node:http";
import compression from "compression";
import express from "express";
import { countOpenClaims } from "~/domain/claim-review.server";
import { seedDemoAccounts } from "~/domain/demo-seed.server";
import { startBackgroundJobs } from "~/jobs.server";
import { createGatewayHandler, GATEWAY_PATH } from "~/gateway/router.server";
import { closeDb, getDb, poolUsageOf } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { gracefulShutdown } from "~/lib/graceful-shutdown.server";
import { errorFields, log } from "~/lib/logger.server";
import { registerSampledGauge } from "~/lib/metrics.server";
import { createOpsEndpoints, sendNotReady } from "~/lib/ops-endpoints.server";
import { originGuard } from "~/lib/origin-guard.server";
import { currentProvider } from "~/lib/provider.server";
import { startReadiness } from "~/lib/readiness.server";
import { requestLogging } from "~/lib/request-logging.server";
import { routeLabeler } from "~/lib/route-label.server";
import { assignCspNonce, securityHeaders } from "~/lib/security-headers.server";
import { checkoutFormActionOrigins } from "~/lib/stripe.server";

function main() {
  const env = getEnv();
  const db = getDb();
  let stopJobs = () => {};
  const readiness = startReadiness({
    db,
    async onFirstReady() {
      if (env.DEMO) await seedDemoAccounts(db, { log: (line) => log.info(line) });
      stopJobs = startBackgroundJobs({ db });
    },
  });
  registerSampledGauge({ name: "ferry_claims_awaiting_review", help: "Claims waiting on staff, by status.", labelName: "status", read: () => countOpenClaims(db) });
  registerSampledGauge({
    name: "ferry_db_pool_connections",
    help: "PostgreSQL pool connections by state (total, idle, waiting requests).",
    labelName: "state",
    read: () => poolUsageOf(db) ?? {},
  });

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", env.TRUST_PROXY);
  app.use(requestLogging(routeLabeler(Object.values(build.routes))));
  app.use(assignCspNonce);
  app.use(securityHeaders({ isProduction: env.isProduction, formActionOrigins: checkoutFormActionOrigins() }));
  app.use(compression());
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.use((_req, res, next) => (readiness.migrated ? next() : sendNotReady(res)));
  app.use(originGuard(env.APP_URL));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: env.isProduction ? "production" : "development",
      getLoadContext: (req, res) => ({
        clientIp: req.ip ?? "unknown",
        cspNonce: res.locals.cspNonce as string,
        requestId: res.locals.requestId as string,
      }),
    }),
  );

  // The gateway API is machine traffic on every LLM request: it is answered before Express and
  // Remix see the request (no CSP nonce, compression, session or HTML rendering on that path).
  const gateway = createGatewayHandler({ db, provider: currentProvider(), tokens: env.GATEWAY_TOKENS, appUrl: env.APP_URL });
  const opsEndpoints = createOpsEndpoints({ readiness, metricsToken: env.METRICS_TOKEN });
  const server = createServer();
  const shutdown = gracefulShutdown(server, {
    deadlineMs: env.SHUTDOWN_TIMEOUT_MS,
    onDraining: () => readiness.markDraining(),
    async cleanUp() {
      stopJobs();
      readiness.stop();
      await closeDb();
    },
  });
  server.on(
    "request",
    shutdown.track((req, res) => {
      if (opsEndpoints(req, res)) return;
      if (req.url?.startsWith(`${GATEWAY_PATH}/`)) {
        if (readiness.migrated) gateway(req, res);
        else sendNotReady(res);
      } else app(req, res);
    }),
  );
  server.listen(env.PORT, env.HOST, () => {
    const shown = env.APP_URL ?? `http://localhost:${env.PORT}`;
    log.info({ provider: env.PROVIDER, url: shown, demo: env.DEMO }, `Ferry (${env.PROVIDER}) listening on ${shown}${env.DEMO ? " — demo mode" : ""}`);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => void shutdown.drain(signal).then(() => process.exit(0)));
  }
  // A stray rejected promise (a driver's late error, say) is logged; it must not take the
  // instance down with every request it is serving.
  process.on("unhandledRejection", (reason) => log.error({ ...errorFields(reason) }, "unhandled promise rejection"));
}

try {
  main();
} catch (error) {
  // Invalid configuration: the logger itself may not be usable, so plain stderr.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
