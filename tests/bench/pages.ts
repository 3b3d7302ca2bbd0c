// `npm run bench:pages`: the built server under autocannon on loopback — /login (anonymous),
// /account and /staff/claims (signed in, a real session cookie), a static CSS file (as a browser
// asks: brotli or gzip) and /healthz — next to a bare Node http server in the same run, and the
// JavaScript each page makes a browser download (raw and brotli). Prints figures and writes
// tests/bench/results/pages.json. A benchmark, not a test: it fails only if requests fail.
// The machine is shared: every figure is the median of BENCH_ROUNDS rounds, and each round measures
// every target back to back (also BENCH_BASELINE_DIR's, so a ratio compares like with like).
//   BENCH_SKIP_BUILD=1  reuse build/ as it is       BENCH_DURATION=5   seconds per measurement
//   BENCH_CONNECTIONS=10  concurrent connections     BENCH_ROUNDS=3     rounds
//   BENCH_BASELINE_DIR=/path  another built Ferry checkout (say, main's) measured the same way
//   BENCH_CPU_PROF=dir  run Ferry with --cpu-prof, the profile written to dir when it stops
//   BENCH_TARGETS=account,login  only those targets (pages.json is then not written)
//   BENCH_PORTS=4600-4699  take the servers' ports from that range (a shared machine)
//   BENCH_WEB_CONCURRENCY=1,2  the server configurations measured (default both: one process, and
//     two node:cluster workers, as WEB_CONCURRENCY=2 runs the product); every figure names its own
// Each figure also gives the CPU time the server spent per request (from /proc): the fairer
// comparison on a loaded machine.
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bareServerSource, CONNECTIONS, DURATION, freePort, measure, medianRound, ROUNDS, startProcess, waitFor, WARMUP_SECONDS, type Figures } from "./harness";
import { javascriptOf, type JsWeight } from "./page-weight";
import { SERVER_V8_FLAGS } from "~/lib/server-v8-flags.server";

const BASELINE_DIR = process.env.BENCH_BASELINE_DIR ? resolve(process.env.BENCH_BASELINE_DIR) : null;
/** Server processes per configuration measured; the first is what pages.json's top-level figures are. */
const WEB_CONCURRENCIES = (process.env.BENCH_WEB_CONCURRENCY ?? "1,2").split(",").map(Number);
if (WEB_CONCURRENCIES.some((count) => !Number.isInteger(count) || count < 1)) throw new Error("BENCH_WEB_CONCURRENCY: a list of process counts, like 1,2");
/** How a configuration is named in the output: "current" (one process), "current/wc2" (WEB_CONCURRENCY=2). */
const configurationName = (checkout: string, processes: number) => (processes === 1 ? checkout : `${checkout}/wc${processes}`);
const PAGES = { login: "/login", account: "/account", staff_claims: "/staff/claims" } as const;
const STATIC_PATH = "/styles/app.css";
const TARGETS = ["login", "account", "staff_claims", "static", "healthz"] as const;
/** BENCH_TARGETS=account,login measures only those (pages.json is then not written). */
const ONLY = process.env.BENCH_TARGETS ? new Set(process.env.BENCH_TARGETS.split(",")) : null;

/** A migrated database with a developer and a staff member, each with a full session. */
async function seed(databaseFile: string) {
  process.env.DATABASE_URL = databaseFile;
  const { getDb, closeDb } = await import("~/lib/db.server");
  const { migrateToLatest } = await import("~/lib/migrate.server");
  const { createAccount } = await import("~/domain/accounts.server");
  const { startSession } = await import("~/lib/auth.server");
  const db = getDb();
  await migrateToLatest(db);
  const origin = { ip: "127.0.0.1", userAgent: "bench" };
  const developer = await createAccount(db, { email: "developer@bench.example", password: "bench password that is long", role: "developer", verified: true });
  const staff = await createAccount(db, { email: "staff@bench.example", password: "bench password that is long", role: "staff", verified: true });
  const cookieOf = (setCookie: string) => setCookie.split(";")[0]!;
  const cookies = {
    developer: cookieOf(await startSession(developer.id, origin, "none")),
    staff: cookieOf(await startSession(staff.id, origin, "passed")),
  };
  await closeDb();
  return cookies;
}

interface Instance {
  name: string;
  pid: number;
  dir: string;
  origin: string;
  log: () => string;
}

async function startFerry(name: string, dir: string, databaseFile: string, children: ChildProcess[], processes: number): Promise<Instance> {
  const port = await freePort();
  const profile = process.env.BENCH_CPU_PROF && name.startsWith("current") ? ["--cpu-prof", `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const ferry = startProcess(
    [...profile, ...SERVER_V8_FLAGS, "build/index.js"],
    {
      NODE_ENV: "production",
      APP_SECRET: randomBytes(32).toString("hex"),
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: databaseFile,
      MAIL_TRANSPORT: "log-redacted",
      DEMO: "",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      WEB_CONCURRENCY: String(processes),
    },
    dir,
  );
  children.push(ferry.child);
  await waitFor(`http://127.0.0.1:${port}/readyz`, ferry.child, ferry.log, 60_000);
  return { name, pid: ferry.child.pid!, dir, origin: `http://127.0.0.1:${port}`, log: ferry.log };
}

type Cookies = Awaited<ReturnType<typeof seed>>;

function targetsOf(instance: Instance, cookies: Cookies) {
  const browser = { "accept-language": "en", "accept-encoding": "br, gzip" };
  return {
    login: { url: `${instance.origin}${PAGES.login}`, headers: browser },
    account: { url: `${instance.origin}${PAGES.account}`, headers: { ...browser, cookie: cookies.developer } },
    staff_claims: { url: `${instance.origin}${PAGES.staff_claims}`, headers: { ...browser, cookie: cookies.staff } },
    static: { url: `${instance.origin}${STATIC_PATH}`, headers: browser },
    healthz: { url: `${instance.origin}/healthz`, headers: {} },
  };
}

async function javascriptOfPages(instance: Instance, cookies: Cookies): Promise<Record<keyof typeof PAGES, JsWeight>> {
  const cookieFor = { login: undefined, account: cookies.developer, staff_claims: cookies.staff };
  const weights = {} as Record<keyof typeof PAGES, JsWeight>;
  for (const [name, path] of Object.entries(PAGES) as Array<[keyof typeof PAGES, string]>) {
    const response = await fetch(`${instance.origin}${path}`, { headers: cookieFor[name] ? { cookie: cookieFor[name]! } : {} }).catch((error: unknown) => {
      throw new Error(`${instance.name} ${path}: ${String(error)}; the server's log ends:\n${instance.log().slice(-3000)}`);
    });
    if (response.status !== 200) throw new Error(`${instance.name} ${path}: ${response.status}`);
    weights[name] = javascriptOf(await response.text(), join(instance.dir, "public"));
  }
  return weights;
}

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    console.log("building (npm run build)…");
    const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("build failed");
  }
  process.env.NODE_ENV = "test"; // the seeding below stays quiet
  const workDir = mkdtempSync(join(tmpdir(), "ferry-bench-pages-"));
  const children: ChildProcess[] = [];
  try {
    const databaseFile = join(workDir, "bench.sqlite");
    const cookies = await seed(databaseFile);
    const instances: Instance[] = [];
    for (const processes of WEB_CONCURRENCIES) {
      instances.push(await startFerry(configurationName("current", processes), process.cwd(), databaseFile, children, processes));
      if (BASELINE_DIR) instances.push(await startFerry(configurationName("baseline", processes), BASELINE_DIR, databaseFile, children, processes));
    }
    const barePort = await freePort();
    const bare = startProcess(["-e", bareServerSource(JSON.stringify({ ok: true }))], { PORT: String(barePort) });
    children.push(bare.child);
    await waitFor(`http://127.0.0.1:${barePort}/`, bare.child, bare.log);

    const javascript = Object.fromEntries(await Promise.all(instances.map(async (instance) => [instance.name, await javascriptOfPages(instance, cookies)] as const)));
    for (const [name, pages] of Object.entries(javascript)) {
      for (const [page, weight] of Object.entries(pages)) {
        console.log(`${`${name} ${page} JS`.padEnd(24)} ${(weight.raw / 1024).toFixed(1).padStart(7)} KiB raw   ${(weight.brotli / 1024).toFixed(1)} KiB brotli   (${weight.files} files)`);
      }
    }

    console.log(`\n${cpus().length} CPUs, load average ${loadavg().map((value) => value.toFixed(2)).join(" ")}; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s per target (after a ${WARMUP_SECONDS} s warm-up)`);
    console.log(`configurations: ${instances.map((instance) => instance.name).join(", ")} ("/wcN": WEB_CONCURRENCY=N server processes; otherwise one; CPU per request counts all of them)\n`);
    type Round = Record<string, Figures>;
    const rounds: Round[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS} (load average ${loadavg()[0]!.toFixed(2)})`);
      const figures: Round = { bare: await measure("bare node http", { url: `http://127.0.0.1:${barePort}/` }, { warmUp: round === 1, serverPids: [bare.child.pid!] }) };
      for (const instance of instances) {
        for (const [target, options] of Object.entries(targetsOf(instance, cookies))) {
          if (ONLY && !ONLY.has(target)) continue;
          figures[`${instance.name}.${target}`] = await measure(`${instance.name} ${target}`, options, { warmUp: round === 1, serverPids: [instance.pid] });
        }
      }
      rounds.push(figures);
    }
    const medianOf = (key: string): Figures => medianRound(rounds, (round) => round[key]!);
    if (ONLY) {
      for (const key of Object.keys(rounds[0]!)) {
        const figures = medianOf(key);
        console.log(`median ${key.padEnd(22)} ${String(figures.rps).padStart(6)} req/s p99 ${figures.p99_ms} ms   CPU ${figures.cpu_ms_per_request ?? "?"} ms/req`);
      }
      console.log("(BENCH_TARGETS set: pages.json not written)");
      return;
    }
    const figuresOf = (name: string) => ({
      login: medianOf(`${name}.login`),
      account: medianOf(`${name}.account`),
      staff_claims: medianOf(`${name}.staff_claims`),
      static: medianOf(`${name}.static`),
      healthz: medianOf(`${name}.healthz`),
      js_bytes: javascript[name]!,
    });
    const [first, ...others] = WEB_CONCURRENCIES as [number, ...number[]];
    const current = figuresOf(configurationName("current", first));
    const baseline = BASELINE_DIR ? figuresOf(configurationName("baseline", first)) : null;
    const bareFigures = medianOf("bare");
    const load = loadavg();
    const results = {
      ...current,
      bare: bareFigures,
      ...(baseline ? { baseline: { dir: BASELINE_DIR, ...baseline } } : {}),
      ...Object.fromEntries(
        others.map((processes) => [
          `web_concurrency_${processes}`,
          { ...figuresOf(configurationName("current", processes)), ...(BASELINE_DIR ? { baseline: figuresOf(configurationName("baseline", processes)) } : {}) },
        ]),
      ),
      measured_at: new Date().toISOString(),
      setup: { cpus: cpus().length, server_processes: first, configurations: instances.map((instance) => instance.name), load_average_at_end: load, connections: CONNECTIONS, duration_s: DURATION, rounds: ROUNDS, figures: "median round by req/s", database: "sqlite", node: process.version },
      rounds,
    };
    mkdirSync("tests/bench/results", { recursive: true });
    writeFileSync("tests/bench/results/pages.json", `${JSON.stringify(results, null, 2)}\n`);

    console.log(`\nmedians (load average ${load.map((value) => value.toFixed(2)).join(" ")}), bare node http ${bareFigures.rps} req/s:`);
    const cpu = (figures: Figures) => (figures.cpu_ms_per_request === undefined ? "" : `, CPU ${figures.cpu_ms_per_request} ms/req`);
    for (const processes of WEB_CONCURRENCIES) {
      const now = figuresOf(configurationName("current", processes));
      const then = BASELINE_DIR ? figuresOf(configurationName("baseline", processes)) : null;
      console.log(`${processes === 1 ? "one server process" : `WEB_CONCURRENCY=${processes} (${processes} server processes)`}:`);
      for (const target of TARGETS) {
        const before = then?.[target];
        console.log(`  ${target.padEnd(13)} ${String(now[target].rps).padStart(6)} req/s p99 ${now[target].p99_ms} ms${cpu(now[target])}${before ? `   (baseline ${before.rps} req/s p99 ${before.p99_ms} ms${cpu(before)}, ×${(now[target].rps / before.rps).toFixed(2)})` : ""}`);
      }
      const goals = [
        ["/login JS ≤ 250 KiB raw", now.js_bytes.login.raw <= 250 * 1024],
        ["signed-in pages ≥ 400 req/s", now.account.rps >= 400 && now.staff_claims.rps >= 400],
        ["signed-in pages p99 ≤ 100 ms", now.account.p99_ms <= 100 && now.staff_claims.p99_ms <= 100],
        ["static ≥ 5,000 req/s", now.static.rps >= 5000],
        ["/healthz ≥ 5,000 req/s", now.healthz.rps >= 5000],
      ] as const;
      for (const [goal, met] of goals) console.log(`  ${met ? "✔" : "✘"} ${goal} (${processes === 1 ? "one process" : `WEB_CONCURRENCY=${processes}`})`);
    }
    console.log("\nwritten to tests/bench/results/pages.json");
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await new Promise((wait) => setTimeout(wait, 500));
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.cause ? `${error.message}: ${String(error.cause)}` : error.message) : error);
  process.exit(1);
});
