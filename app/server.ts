// Start-up: environment, migrations, demo seed, background jobs, then the HTTP server.
import * as build from "@remix-run/dev/server-build";
import type { ServerBuild } from "@remix-run/node";
import { seedDemoAccounts } from "~/domain/demo-seed.server";
import { createFerryServer } from "~/http-server.server";
import { startBackgroundJobs } from "~/jobs.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { migrateToLatest } from "~/lib/migrate.server";

async function main() {
  const env = getEnv();
  const db = getDb();
  await migrateToLatest(db);
  if (env.DEMO) await seedDemoAccounts(db, { log: console.info });

  const stopJobs = startBackgroundJobs();
  const server = createFerryServer({ build: build as unknown as ServerBuild, env, db });
  server.listen(env.PORT, env.HOST, () => {
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
