// `npm run proxy` (and `node build/proxy/index.js` in production): Ferry's OpenAI-compatible metering
// proxy. In process it shares the portal's database (run the portal's migrations first); with
// FERRY_GATEWAY_URL it meters through the portal's gateway API and keeps its outbox in a local file.
import { createServer } from "node:http";
import pino from "pino";
import { closeDb, getDb, sqliteHandleOf } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { getProviderProfile } from "~/providers";
import { cachedMetering } from "./authorize-cache.server";
import { httpMetering, inProcessMetering, type Metering } from "./metering.server";
import { createProxyHandler } from "./proxy-handler.server";
import { startBackgroundCheckpoints } from "~/lib/sqlite-checkpointer.server";
import { parseProxyEnv } from "./proxy-env.server";
import { createUpstream } from "./upstream.server";
import { createUsageSettler, databaseOutboxStore, fileOutboxStore, type OutboxStore } from "./usage-outbox.server";

async function main() {
  const env = parseProxyEnv(process.env);
  const log = pino({
    level: env.LOG_LEVEL ?? (env.NODE_ENV === "test" ? "silent" : "info"),
    base: { service: "ferry-proxy" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["authorization", "*.authorization", "apiKey", "api_key", "key", "token"], censor: "[redacted]" },
  });
  const provider = getProviderProfile(env.PROVIDER);

  let metering: Metering;
  let store: OutboxStore;
  let usesDatabase = false;
  let stopCheckpoints = async () => {};
  if (env.metering === "in-process") {
    getEnv(); // the portal's configuration: the same database, the same checks
    const db = getDb();
    usesDatabase = true;
    try {
      await db.selectFrom("proxy_usage_outbox").select("request_id").limit(1).execute();
    } catch {
      throw new Error("Ferry's database is not migrated for the proxy (no proxy_usage_outbox table): start the portal or run `npm run migrate` first.");
    }
    metering = inProcessMetering(db, provider);
    // SQLite: WAL checkpoints in a worker thread, not inside a request's commit.
    stopCheckpoints = startBackgroundCheckpoints(sqliteHandleOf(db), env.PROXY_SQLITE_CHECKPOINT_MS, log);
    store = env.outbox === "database" ? databaseOutboxStore(db) : fileOutboxStore(env.PROXY_OUTBOX_FILE);
  } else {
    metering = httpMetering({ gatewayUrl: env.FERRY_GATEWAY_URL!, token: env.FERRY_GATEWAY_TOKEN!, timeoutMs: env.FERRY_GATEWAY_TIMEOUT_MS });
    store = fileOutboxStore(env.PROXY_OUTBOX_FILE);
  }

  // A short authorize memory (staleness bound in authorize-cache.server.ts); debits sent in groups.
  metering = cachedMetering(metering, env.PROXY_AUTH_CACHE_MS);
  const settler = createUsageSettler(metering, store, log, { groupMs: env.PROXY_DEBIT_GROUP_MS });
  const stopRetries = settler.start(env.PROXY_OUTBOX_RETRY_MS);
  const upstream = createUpstream({
    baseUrl: env.UPSTREAM_BASE_URL,
    apiKey: env.UPSTREAM_API_KEY,
    connections: env.UPSTREAM_CONNECTIONS,
    headersTimeoutMs: env.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: env.UPSTREAM_BODY_TIMEOUT_MS,
  });
  const handler = createProxyHandler({ provider, metering, settler, upstream, maxBodyBytes: env.PROXY_MAX_BODY_BYTES, trust: env.TRUST_PROXY, log });

  // Longer than a load balancer's idle timeout, so the balancer closes idle connections, not us.
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  server.listen(env.PROXY_PORT, env.PROXY_HOST, () => {
    log.info({ provider: env.PROVIDER, port: env.PROXY_PORT, metering: env.metering, outbox: env.outbox, upstream: new URL(env.UPSTREAM_BASE_URL).origin }, `Ferry proxy (${env.PROVIDER}) listening on ${env.PROXY_HOST}:${env.PROXY_PORT}`);
  });

  let stopping: Promise<void> | undefined;
  const stop = (signal: string) =>
    (stopping ??= (async () => {
      log.info({ signal }, "proxy shutting down: finishing requests and their usage reports");
      server.close();
      server.closeIdleConnections();
      const deadline = new Promise((resolve) => setTimeout(resolve, env.SHUTDOWN_TIMEOUT_MS).unref());
      await Promise.race([handler.settled(), deadline]);
      server.closeAllConnections();
      stopRetries();
      // Whatever is still in flight at the deadline was cut off; its usage is settled or in the outbox.
      await Promise.race([handler.settled(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
      await upstream.close().catch(() => {});
      await metering.close().catch(() => {});
      await store.close().catch(() => {});
      await stopCheckpoints();
      if (usesDatabase) await closeDb();
    })());
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void stop(signal).then(() => process.exit(0)));
  process.on("unhandledRejection", (reason) => log.error({ error: reason instanceof Error ? reason.message : String(reason) }, "unhandled promise rejection"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
