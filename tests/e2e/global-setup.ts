// Starts the built server on a free port with a fresh SQLite database for the browser suite.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startStandIns } from "./stand-ins";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    gatewayToken: string;
    /** The server's SQLite file: tests may seed what no page creates yet (through domain functions). */
    databaseUrl: string;
  }
}

/** The service token the gateway API accepts in the browser suite's server. */
const E2E_GATEWAY_TOKEN = "e2e-gateway-service-token-0123456789";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForHealthy(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output()}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server did not become healthy:\n${output()}`);
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "ferry-e2e-"));
  const port = await freePort();
  const databaseUrl = join(dir, "e2e.sqlite");
  const baseUrl = `http://127.0.0.1:${port}`;
  let log = "";
  const standIns = await startStandIns(project);
  const child = spawn(process.execPath, ["build/index.js"], {
    env: {
      ...process.env,
      NODE_ENV: "development",
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_URL: baseUrl,
      DATABASE_URL: databaseUrl,
      DEMO: "1",
      GATEWAY_TOKENS: E2E_GATEWAY_TOKEN,
      ...standIns.env,
      ...JSON.parse(process.env.E2E_SERVER_ENV ?? "{}"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (log += chunk));
  child.stderr?.on("data", (chunk) => (log += chunk));
  await waitForHealthy(baseUrl, child, () => log);
  project.provide("baseUrl", baseUrl);
  project.provide("gatewayToken", E2E_GATEWAY_TOKEN);
  project.provide("databaseUrl", databaseUrl);
  return async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await standIns.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
