// The near-copy check at scale, for `npm run bench:evidence`: 100,000 accounts' evidence sketched
// into a temporary SQLite database, then the check a new upload runs (band-key look-up + exact
// comparison of the candidates), timed per upload, with copies and honest look-alikes mixed.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNearCopies } from "~/domain/evidence/near-copies.server";
import { isoDayOf } from "~/domain/evidence/amounts";
import { bandKeys, encodeValues, isComparable, residualFeatures, type UsageSeries } from "~/domain/evidence/similarity";
import type { DayUsage } from "~/domain/evidence/types";
import { createDatabase, sqliteHandleOf } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";
import { prng } from "../fixtures/usage-fixtures";
import { forgedCopy } from "../fixtures/usage-series";

const MODELS = ["gpt-4o-2024-05-13", "gpt-4o-mini-2024-07-18", "gpt-3.5-turbo-0125", "gpt-4-turbo-2024-04-09"];
const WINDOW_START_DAY = Date.parse("2023-07-01T00:00:00Z") / 86_400_000;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/**
 * One account's evidence as per-model daily series (built directly: 100,000 of them are seeded):
 * 2 to 6 months somewhere in the window, one or two models, a weekly rhythm and events shared with
 * the other accounts of its group of 50 (honest look-alikes abound), its own trend and noise.
 */
function accountSeries(index: number): UsageSeries[] {
  const random = prng(index * 7919 + 17);
  const length = 60 + Math.floor(random() * 120);
  const firstDay = WINDOW_START_DAY + Math.floor(random() * (374 - length));
  const group = prng(1_000_003 + (index % 50));
  const weekday = Array.from({ length: 7 }, () => 0.7 + group() * 0.6);
  const events = new Map<number, number>();
  for (let i = 0; i < 8; i++) events.set(WINDOW_START_DAY + Math.floor(group() * 374), 0.3 + group() * 2);
  const noise = 0.04 + random() * 0.2;
  const weekend = random() * 0.6;
  const trend = random() * 0.2 - 0.05;
  const models = random() < 0.4 ? 2 : 1;
  const series: UsageSeries[] = [];
  for (let m = 0; m < models; m++) {
    const level = (m === 0 ? 20_000 : 10_000) * Math.exp(random() * (m === 0 ? 5 : 4));
    const values = new Array<number>(length);
    for (let i = 0; i < length; i++) {
      const day = firstDay + i;
      const dow = (day + 4) % 7; // 1970-01-01 was a Thursday
      const base = level * weekday[dow]! * (dow === 0 || dow === 6 ? weekend : 1) * (1 + trend * (i / 30)) * (events.get(day) ?? 1);
      values[i] = Math.max(0, Math.round(base * Math.exp(noise * gaussian(random))));
    }
    series.push({ model: MODELS[(index + m) % 4]!, firstDay, values });
  }
  return series;
}

function daysOf(series: UsageSeries[]): DayUsage[] {
  return series.flatMap((one) =>
    one.values.flatMap((tokens, i) => {
      if (tokens <= 0) return [];
      const input = Math.round(tokens * 0.7);
      return [{ day: isoDayOf(one.firstDay + i), model: one.model, inputTokens: input, outputTokens: tokens - input, costMicros: tokens * 5, requests: 1 + Math.round(tokens / 2000) }];
    }),
  );
}

export interface NearCopyBenchResult {
  accounts: number;
  series: number;
  band_rows: number;
  seed_s: number;
  db_mb: number;
  uploads_checked: number;
  check_ms_median: number;
  check_ms_p95: number;
  check_ms_max: number;
  /** CPU time of the check (this process; SQLite runs in it): what the wall time is on an idle machine. */
  check_cpu_ms_median: number;
  check_cpu_ms_p95: number;
  copies_found: string;
  honest_flagged: string;
}

export async function benchNearCopies(accounts: number, uploads = 200): Promise<NearCopyBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-near-"));
  const db = createDatabase(join(dir, "bench.sqlite"));
  try {
    await migrateToLatest(db);
    const sqlite = sqliteHandleOf(db)!;
    sqlite.pragma("cache_size = -262144");
    const now = new Date().toISOString();
    const insertUser = sqlite.prepare("insert into users (id, email, password_hash, password_changed_at, created_at, updated_at) values (?, ?, 'x', ?, ?, ?)");
    const insertEvidence = sqlite.prepare("insert into evidence (id, user_id, kind, status, created_at) values (?, ?, 'completions_csv', 'accepted', ?)");
    const insertSeries = sqlite.prepare("insert into evidence_series (evidence_id, model, user_id, first_day, day_values, created_at) values (?, ?, ?, ?, ?, ?)");
    const insertBand = sqlite.prepare("insert or ignore into evidence_sketch_bands (band_key, evidence_id, model, user_id) values (?, ?, ?, ?)");
    let series = 0;
    let bandRows = 0;
    const seedStart = performance.now();
    const seedCpu = process.cpuUsage();
    const seedBatch = sqlite.transaction((from: number, to: number) => {
      for (let index = from; index < to; index++) {
        const userId = `usr_bench${index}`;
        const evidenceId = `evd_bench${index}`;
        insertUser.run(userId, `bench${index}@example.com`, now, now, now);
        insertEvidence.run(evidenceId, userId, now);
        for (const usage of accountSeries(index)) {
          const features = residualFeatures(usage);
          if (!isComparable(usage, features)) continue;
          insertSeries.run(evidenceId, usage.model, userId, usage.firstDay, encodeValues(usage.values), now);
          series += 1;
          for (const key of new Set(bandKeys(features))) bandRows += insertBand.run(key, evidenceId, usage.model, userId).changes;
        }
      }
    });
    for (let from = 0; from < accounts; from += 5_000) {
      seedBatch(from, Math.min(accounts, from + 5_000));
      if (from % 25_000 === 0) console.log(`  seeded ${from.toLocaleString("en")} accounts…`);
    }
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    sqlite.exec("analyze");
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const seedCpuUsed = process.cpuUsage(seedCpu);
    console.log(`  seeded in ${seedSeconds.toFixed(1)} s (CPU ${((seedCpuUsed.user + seedCpuUsed.system) / 1e6).toFixed(1)} s)`);

    // Half the uploads copy a seeded account (a token off, scaled, shifted, jittered, cut short);
    // half are new honest accounts sharing a rhythm group with thousands of seeded ones.
    const random = prng(4242);
    const timings: number[] = [];
    const cpuTimings: number[] = [];
    let copies = 0;
    let copiesFound = 0;
    let honest = 0;
    let honestFlagged = 0;
    for (let upload = 0; upload < uploads; upload++) {
      const isCopy = upload % 2 === 0;
      const original = Math.floor(random() * accounts);
      let days: DayUsage[];
      if (isCopy) {
        const source = daysOf(accountSeries(original));
        const from = Math.floor(random() * 20);
        days = forgedCopy(source.slice(from), { seed: upload, scale: 0.5 + random() * 2, shiftDays: Math.floor(random() * 9) - 4, jitter: random() < 0.5 ? 0.005 : 0 });
      } else {
        days = daysOf(accountSeries(accounts + upload));
      }
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const found = await findNearCopies(db, `usr_upload${upload}`, days);
      timings.push(performance.now() - started);
      const cpu = process.cpuUsage(cpuStarted);
      cpuTimings.push((cpu.user + cpu.system) / 1000);
      if (isCopy) {
        // A copy of a series too flat or small to compare cannot be caught; count only the comparable ones.
        if (!accountSeries(original).some((usage) => isComparable(usage))) continue;
        copies += 1;
        if (found.some((match) => match.otherAccountId === `usr_bench${original}`)) copiesFound += 1;
      } else {
        honest += 1;
        if (found.length > 0) honestFlagged += 1;
      }
    }
    timings.sort((a, b) => a - b);
    cpuTimings.sort((a, b) => a - b);
    const at = (share: number, list = timings) => Number(list[Math.min(list.length - 1, Math.floor(share * list.length))]!.toFixed(2));
    return {
      accounts,
      series,
      band_rows: bandRows,
      seed_s: Number(seedSeconds.toFixed(1)),
      db_mb: Number((statSync(join(dir, "bench.sqlite")).size / 1024 / 1024).toFixed(1)),
      uploads_checked: uploads,
      check_ms_median: at(0.5),
      check_ms_p95: at(0.95),
      check_ms_max: Number(timings.at(-1)!.toFixed(2)),
      check_cpu_ms_median: at(0.5, cpuTimings),
      check_cpu_ms_p95: at(0.95, cpuTimings),
      copies_found: `${copiesFound}/${copies}`,
      honest_flagged: `${honestFlagged}/${honest}`,
    };
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
