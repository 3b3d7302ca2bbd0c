// `npm run bench:gateway`: the built server's gateway API under autocannon on loopback, next to a
// bare Node http server answering a fixed JSON in the same run. Prints figures and writes
// tests/bench/results/gateway.json. A benchmark, not a test: it fails only if requests fail.
// The machine is shared, so every figure is the median of BENCH_ROUNDS rounds, each round measuring
// bare, authorize and usage back to back (their ratio compares like with like).
//   BENCH_SKIP_BUILD=1  reuse build/ as it is     BENCH_DURATION=5  seconds per measurement
//   BENCH_CONNECTIONS=10  concurrent connections    BENCH_ROUNDS=3    rounds
//   BENCH_DATABASE_URL=postgres://…  also the usage endpoint on PostgreSQL: one instance, then two
//                                    instances on one database at once (their sum against one), each
//                                    for reports spread over BENCH_SPREAD_KEYS (200) keys of as many
//                                    accounts (the gateway's real traffic) and for one key alone
//   BENCH_ONLY=postgres  only the PostgreSQL part (nothing written)
//   BENCH_CPU_PROF=dir   run the PostgreSQL instances with --cpu-prof, profiles written to dir when they stop
import { execSync, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type autocannon from "autocannon";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount } from "~/domain/ledger.server";
import { createAccount } from "~/domain/accounts.server";
import { setKeyLimits } from "~/domain/key-limits/index.server";
import { createDatabase } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";
import { bareServerSource, CONNECTIONS, postgresCpuByPid, DURATION, freePort, measure as measureWith, median, medianRound, ROUNDS, startProcess, waitFor, WARMUP_SECONDS, type Figures } from "./harness";
import { SERVER_V8_FLAGS } from "~/lib/server-v8-flags.server";

const GATEWAY_TOKEN = `bench-${randomBytes(24).toString("hex")}`;
const SPREAD_KEYS = Number(process.env.BENCH_SPREAD_KEYS ?? 200);

/** Accounts with credit and a key each: the keys' ids. */
async function seedSpread(databaseUrl: string, count: number): Promise<string[]> {
  const db = createDatabase(databaseUrl);
  const keyIds: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const user = await createAccount(db, { email: `spread-${i}@example.com`, password: "bench password that is long", role: "developer", verified: true });
    const created = await createApiKey(db, { accountId: user.id, name: "bench", prefix: "glmsk" });
    if (!created.ok) throw new Error(created.reason);
    await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1_000_000_000_000, idempotencyKey: `bench-credit-${i}`, referenceType: "bench", referenceId: `bench-${i}` });
    keyIds.push(created.apiKey.id);
  }
  await db.destroy();
  return keyIds;
}

async function seed(databaseUrl: string) {
  const db = createDatabase(databaseUrl);
  await migrateToLatest(db);
  const user = await createAccount(db, { email: "bench@example.com", password: "bench password that is long", role: "developer", verified: true });
  const created = await createApiKey(db, { accountId: user.id, name: "bench", prefix: "glmsk" });
  if (!created.ok) throw new Error(created.reason);
  await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1_000_000_000_000, idempotencyKey: "bench-credit", referenceType: "bench", referenceId: "bench" });
  // A second key with every limit set (high enough that none refuses): the cost of checking them.
  const limited = await createApiKey(db, { accountId: user.id, name: "bench-limited", prefix: "glmsk" });
  if (!limited.ok) throw new Error(limited.reason);
  await setKeyLimits(db, {
    accountId: user.id,
    keyId: limited.apiKey.id,
    limits: {
      requestsPerMinute: 100_000_000,
      tokensPerMinute: 1_000_000_000_000,
      dailyTokens: 1_000_000_000_000,
      monthlyTokens: 1_000_000_000_000,
      allowedModels: ["gpt-4o-mini", "glm-4-air", "glm-4-plus"],
      allowedCidrs: ["10.0.0.0/8", "2001:db8::/32", "203.0.113.0/24"],
    },
  });
  await db.destroy();
  return { apiKey: created.key, keyId: created.apiKey.id, limitedKey: limited.key, limitedKeyId: limited.apiKey.id };
}

function measure(label: string, options: Omit<autocannon.Options, "duration" | "connections">, warmUp: boolean, serverPids?: number[], databaseCpu?: () => Promise<Map<number, number>>): Promise<Figures> {
  return measureWith(label, options, { warmUp, labelWidth: 10, showTotal: true, serverPids, databaseCpu, loadGeneratorCpu: databaseCpu !== undefined });
}

const BARE_SERVER = bareServerSource(JSON.stringify({ account_id: "usr_bench", key_id: "key_bench", remaining_tokens: 1000000, key_expires_at: null, provider_model: null }));

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    console.log("building (npm run build)…");
    const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("build failed");
  }
  process.env.NODE_ENV = "test"; // the seeding below stays quiet (no dev-outbox echo)
  if (process.env.BENCH_ONLY === "postgres") {
    const postgresUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const children: ChildProcess[] = [];
    try {
      printPostgres(await measurePostgres(postgresUrl, children));
    } finally {
      for (const child of children) child.kill("SIGTERM");
    }
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-"));
  const children: ChildProcess[] = [];
  try {
    const databaseFile = join(dir, "bench.sqlite");
    const { apiKey, keyId, limitedKey, limitedKeyId } = await seed(databaseFile);

    const port = await freePort();
    const ferry = startProcess([...SERVER_V8_FLAGS, "build/index.js"], {
      NODE_ENV: "production",
      APP_SECRET: randomBytes(32).toString("hex"),
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: databaseFile,
      GATEWAY_TOKENS: GATEWAY_TOKEN,
      MAIL_TRANSPORT: "log-redacted",
      DEMO: "",
    });
    children.push(ferry.child);
    const barePort = await freePort();
    const bare = startProcess(["-e", BARE_SERVER], { PORT: String(barePort) });
    children.push(bare.child);
    await waitFor(`http://127.0.0.1:${port}/readyz`, ferry.child, ferry.log);
    await waitFor(`http://127.0.0.1:${barePort}/`, bare.child, bare.log);

    const headers = { "content-type": "application/json", authorization: `Bearer ${GATEWAY_TOKEN}` };
    console.log(`\n${cpus().length} CPUs, load average ${loadavg().map((value) => value.toFixed(2)).join(" ")}; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s per endpoint (after a ${WARMUP_SECONDS} s warm-up)\n`);
    const targets = {
      bare: { url: `http://127.0.0.1:${barePort}/`, method: "POST" as const, headers, body: JSON.stringify({ api_key: apiKey }) },
      authorize: { url: `http://127.0.0.1:${port}/api/gateway/authorize`, method: "POST" as const, headers, body: JSON.stringify({ api_key: apiKey, model: "gpt-4o-mini" }) },
      usage: {
        url: `http://127.0.0.1:${port}/api/gateway/usage`,
        method: "POST" as const,
        headers,
        // [<id>] becomes a fresh id per request: every report is a new debit, not a replay.
        idReplacement: true,
        body: JSON.stringify({ request_id: "bench-[<id>]", key_id: keyId, model: "glm-4-air", input_tokens: 20, output_tokens: 10 }),
      },
      authorizeLimited: { url: `http://127.0.0.1:${port}/api/gateway/authorize`, method: "POST" as const, headers, body: JSON.stringify({ api_key: limitedKey, model: "gpt-4o-mini", client_ip: "203.0.113.7" }) },
      usageLimited: {
        url: `http://127.0.0.1:${port}/api/gateway/usage`,
        method: "POST" as const,
        headers,
        idReplacement: true,
        body: JSON.stringify({ request_id: "bench-limited-[<id>]", key_id: limitedKeyId, model: "glm-4-air", input_tokens: 20, output_tokens: 10 }),
      },
    };
    console.log(`uptime: ${execSync("uptime").toString().trim()}`);
    const rounds: Array<{ bare: Figures; authorize: Figures; usage: Figures; authorize_limited: Figures; usage_limited: Figures }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS} (load average ${loadavg()[0]!.toFixed(2)})`);
      rounds.push({
        bare: await measure("bare", targets.bare, round === 1),
        authorize: await measure("authorize", targets.authorize, round === 1),
        usage: await measure("usage", targets.usage, round === 1),
        authorize_limited: await measure("authorize+limits", targets.authorizeLimited, round === 1),
        usage_limited: await measure("usage+limits", targets.usageLimited, round === 1),
      });
    }
    const bareFigures = medianRound(rounds, (round) => round.bare);
    const authorize = medianRound(rounds, (round) => round.authorize);
    const usage = medianRound(rounds, (round) => round.usage);
    const authorizeLimited = medianRound(rounds, (round) => round.authorize_limited);
    const usageLimited = medianRound(rounds, (round) => round.usage_limited);
    const ratio = median(rounds.map((round) => round.authorize.rps / round.bare.rps));

    const results = {
      authorize,
      usage,
      bare: bareFigures,
      authorize_to_bare: Math.round(ratio * 1000) / 1000,
      // The same endpoints for a key with every limit set (rates, budgets, model and IP allow-lists).
      authorize_limited: authorizeLimited,
      usage_limited: usageLimited,
      uptime_at_end: execSync("uptime").toString().trim(),
      measured_at: new Date().toISOString(),
      setup: { cpus: cpus().length, load_average_at_end: loadavg(), connections: CONNECTIONS, duration_s: DURATION, rounds: ROUNDS, figures: "median round by req/s", database: "sqlite", node: process.version },
      rounds,
    };
    const postgresUrl = process.env.BENCH_DATABASE_URL;
    const postgres = postgresUrl ? await measurePostgres(postgresUrl, children) : null;
    mkdirSync("tests/bench/results", { recursive: true });
    writeFileSync("tests/bench/results/gateway.json", `${JSON.stringify({ ...results, postgres }, null, 2)}\n`);
    const goals = [
      ["authorize ≥ 5,000 req/s", authorize.rps >= 5000],
      ["authorize p99 ≤ 10 ms", authorize.p99_ms <= 10],
      ["usage ≥ 2,000 req/s", usage.rps >= 2000],
      ["usage p99 ≤ 20 ms", usage.p99_ms <= 20],
      ["authorize with limits ≥ 5,000 req/s", authorizeLimited.rps >= 5000],
      ["authorize with limits p99 ≤ 10 ms", authorizeLimited.p99_ms <= 10],
      ["usage with limits ≥ 2,000 req/s", usageLimited.rps >= 2000],
      ["usage with limits p99 ≤ 20 ms", usageLimited.p99_ms <= 20],
      ["authorize ≥ 30% of bare", results.authorize_to_bare >= 0.3],
    ] as const;
    console.log(`\nmedian: bare ${bareFigures.rps} req/s · authorize ${authorize.rps} req/s (p50 ${authorize.p50_ms} ms, p99 ${authorize.p99_ms} ms) · usage ${usage.rps} req/s (p50 ${usage.p50_ms} ms, p99 ${usage.p99_ms} ms)`);
    console.log(`with limits: authorize ${authorizeLimited.rps} req/s (p50 ${authorizeLimited.p50_ms} ms, p99 ${authorizeLimited.p99_ms} ms; ${Math.round((authorizeLimited.rps / authorize.rps) * 100)}% of no limits) · usage ${usageLimited.rps} req/s (p50 ${usageLimited.p50_ms} ms, p99 ${usageLimited.p99_ms} ms; ${Math.round((usageLimited.rps / usage.rps) * 100)}% of no limits)`);
    console.log(`authorize/bare = ${results.authorize_to_bare}`);
    console.log(`uptime: ${results.uptime_at_end}`);
    for (const [goal, met] of goals) console.log(`${met ? "✔" : "✘"} ${goal}`);
    if (postgres) {
      printPostgres(postgres);
    } else {
      console.log("\n(PostgreSQL not measured: set BENCH_DATABASE_URL=postgres://… for the usage endpoint on one and two instances)");
    }
    console.log("\nwritten to tests/bench/results/gateway.json");
  } finally {
    for (const child of children) child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The most requests per second this machine could serve if every CPU did nothing but this: its CPUs
 * divided by the CPU one request costs in the instance, in PostgreSQL and in the load generator
 * (all on this machine). Two instances on the same machine share the same CPUs, so their sum can
 * exceed one instance by at most this ceiling over the one instance's rate.
 */
function cpuCeiling(one: Figures): number | null {
  if (one.cpu_ms_per_request === undefined || one.database_cpu_ms_per_request === undefined || one.load_generator_cpu_ms_per_request === undefined) return null;
  return Math.round((cpus().length * 1000) / (one.cpu_ms_per_request + one.database_cpu_ms_per_request + one.load_generator_cpu_ms_per_request));
}

function printPostgres(postgres: Awaited<ReturnType<typeof measurePostgres>>) {
  console.log(`\nPostgreSQL usage spread over ${postgres.spread_keys} keys: one instance ${postgres.one_instance.rps} req/s (p99 ${postgres.one_instance.p99_ms} ms); two instances ${postgres.two_instances.a.rps} + ${postgres.two_instances.b.rps} = ${postgres.two_instances_sum_rps} req/s (${postgres.two_to_one}× one)`);
  if (postgres.cpu_ceiling_rps !== null) {
    console.log(`  CPU ceiling of this machine for it: ${postgres.cpu_ceiling_rps} req/s (${cpus().length} CPUs ÷ the instance's, PostgreSQL's and the load generator's CPU per request), so two instances here can reach at most ${postgres.cpu_ceiling_to_one}× one`);
  }
  const hot = postgres.one_key;
  console.log(`PostgreSQL usage on one key (one account's balance row: every debit waits for the one before): one instance ${hot.one_instance.rps} req/s (p99 ${hot.one_instance.p99_ms} ms); two instances ${hot.two_instances_sum_rps} req/s (${hot.two_to_one}× one)`);
  for (const [goal, met] of [
    ["PostgreSQL usage ≥ 3,000 req/s", postgres.one_instance.rps >= 3000],
    ["PostgreSQL usage p99 ≤ 20 ms", postgres.one_instance.p99_ms <= 20],
    ["two instances ≥ 1.6× one", postgres.two_to_one >= 1.6],
  ] as const) console.log(`${met ? "✔" : "✘"} ${goal}`);
}

function startFerry(port: number, databaseUrl: string) {
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`] : [];
  return startProcess([...profile, ...SERVER_V8_FLAGS, "build/index.js"], {
    NODE_ENV: "production",
    APP_SECRET: randomBytes(32).toString("hex"),
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    GATEWAY_TOKENS: GATEWAY_TOKEN,
    MAIL_TRANSPORT: "log-redacted",
    DEMO: "",
  });
}

/**
 * The usage endpoint on PostgreSQL: one instance alone, then two instances on the same database
 * measured at the same time (each with CONNECTIONS connections), their sum against the one.
 */
async function measurePostgres(adminUrl: string, children: ChildProcess[]) {
  const pg = (await import("pg")).default;
  const name = `ferry_bench_gw_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const started: ChildProcess[] = [];
  try {
    const { keyId } = await seed(url.toString());
    const spreadKeys = await seedSpread(url.toString(), SPREAD_KEYS);
    const ports = [await freePort(), await freePort()];
    // One after the other: the first migrates the database, the second finds it done.
    for (const port of ports) {
      const instance = startFerry(port, url.toString());
      children.push(instance.child);
      started.push(instance.child);
      await waitFor(`http://127.0.0.1:${port}/readyz`, instance.child, instance.log);
    }
    const headers = { "content-type": "application/json", authorization: `Bearer ${GATEWAY_TOKEN}` };
    const usage = (port: number, tag: string) => ({
      url: `http://127.0.0.1:${port}/api/gateway/usage`,
      method: "POST" as const,
      headers,
      idReplacement: true,
      body: JSON.stringify({ request_id: `bench-${tag}-[<id>]`, key_id: keyId, model: "glm-4-air", input_tokens: 20, output_tokens: 10 }),
    });
    // Reports spread over the keys in turn, each with a fresh request id.
    let sent = 0;
    const spread = (port: number, tag: string) => ({
      url: `http://127.0.0.1:${port}/api/gateway/usage`,
      method: "POST" as const,
      headers,
      requests: [
        {
          setupRequest: (request: autocannon.Request) => {
            sent += 1;
            const body = { request_id: `bench-${tag}-${sent}`, key_id: spreadKeys[sent % spreadKeys.length], model: "glm-4-air", input_tokens: 20, output_tokens: 10 };
            return { ...request, body: JSON.stringify(body) };
          },
        },
      ],
    });
    console.log(`\nPostgreSQL (${adminUrl.replace(/\/\/[^@]*@/, "//…@")}), usage endpoint; load average ${loadavg()[0]!.toFixed(2)}`);
    const both = async (label: string, target: (port: number, tag: string) => Omit<autocannon.Options, "duration" | "connections">) => {
      await measure(`${label} warm-a`, target(ports[0]!, `${label}-wa`), true);
      await measure(`${label} warm-b`, target(ports[1]!, `${label}-wb`), false);
      const one = await measure(`${label} one`, target(ports[0]!, `${label}-one`), false, [started[0]!.pid!], () => postgresCpuByPid(admin, name));
      const [a, b] = await Promise.all([measure(`${label} two: a`, target(ports[0]!, `${label}-a`), false), measure(`${label} two: b`, target(ports[1]!, `${label}-b`), false)]);
      const sum = a.rps + b.rps;
      const ceiling = cpuCeiling(one);
      return { one_instance: one, two_instances: { a, b }, two_instances_sum_rps: sum, two_to_one: Math.round((sum / one.rps) * 100) / 100, cpu_ceiling_rps: ceiling, cpu_ceiling_to_one: ceiling === null ? null : Math.round((ceiling / one.rps) * 100) / 100 };
    };
    const spreadFigures = await both(`pg ${SPREAD_KEYS} keys`, spread);
    const oneKey = await both("pg 1 key", usage);
    return { ...spreadFigures, spread_keys: SPREAD_KEYS, one_key: oneKey, load_average_at_end: loadavg() };
  } finally {
    for (const child of started) child.kill("SIGTERM");
    await Promise.all(started.map((child) => (child.exitCode !== null ? null : new Promise((resolve) => child.once("exit", resolve)))));
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where datname = $1", [name]);
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
