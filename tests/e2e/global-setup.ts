// Starts the built server on a free port with a fresh SQLite database for the browser suite.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, startServer } from "../fixtures/server-process";
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

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "ferry-e2e-"));
  const databaseUrl = join(dir, "e2e.sqlite");
  const standIns = await startStandIns(project);
  // localhost, not 127.0.0.1: WebAuthn's RP ID (APP_URL's host name) cannot be an IP address.
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const server = await startServer({
    port,
    label: "e2e",
    env: {
      NODE_ENV: "development",
      DATABASE_URL: databaseUrl,
      DEMO: "1",
      APP_URL: baseUrl,
      GATEWAY_TOKENS: E2E_GATEWAY_TOKEN,
      // Every suite signs in from 127.0.0.1; the every-page suite alone signs in dozens of times.
      SIGN_IN_ATTEMPTS_PER_IP: "5000",
      ...standIns.env,
      ...JSON.parse(process.env.E2E_SERVER_ENV ?? "{}"),
    },
  });
  project.provide("baseUrl", baseUrl);
  project.provide("gatewayToken", E2E_GATEWAY_TOKEN);
  project.provide("databaseUrl", databaseUrl);
  return async () => {
    await server.stop();
    await standIns.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
