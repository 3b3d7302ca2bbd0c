// `npm run bench:evidence`: a 1,000,000-row completions export verified end to end, next to a
// bare csv-parse parse of the same file in the same run. Figures printed and written as JSON.
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { parse } from "csv-parse";
import { COMPLETIONS_COLUMNS } from "~/domain/evidence/csv-columns";
import { verifyUpload } from "~/domain/evidence/verify.server";
import { completionsLine, usageRows } from "../fixtures/usage-fixtures";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RESULTS = new URL("./results/evidence.json", import.meta.url);

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);

async function generate(file: string) {
  const out = createWriteStream(file);
  // ~2,740 rows a day: 5 models × 548 project/key slots over a year of the window.
  const rows = usageRows({ startDay: "2023-07-10", days: 365, models: ["gpt-4o-2024-05-13", "gpt-4o-mini-2024-07-18", "gpt-3.5-turbo-0125", "gpt-4-turbo-2024-04-09", "text-embedding-3-small"], rowsPerDayModel: Math.ceil(ROWS / 365 / 5), seed: 42 });
  out.write(`${COMPLETIONS_COLUMNS.join(",")}\n`);
  let written = 0;
  let batch: string[] = [];
  for (const row of rows) {
    if (written === ROWS) break;
    batch.push(completionsLine(row));
    written += 1;
    if (batch.length === 2000) {
      if (!out.write(`${batch.join("\n")}\n`)) await once(out, "drain");
      batch = [];
    }
  }
  if (batch.length > 0) out.write(`${batch.join("\n")}\n`);
  out.end();
  await once(out, "finish");
  return written;
}

async function bareParse(file: string) {
  let records = 0;
  const parser = createReadStream(file).pipe(parse());
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
  console.log(`generating ${ROWS.toLocaleString("en")} rows…`);
  const rows = await generate(file);
  const size = statSync(file).size;
  console.log(`file: ${(size / 1024 / 1024).toFixed(1)} MB`);
  global.gc?.();
  peakRss = process.memoryUsage.rss();

  const bareStart = performance.now();
  const bareRecords = await bareParse(file);
  const bareWall = (performance.now() - bareStart) / 1000;
  if (bareRecords !== rows) throw new Error(`bare parse saw ${bareRecords} rows, expected ${rows}`);
  global.gc?.();

  const start = performance.now();
  const outcome = await verifyUpload(createReadStream(file), {
    maxBytes: size + 1,
    window: { start: "2023-07-01", end: "2024-07-09" },
  });
  const wall = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (outcome.status !== "accepted" || outcome.rowCount !== rows) {
    throw new Error(`verification failed: ${outcome.status} ${JSON.stringify(outcome.reasons)} rows=${outcome.rowCount}`);
  }
  const result = {
    rows,
    rows_per_s: Math.round(rows / wall),
    wall_s: Number(wall.toFixed(3)),
    peak_rss_mb: Number((peakRss / 1024 / 1024).toFixed(1)),
    bare_parse_wall_s: Number(bareWall.toFixed(3)),
    ratio_to_bare_parse: Number((wall / bareWall).toFixed(3)),
  };
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`verified ${rows.toLocaleString("en")} rows (${outcome.days.length} day × model totals)`);
  console.table(result);
  const goals = [
    ["rows/s ≥ 300,000", result.rows_per_s >= 300_000],
    ["peak RSS ≤ 200 MB", result.peak_rss_mb <= 200],
    ["≤ 2× bare parse", result.ratio_to_bare_parse <= 2],
  ] as const;
  for (const [goal, met] of goals) console.log(`${met ? "✔" : "✖"} ${goal}`);
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
