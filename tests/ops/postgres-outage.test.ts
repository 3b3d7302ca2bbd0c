// Issue #13.1/3 on PostgreSQL: the server starts while its database is unreachable and waits for
// it (alive, not ready, 503s), migrates when it appears, survives pg_terminate_backend on its
// connections, and turns a held table lock into a fast 503 (lock_timeout) instead of a hang.
// The database is reached through a small TCP proxy the test switches on.
import { createServer, connect, type Server, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount } from "~/domain/ledger.server";
import { createDatabase } from "~/lib/db.server";
import {
  announcePostgresSkip,
  createTemporaryDatabase,
  dropTemporaryDatabase,
  eventually,
  freePort,
  gatewayPost,
  postgresAdminUrl,
  startServer,
  withPostgresAdmin,
  type ServerProcess,
} from "./server-process";

announcePostgresSkip("PostgreSQL outage tests (tests/ops/postgres-outage.test.ts)");

/** Forwards 127.0.0.1:port to the PostgreSQL server once switched on; refuses connections before. */
function tcpProxy(port: number, target: { host: string; port: number }) {
  let listener: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    on: () =>
      new Promise<void>((resolve) => {
        listener = createServer((incoming) => {
          const outgoing = connect(target.port, target.host);
          for (const socket of [incoming, outgoing]) {
            sockets.add(socket);
            socket.on("close", () => sockets.delete(socket));
            socket.on("error", () => socket.destroy());
          }
          incoming.pipe(outgoing).pipe(incoming);
        });
        listener.listen(port, "127.0.0.1", resolve);
      }),
    off: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => (listener ? listener.close(resolve) : resolve(undefined)));
    },
  };
}

describe.skipIf(!postgresAdminUrl)("PostgreSQL outages", () => {
  let database: { name: string; url: string };
  let proxy: ReturnType<typeof tcpProxy>;
  let server: ServerProcess;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    const direct = new URL(database.url);
    const proxyPort = await freePort();
    proxy = tcpProxy(proxyPort, { host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(database.url);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxyPort);
    server = await startServer({ DATABASE_URL: viaProxy.toString(), DB_LOCK_TIMEOUT_MS: "300", DB_CONNECT_TIMEOUT_MS: "2000" });
  });

  afterAll(async () => {
    await server?.stop();
    await proxy?.off();
    if (database) await dropTemporaryDatabase(database.name);
  });

  it("stays up without its database, then migrates and serves when it appears", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    const page = await fetch(`${server.url}/login`);
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBeTruthy();
    expect((await gatewayPost(server.url, "authorize", { api_key: "glmsk_x" })).status).toBe(503);
    expect(server.child.exitCode).toBeNull();

    await proxy.on();
    await eventually("readiness once the database is reachable", async () => (await fetch(`${server.url}/readyz`)).ok || undefined);
    expect((await fetch(`${server.url}/login`)).status).toBe(200);
  });

  it("survives pg_terminate_backend on its connections and serves again", async () => {
    const db = createDatabase(database.url);
    const user = await createAccount(db, { email: "outage@example.com", password: "a long enough password here", role: "developer", verified: true });
    const created = await createApiKey(db, { accountId: user.id, name: "ops", prefix: "glmsk" });
    if (!created.ok) throw new Error(created.reason);
    await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1_000_000, idempotencyKey: "ops-credit", referenceType: "test", referenceId: "ops" });
    await db.destroy();
    const authorize = () => gatewayPost(server.url, "authorize", { api_key: created.key });
    // Several at once so the pool holds several connections to be terminated.
    const warm = await Promise.all([authorize(), authorize(), authorize(), authorize()]);
    expect(warm.map((response) => response.status)).toEqual([200, 200, 200, 200]);

    const terminated = await withPostgresAdmin(async (client) => {
      const { rows } = await client.query("select pg_terminate_backend(pid) as done from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [database.name]);
      return rows.length;
    });
    expect(terminated).toBeGreaterThan(0);

    await eventually("an answer after the terminated connections", async () => ((await authorize()).status === 200 ? true : undefined));
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it("answers 503 + Retry-After (lock_timeout) while another session holds a table lock", async () => {
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table api_keys in access exclusive mode");
      const usage = await gatewayPost(server.url, "usage", { request_id: "locked-1", key_id: "key_missing", model: "gpt-4o", input_tokens: 1, output_tokens: 1 });
      expect(usage.status).toBe(503);
      expect(usage.headers.get("retry-after")).toBeTruthy();
      expect(((await usage.json()) as { error: { code: string } }).error.code).toBe("database_busy");
    } finally {
      await locker.query("rollback");
      await locker.end();
    }
    const after = await gatewayPost(server.url, "usage", { request_id: "locked-1", key_id: "key_missing", model: "gpt-4o", input_tokens: 1, output_tokens: 1 });
    expect(after.status).toBe(401); // unknown_key: the lock is gone and the answer is the domain's
  });
});
