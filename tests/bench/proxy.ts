// `npm run bench:proxy`: the metering proxy (the built entry, in-process metering on SQLite, every
// request debited) in front of the loopback upstream stand-in, measured next to the same load sent
// straight to the stand-in, in the same run. Prints figures and writes tests/bench/results/proxy.json.
// The machine is shared: `uptime` is printed before and after, and every figure is the median of
// BENCH_ROUNDS rounds, each measuring direct and proxied back to back.
//   BENCH_SECONDS=5   seconds per measurement   BENCH_ROUNDS=3   rounds   BENCH_RATE=1000   req/s (latency)
//   BENCH_STREAM_RATE=200   streamed req/s (time to first byte)   BENCH_CONNECTIONS=32   (throughput)
//   BENCH_PROXY_CPU_PROF=dir   writes the proxy's CPU profile (node --cpu-prof) into dir
//   BENCH_PROXY_ENTRY=build/proxy-old/index.js   another bundle of the proxy (an older commit's, for before/after)
import { execSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { Pool } from "undici";
import { createAccount } from "~/domain/accounts.server";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount } from "~/domain/ledger.server";
import { createDatabase } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";
import { UPSTREAM_STAND_IN_KEY } from "../fixtures/upstream-stand-in";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const STREAM_RATE = Number(process.env.BENCH_STREAM_RATE ?? 200);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

function uptime(): string {
  return execSync("uptime").toString().trim();
}

/** CPU time (user + system) a process has used, in ms, from /proc: a figure the machine's load does not inflate. */
function cpuMsOf(pid: number | undefined): number {
  const fields = execSync(`cat /proc/${pid}/stat`).toString().split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function startProcess(args: string[], env: Record<string, string>): { child: ChildProcess; log: () => string } {
  let output = "";
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return { child, log: () => output };
}

async function waitFor(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited:\n${log()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  throw new Error(`did not come up:\n${log()}`);
}

async function seed(databaseFile: string): Promise<string> {
  const db = createDatabase(databaseFile);
  await migrateToLatest(db);
  const user = await createAccount(db, { email: "bench@example.com", password: "bench password that is long", role: "developer", verified: true });
  const created = await createApiKey(db, { accountId: user.id, name: "bench", prefix: "glmsk" });
  if (!created.ok) throw new Error(created.reason);
  await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1_000_000_000_000, idempotencyKey: "bench-credit", referenceType: "bench", referenceId: "bench" });
  await db.destroy();
  return created.key;
}

interface Target {
  origin: string;
  path: string;
  headers: Record<string, string>;
}

interface RoundFigures {
  direct_p50_ms: number;
  direct_p99_ms: number;
  proxy_p50_ms: number;
  proxy_p99_ms: number;
  direct_stream_ttfb_p50_ms: number;
  proxy_stream_ttfb_p50_ms: number;
  direct_rps: number;
  proxy_rps: number;
  proxy_cpu_us_per_request: number;
  load_average: string;
  added_p50_ms: number;
  added_p99_ms: number;
  stream_ttfb_added_p50_ms: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round3 = (value: number) => Math.round(value * 1000) / 1000;

/**
 * Open loop: requests leave at `rate` per second whatever the answers do (no coordinated omission).
 * Returns each request's latency in ms: to the end of the answer, or to its first body byte (`firstByte`).
 */
async function openLoop(target: Target, body: string, rate: number, seconds: number, firstByte: boolean): Promise<number[]> {
  const pool = new Pool(target.origin, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  let failures = 0;
  const fire = () => {
    const started = performance.now();
    inFlight.push(
      pool
        .request({ path: target.path, method: "POST", headers: target.headers, body })
        .then(async (response) => {
          if (response.statusCode !== 200) failures += 1;
          let first = -1;
          for await (const _chunk of response.body) if (first < 0) first = performance.now() - started;
          latencies.push(firstByte ? first : performance.now() - started);
        })
        .catch(() => void (failures += 1)),
    );
  };
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due) {
      fire();
      sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  await pool.close();
  if (failures > 0) throw new Error(`${failures} of ${total} requests failed (${target.origin}${target.path})`);
  return latencies.sort((a, b) => a - b);
}

function closedLoop(target: Target, body: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url: `${target.origin}${target.path}`, method: "POST", headers: target.headers, body, connections: CONNECTIONS, duration: SECONDS }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function main() {
  const build = spawnSync("npm", ["run", "build:proxy"], { stdio: "inherit" });
  if (build.status !== 0) throw new Error("npm run build:proxy failed");
  process.env.NODE_ENV = "test";
  const before = uptime();
  console.log(`uptime before: ${before}`);
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-proxy-"));
  const children: ChildProcess[] = [];
  try {
    const databaseFile = join(dir, "bench.sqlite");
    const apiKey = await seed(databaseFile);
    const upstreamPort = await freePort();
    const upstream = startProcess(["--import", "tsx", "tests/fixtures/upstream-stand-in.ts"], { PORT: String(upstreamPort) });
    children.push(upstream.child);
    const proxyPort = await freePort();
    const profile = process.env.BENCH_PROXY_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROXY_CPU_PROF}`] : [];
    const proxy = startProcess([...profile, process.env.BENCH_PROXY_ENTRY ?? "build/proxy/index.js"], {
      NODE_ENV: "production",
      APP_SECRET: randomBytes(32).toString("hex"),
      MAIL_TRANSPORT: "log-redacted",
      DATABASE_URL: databaseFile,
      PROXY_PORT: String(proxyPort),
      PROXY_HOST: "127.0.0.1",
      UPSTREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
      UPSTREAM_API_KEY: UPSTREAM_STAND_IN_KEY,
      LOG_LEVEL: "warn",
      DEMO: "",
    });
    children.push(proxy.child);
    await waitFor(`http://127.0.0.1:${upstreamPort}/`, upstream.child, upstream.log);
    await waitFor(`http://127.0.0.1:${proxyPort}/healthz`, proxy.child, proxy.log);

    const direct: Target = { origin: `http://127.0.0.1:${upstreamPort}`, path: "/v1/chat/completions", headers: { "content-type": "application/json", authorization: `Bearer ${UPSTREAM_STAND_IN_KEY}` } };
    const proxied: Target = { origin: `http://127.0.0.1:${proxyPort}`, path: "/v1/chat/completions", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` } };
    const chat = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello!" }] });
    // Straight to the stand-in the body names the provider's model, as the proxy's forwarded body does.
    const chatDirect = JSON.stringify({ model: "glm-4-air", messages: [{ role: "user", content: "Hello!" }] });
    const stream = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello!" }], stream: true });
    const streamDirect = JSON.stringify({ model: "glm-4-air", messages: [{ role: "user", content: "Hello!" }], stream: true, stream_options: { include_usage: true } });

    console.log(`\n${cpus().length} CPUs; ${ROUNDS} rounds; ${RATE} req/s for ${SECONDS} s (latency), ${STREAM_RATE} streamed req/s (first byte), ${CONNECTIONS} connections (throughput)`);
    console.log("warming up…");
    await openLoop(direct, chatDirect, RATE / 2, 2, false);
    await openLoop(proxied, chat, RATE / 2, 2, false);
    await openLoop(proxied, stream, STREAM_RATE, 1, true);

    const rounds: RoundFigures[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const directLatency = await openLoop(direct, chatDirect, RATE, SECONDS, false);
      const proxyLatency = await openLoop(proxied, chat, RATE, SECONDS, false);
      const directTtfb = await openLoop(direct, streamDirect, STREAM_RATE, SECONDS, true);
      const proxyTtfb = await openLoop(proxied, stream, STREAM_RATE, SECONDS, true);
      const directRun = await closedLoop(direct, chatDirect);
      const cpuBefore = cpuMsOf(proxy.child.pid);
      const proxyRun = await closedLoop(proxied, chat);
      const proxyCpuUsPerRequest = Math.round(((cpuMsOf(proxy.child.pid) - cpuBefore) * 1000) / Math.max(1, proxyRun.requests.total));
      if (proxyRun.non2xx + proxyRun.errors + proxyRun.timeouts > 0) throw new Error(`throughput run: ${proxyRun.non2xx} non-2xx, ${proxyRun.errors} errors, ${proxyRun.timeouts} timeouts`);
      const figures = {
        direct_p50_ms: round3(percentile(directLatency, 50)),
        direct_p99_ms: round3(percentile(directLatency, 99)),
        proxy_p50_ms: round3(percentile(proxyLatency, 50)),
        proxy_p99_ms: round3(percentile(proxyLatency, 99)),
        direct_stream_ttfb_p50_ms: round3(percentile(directTtfb, 50)),
        proxy_stream_ttfb_p50_ms: round3(percentile(proxyTtfb, 50)),
        direct_rps: Math.round(directRun.requests.average),
        proxy_rps: Math.round(proxyRun.requests.average),
        proxy_cpu_us_per_request: proxyCpuUsPerRequest,
        load_average: execSync("cat /proc/loadavg").toString().trim(),
      };
      rounds.push({
        ...figures,
        added_p50_ms: round3(figures.proxy_p50_ms - figures.direct_p50_ms),
        added_p99_ms: round3(figures.proxy_p99_ms - figures.direct_p99_ms),
        stream_ttfb_added_p50_ms: round3(figures.proxy_stream_ttfb_p50_ms - figures.direct_stream_ttfb_p50_ms),
      });
      const r = rounds.at(-1)!;
      console.log(
        `round ${round}: at ${RATE} req/s p50 direct ${r.direct_p50_ms} / proxy ${r.proxy_p50_ms} ms (added ${r.added_p50_ms}), p99 direct ${r.direct_p99_ms} / proxy ${r.proxy_p99_ms} ms (added ${r.added_p99_ms}); ` +
          `stream first byte p50 direct ${r.direct_stream_ttfb_p50_ms} / proxy ${r.proxy_stream_ttfb_p50_ms} ms (added ${r.stream_ttfb_added_p50_ms}); throughput direct ${r.direct_rps} / proxy ${r.proxy_rps} req/s, proxy CPU ${r.proxy_cpu_us_per_request} µs/request   [load ${r.load_average}]`,
      );
    }
    const median = (pick: (round: RoundFigures) => number) => [...rounds.map(pick)].sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
    const after = uptime();
    const results = {
      rps: median((r) => r.proxy_rps),
      added_p50_ms: median((r) => r.added_p50_ms),
      added_p99_ms: median((r) => r.added_p99_ms),
      stream_ttfb_added_p50_ms: median((r) => r.stream_ttfb_added_p50_ms),
      direct_rps: median((r) => r.direct_rps),
      proxy_cpu_us_per_request: median((r) => r.proxy_cpu_us_per_request),
      measured_at: new Date().toISOString(),
      uptime_before: before,
      uptime_after: after,
      setup: { cpus: cpus().length, rounds: ROUNDS, seconds: SECONDS, rate: RATE, stream_rate: STREAM_RATE, connections: CONNECTIONS, figures: "median of rounds; added = proxy − direct in the same round", metering: "in-process, SQLite, every request debited", node: process.version,
        proxy: { entry: process.env.BENCH_PROXY_ENTRY ?? "build/proxy/index.js", auth_cache_ms: Number(process.env.PROXY_AUTH_CACHE_MS ?? 250), debit_group_ms: Number(process.env.PROXY_DEBIT_GROUP_MS ?? 10), sqlite_checkpoint_ms: Number(process.env.PROXY_SQLITE_CHECKPOINT_MS ?? 200) } },
      rounds,
    };
    mkdirSync("tests/bench/results", { recursive: true });
    writeFileSync("tests/bench/results/proxy.json", `${JSON.stringify(results, null, 2)}\n`);
    const goals = [
      [`added p50 ≤ 1 ms at ${RATE} req/s`, results.added_p50_ms <= 1],
      [`added p99 ≤ 5 ms at ${RATE} req/s`, results.added_p99_ms <= 5],
      ["stream first byte added p50 ≤ 2 ms", results.stream_ttfb_added_p50_ms <= 2],
      ["throughput ≥ 2,000 req/s", results.rps >= 2000],
    ] as const;
    console.log(`\nmedian: added p50 ${results.added_p50_ms} ms, added p99 ${results.added_p99_ms} ms, stream first byte added p50 ${results.stream_ttfb_added_p50_ms} ms, ${results.rps} req/s through the proxy (${results.direct_rps} direct)`);
    for (const [goal, met] of goals) console.log(`${met ? "✔" : "✘"} ${goal}`);
    console.log(`uptime after: ${after}\nwritten to tests/bench/results/proxy.json`);
  } finally {
    for (const child of children) child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
