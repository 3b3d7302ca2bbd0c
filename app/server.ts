// The HTTP server: security headers, CSRF origin check, static files, then Remix.
import { createRequestHandler } from "@remix-run/express";
import * as build from "@remix-run/dev/server-build";
import compression from "compression";
import express from "express";
import { seedDemoAccounts } from "~/domain/demo-seed.server";
import { startBackgroundJobs } from "~/jobs.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { migrateToLatest } from "~/lib/migrate.server";
import { originGuard } from "~/lib/origin-guard.server";
import { assignCspNonce, securityHeaders } from "~/lib/security-headers.server";
import { checkoutFormActionOrigins } from "~/lib/stripe.server";

async function main() {
  const env = getEnv();
  const db = getDb();
  await migrateToLatest(db);
  if (env.DEMO) await seedDemoAccounts(db, { log: console.info });

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", env.TRUST_PROXY);
  app.use(assignCspNonce);
  app.use(securityHeaders({ isProduction: env.isProduction, formActionOrigins: checkoutFormActionOrigins() }));
  app.use(compression());
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.use(originGuard(env.APP_URL));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: env.isProduction ? "production" : "development",
      getLoadContext: (req, res) => ({ clientIp: req.ip ?? "unknown", cspNonce: res.locals.cspNonce as string }),
    }),
  );

  const stopJobs = startBackgroundJobs();
  const server = app.listen(env.PORT, env.HOST, () => {
    const shown = env.APP_URL ?? `http://localhost:${env.PORT}`;
    console.info(`Ferry (${env.PROVIDER}) listening on ${shown}${env.DEMO ? " — demo mode" : ""}`);
  });
  const shutdown = () => {
    stopJobs();
    server.close(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
