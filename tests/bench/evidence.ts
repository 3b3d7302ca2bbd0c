// `npm run bench:evidence`: a 1,000,000-row completions export verified end to end, next to a
// bare csv-parse parse of the same file in the same run; then the near-copy check of an upload
// against 100,000 accounts' evidence sketches. Figures printed and written as JSON.
import { spawnSync } from "node:child_process";
import { createReadStream, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse";
import { verifyUpload } from "~/domain/evidence/verify.server";
import { benchNearCopies } from "./near-copies";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const NEAR_COPY_ACCOUNTS = Number(process.env.BENCH_NEAR_COPY_ACCOUNTS ?? 100_000);
const RESULTS = new URL("./results/evidence.json", import.meta.url);
// Both readers get the same read size (Node's default), so the comparison is the parsing alone.
const READ_CHUNK = 64 * 1024;
const GENERATOR = fileURLToPath(new URL("../fixtures/generate-usage-export.ts", import.meta.url));

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 10);

async function bareParse(file: string) {
  let records = 0;
  const parser = createReadStream(file, { highWaterMark: READ_CHUNK }).pipe(parse());
  parser.on("data", () => {
    records += 1;
  });
  await once(parser, "end");
  return records - 1;
}

const dir = join(tmpdir(), `ferry-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const file = join(dir, "completions.csv");
try {
  // Generated in a child process so this process's memory is the verifier's alone.
  console.log(`generating ${ROWS.toLocaleString("en")} rows…`);
  const generated = spawnSync(process.execPath, ["--import", "tsx", GENERATOR, file, String(ROWS)], { stdio: "inherit" });
  if (generated.status !== 0) throw new Error("fixture generation failed");
  const size = statSync(file).size;
  console.log(`file: ${(size / 1024 / 1024).toFixed(1)} MB`);

  globalThis.gc?.();
  peakRss = process.memoryUsage.rss();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const outcome = await verifyUpload(createReadStream(file, { highWaterMark: READ_CHUNK }), {
    maxBytes: size,
    window: { start: "2023-07-01", end: "2024-07-09" },
  });
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  clearInterval(sampler);
  const verifyRss = peakRss;
  // The verifier runs first so its peak RSS is its own; the bare parse follows in the same run.
  const bareStart = performance.now();
  const bareCpuStart = process.cpuUsage();
  const bareRecords = await bareParse(file);
  const bareWall = (performance.now() - bareStart) / 1000;
  const bareCpu = process.cpuUsage(bareCpuStart);
  if (bareRecords !== ROWS) throw new Error(`bare parse saw ${bareRecords} rows, expected ${ROWS}`);
  if (outcome.status !== "accepted" || outcome.rowCount !== ROWS) {
    throw new Error(`verification failed: ${outcome.status} ${JSON.stringify(outcome.reasons)} rows=${outcome.rowCount}`);
  }
  const result = {
    rows: ROWS,
    rows_per_s: Math.round(ROWS / wall),
    wall_s: Number(wall.toFixed(3)),
    peak_rss_mb: Number((verifyRss / 1024 / 1024).toFixed(1)),
    bare_parse_wall_s: Number(bareWall.toFixed(3)),
    ratio_to_bare_parse: Number((wall / bareWall).toFixed(3)),
  };
  console.log(`near-copy check: seeding ${NEAR_COPY_ACCOUNTS.toLocaleString("en")} accounts' evidence sketches…`);
  const nearCopy = await benchNearCopies(NEAR_COPY_ACCOUNTS);
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify({ ...result, near_copy: nearCopy }, null, 2)}\n`);
  console.log(`verified ${ROWS.toLocaleString("en")} rows → ${outcome.days.length} day × model totals, ${outcome.flags.length} flags`);
  console.log(`bare csv-parse: ${(ROWS / bareWall).toFixed(0)} rows/s`);
  // On a shared machine wall time depends on the neighbours; CPU time shows the work itself.
  const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
  console.log(`CPU time: verifier ${cpuSeconds(cpu).toFixed(2)} s (${Math.round(ROWS / cpuSeconds(cpu)).toLocaleString("en")} rows per CPU-second), bare parse ${cpuSeconds(bareCpu).toFixed(2)} s; load average ${(await import("node:os")).loadavg()[0]!.toFixed(1)}`);
  console.table(result);
  console.table(nearCopy);
  const goals = [
    ["rows/s ≥ 300,000", result.rows_per_s >= 300_000],
    ["peak RSS ≤ 200 MB", result.peak_rss_mb <= 200],
    ["≤ 2× bare parse", result.ratio_to_bare_parse <= 2],
    [`near-copy check ≤ 50 ms per upload (median wall ${nearCopy.check_ms_median} ms, CPU ${nearCopy.check_cpu_ms_median} ms)`, nearCopy.check_ms_median <= 50],
  ] as const;
  for (const [goal, met] of goals) console.log(`${met ? "✔" : "✖"} ${goal}`);
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
