// Starts the built server (build/index.js) as a child process for the operations suite, and the
// helpers its tests share: free ports, polling with generous deadlines, temporary PostgreSQL databases.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import pg from "pg";

export const GATEWAY_TOKEN = "ops-gateway-service-token-0123456789";
export const METRICS_TOKEN = "ops-metrics-token-0123456789abcdef";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  log: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<void>;
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  if (!existsSync("build/index.js")) throw new Error("build/index.js is missing: run `npx remix build` first (npm test does)");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(process.execPath, ["build/index.js"], {
    env: { ...process.env, NODE_ENV: "production", MAIL_TRANSPORT: "log-redacted", APP_SECRET: randomBytes(24).toString("hex"), PORT: String(port), HOST: "127.0.0.1", APP_URL: url, GATEWAY_TOKENS: GATEWAY_TOKEN, METRICS_TOKEN, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  await eventually("the server to listen", async () => {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    return (await fetch(`${url}/healthz`)).ok || undefined;
  });
  return {
    url,
    child,
    log: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited, sleep(30_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    },
  };
}

export function gatewayPost(url: string, endpoint: "authorize" | "usage", body: unknown): Promise<Response> {
  return fetch(`${url}/api/gateway/${endpoint}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${GATEWAY_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The PostgreSQL server the suite may use (TEST_DATABASE_URL), or undefined: PostgreSQL tests skip. */
export const postgresAdminUrl = process.env.TEST_DATABASE_URL || undefined;

export function announcePostgresSkip(suite: string) {
  if (postgresAdminUrl) return;
  const banner = "!".repeat(78);
  console.warn(`\n${banner}\n!!  ${suite}: SKIPPED (TEST_DATABASE_URL is unset; CI runs it on PostgreSQL)\n${banner}\n`);
}

export async function withPostgresAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates a randomly named database; returns its name and URL. */
export async function createTemporaryDatabase(): Promise<{ name: string; url: string }> {
  const name = `ferry_ops_${randomBytes(6).toString("hex")}`;
  await withPostgresAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(postgresAdminUrl!);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropTemporaryDatabase(name: string) {
  await withPostgresAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
