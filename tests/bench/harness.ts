// What the HTTP benchmarks (pages, gateway) share: a free port, child processes with their log,
// waiting for a server to answer, autocannon runs that fail on any failed request, the CPU time a
// server spends per request (read from /proc, so a loaded machine distorts it less than req/s), the
// bare Node http server they compare against, and the median round.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import autocannon from "autocannon";

export const DURATION = Number(process.env.BENCH_DURATION ?? 5);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
export const WARMUP_SECONDS = 2;

export interface Figures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** CPU time (user + system) the measured server spent per request; absent where /proc is not. */
  cpu_ms_per_request?: number;
  /** The database server's processes' CPU per request (PostgreSQL on this machine). */
  database_cpu_ms_per_request?: number;
  /** This process's CPU per request while autocannon ran in it alone: what the load generator itself takes of the machine. */
  load_generator_cpu_ms_per_request?: number;
}

/** BENCH_PORTS=4600-4699: the servers a benchmark starts take ports from that range (a shared machine), else any free port. */
const PORT_RANGE = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORTS ?? "");
let nextInRange = PORT_RANGE ? Number(PORT_RANGE[1]) : 0;

function listensOn(port: number): Promise<number | null> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", () => resolvePort(null));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : null));
    });
  });
}

export async function freePort(): Promise<number> {
  if (!PORT_RANGE) {
    const port = await listensOn(0);
    if (port === null) throw new Error("no port");
    return port;
  }
  while (nextInRange <= Number(PORT_RANGE[2])) {
    const port = await listensOn(nextInRange++);
    if (port !== null) return port;
  }
  throw new Error(`no free port left in BENCH_PORTS=${process.env.BENCH_PORTS}`);
}

/** Polls `url` until it answers 2xx; generous, as a server migrating a fresh PostgreSQL database on a loaded machine takes a while. */
export async function waitFor(url: string, child: ChildProcess, log: () => string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((wait) => setTimeout(wait, 150));
  }
  throw new Error(`server did not come up:\n${log()}`);
}

/**
 * A Node child process (the same node as this one). Its output goes to a file, never to a pipe this
 * process reads: a server writes a log line per request, and a pipe's reader that is busy running
 * autocannon lets the pipe fill, which blocks the server in write() (a third of its time, measured).
 * `log()` is the last 20,000 characters, for error messages.
 */
export function startProcess(args: string[], env: Record<string, string>, cwd = process.cwd()): { child: ChildProcess; log: () => string } {
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-log-"));
  const file = join(dir, "output.log");
  const fd = openSync(file, "a");
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  child.once("exit", () => setTimeout(() => rmSync(dir, { recursive: true, force: true }), 5_000).unref());
  return { child, log: () => (existsSync(file) ? readFileSync(file, "utf8").slice(-20_000) : "") };
}

export function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolveRun, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolveRun(result)));
  });
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** These processes and their descendants (a clustered server's workers), from /proc; just `pids` off Linux. */
export function withDescendants(pids: number[]): number[] {
  const all = [...pids];
  for (let index = 0; index < all.length; index++) {
    const pid = all[index]!;
    const file = `/proc/${pid}/task/${pid}/children`;
    if (!existsSync(file)) continue;
    all.push(...readFileSync(file, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return all;
}

/** CPU milliseconds used so far by each of these processes, by pid; one that has ended is left out. */
export function cpuMsByPid(pids: readonly number[]): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of pids) {
    try {
      const ms = cpuMsOf([pid]);
      if (ms !== null) byPid.set(pid, ms);
    } catch {
      /* ended between the check and the read */
    }
  }
  return byPid;
}

/** CPU used between two readings of cpuMsByPid: a process that started in between counts whole, one that ended is not counted (so at least this much). */
export function cpuUsedBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let used = 0;
  for (const [pid, ms] of after) used += ms - (before.get(pid) ?? 0);
  return used;
}

/** CPU milliseconds used so far by each PostgreSQL server process serving database `name` (same machine, Linux). */
export async function postgresCpuByPid(admin: { query(text: string, values: unknown[]): Promise<{ rows: Array<{ pid: number }> }> }, name: string): Promise<Map<number, number>> {
  const { rows } = await admin.query("select pid from pg_stat_activity where datname = $1", [name]);
  return cpuMsByPid(rows.map((row) => row.pid));
}

/** CPU milliseconds (user + system) used so far by these processes (and their reaped children), or null off Linux. */
export function cpuMsOf(pids: number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    const file = `/proc/${pid}/stat`;
    if (!existsSync(file)) return null;
    // Fields after the command name (which may hold spaces, hence the last ")"): utime is the 14th field, stime the 15th.
    const stat = readFileSync(file, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += Number(fields[11]) + Number(fields[12]);
  }
  return (total * 1000) / CLOCK_TICKS_PER_SECOND;
}

export interface MeasureOptions {
  /** Run a WARMUP_SECONDS run first (not counted). */
  warmUp: boolean;
  /** The server processes whose CPU time per request is reported (with their child processes). */
  serverPids?: number[];
  /** Width of the label column. */
  labelWidth?: number;
  /** CPU milliseconds used so far by each of the database server's processes, by pid (PostgreSQL on this machine). */
  databaseCpu?: () => Promise<Map<number, number>>;
  /** Print the number of requests too. */
  showTotal?: boolean;
  /** Report this process's CPU per request (only when nothing else runs in it meanwhile). */
  loadGeneratorCpu?: boolean;
}

/** One autocannon run of DURATION seconds with CONNECTIONS connections; throws if any request fails. */
export async function measure(label: string, options: Omit<autocannon.Options, "duration" | "connections">, measureOptions: MeasureOptions): Promise<Figures> {
  if (measureOptions.warmUp) await run({ ...options, duration: WARMUP_SECONDS, connections: CONNECTIONS });
  const pids = measureOptions.serverPids ? withDescendants(measureOptions.serverPids) : null;
  const cpuBefore = pids ? cpuMsOf(pids) : null;
  const databaseBefore = await measureOptions.databaseCpu?.();
  const ownBefore = process.cpuUsage();
  const result = await run({ ...options, duration: DURATION, connections: CONNECTIONS });
  const own = process.cpuUsage(ownBefore);
  const cpuAfter = pids ? cpuMsOf(pids) : null;
  const databaseAfter = await measureOptions.databaseCpu?.();
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${label}: ${failed} failed requests (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  const figures: Figures = { rps: Math.round(result.requests.average), p50_ms: result.latency.p50, p99_ms: result.latency.p99 };
  if (cpuBefore !== null && cpuAfter !== null && result.requests.total > 0) {
    figures.cpu_ms_per_request = Math.round(((cpuAfter - cpuBefore) / result.requests.total) * 100) / 100;
  }
  if (databaseBefore && databaseAfter && result.requests.total > 0) {
    figures.database_cpu_ms_per_request = Math.round((cpuUsedBetween(databaseBefore, databaseAfter) / result.requests.total) * 100) / 100;
  }
  if (measureOptions.loadGeneratorCpu && result.requests.total > 0) {
    figures.load_generator_cpu_ms_per_request = Math.round(((own.user + own.system) / 1000 / result.requests.total) * 100) / 100;
  }
  const generator = figures.load_generator_cpu_ms_per_request === undefined ? "" : ` + load generator ${figures.load_generator_cpu_ms_per_request} ms/req`;
  const database = figures.database_cpu_ms_per_request === undefined ? "" : ` + database ${figures.database_cpu_ms_per_request} ms/req${generator}`;
  const cpu = figures.cpu_ms_per_request === undefined ? "" : `   CPU ${figures.cpu_ms_per_request} ms/req${database}`;
  const total = measureOptions.showTotal ? `   (${result.requests.total} requests)` : "";
  console.log(`${label.padEnd(measureOptions.labelWidth ?? 24)} ${String(figures.rps).padStart(7)} req/s   p50 ${figures.p50_ms} ms   p99 ${figures.p99_ms} ms${cpu}${total}`);
  return figures;
}

/** A bare Node http server answering `body` (a JSON text) on PORT, after reading the request body: the ceiling to compare with. */
export function bareServerSource(body: string): string {
  return `
const http = require("node:http");
const body = ${JSON.stringify(body)};
http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) }); res.end(body); });
}).listen(Number(process.env.PORT), "127.0.0.1");
`;
}

/** The round whose `pick` has the median req/s (its latencies go with it). */
export function medianRound<Round, T extends { rps: number }>(rounds: Round[], pick: (round: Round) => T): T {
  const sorted = [...rounds].sort((a, b) => pick(a).rps - pick(b).rps);
  return pick(sorted[Math.floor(sorted.length / 2)]!);
}

export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
