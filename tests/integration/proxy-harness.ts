// The metering proxy on an ephemeral port in front of the upstream stand-in, on the test's database.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount, getBalance } from "~/domain/ledger.server";
import { getDb } from "~/lib/db.server";
import { cachedMetering } from "~/proxy/authorize-cache.server";
import { inProcessMetering, type Metering } from "~/proxy/metering.server";
import { createProxyHandler, type ProxyHandler } from "~/proxy/proxy-handler.server";
import { createUpstream } from "~/proxy/upstream.server";
import { createUsageSettler, databaseOutboxStore, type OutboxStore, type UsageSettler } from "~/proxy/usage-outbox.server";
import { providerProfiles } from "~/providers";
import { UPSTREAM_STAND_IN_KEY } from "../fixtures/upstream-stand-in";
import { createUser } from "./helpers";

export const provider = providerProfiles.glm;
export const quietLog = { info() {}, warn() {}, error() {} };

export interface RunningProxy {
  /** What an OpenAI SDK takes as baseURL: http://127.0.0.1:<port>/v1 */
  baseURL: string;
  origin: string;
  handler: ProxyHandler;
  settler: UsageSettler;
  store: OutboxStore;
  close(): Promise<void>;
}

/** As `npm run proxy` runs by default: authorize answers reused for 250 ms, debits sent in 10 ms groups. */
export async function startProxy(
  upstreamBaseUrl: string,
  options: { metering?: Metering; store?: OutboxStore; maxBodyBytes?: number; upstreamKey?: string; authCacheMs?: number; debitGroupMs?: number } = {},
): Promise<RunningProxy> {
  const metering = cachedMetering(options.metering ?? inProcessMetering(getDb(), provider), options.authCacheMs ?? 250);
  const store = options.store ?? databaseOutboxStore(getDb());
  const settler = createUsageSettler(metering, store, quietLog, { groupMs: options.debitGroupMs ?? 10 });
  const upstream = createUpstream({ baseUrl: upstreamBaseUrl, apiKey: options.upstreamKey ?? UPSTREAM_STAND_IN_KEY, connections: 16, headersTimeoutMs: 60_000, bodyTimeoutMs: 60_000 });
  const handler = createProxyHandler({ provider, metering, settler, upstream, maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024, trust: { kind: "none" }, log: quietLog });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseURL: `${origin}/v1`,
    origin,
    handler,
    settler,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}

export async function accountWithKey(credit: number) {
  const user = await createUser();
  const created = await createApiKey(getDb(), { accountId: user.id, name: "proxy", prefix: provider.keyPrefix });
  if (!created.ok) throw new Error(created.reason);
  if (credit > 0) {
    await creditAccount(getDb(), { accountId: user.id, kind: "purchase", bucket: "paid", tokens: credit, idempotencyKey: `proxy-test:${user.id}`, referenceType: "test", referenceId: user.id });
  }
  return { accountId: user.id, key: created.key, keyId: created.apiKey.id };
}

export async function spendable(accountId: string): Promise<number> {
  return (await getBalance(getDb(), accountId)).total;
}

/** The account's usage debits, as the ledger holds them (one per request id). */
export async function usageDebits(accountId: string) {
  return getDb().selectFrom("ledger_debits").select(["reference_id", "requested", "debited", "shortfall"]).where("account_id", "=", accountId).where("kind", "=", "usage").orderBy("created_at").execute();
}

/**
 * Runs a snippets-page program as written, in a fresh folder inside node_modules/ (so its imports of
 * installed packages resolve), and returns what it printed, trimmed. The folder is removed after.
 */
export async function runSnippetProgram(snippet: { fileName: string; code: string }): Promise<string> {
  const dir = mkdtempSync(join(process.cwd(), "node_modules", ".ferry-snippet-"));
  try {
    writeFileSync(join(dir, snippet.fileName), snippet.code);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, snippet.fileName)], { timeout: 120_000 });
    return stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
