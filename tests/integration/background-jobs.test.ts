// Issue #13.5: background jobs run at start-up and then once per period across all instances,
// through a lease row that works on SQLite and PostgreSQL; restarts neither repeat nor starve them.
import { afterEach, expect, it } from "vitest";
import { startBackgroundJobs, type Job } from "~/jobs.server";
import { getDb } from "~/lib/db.server";
import { releaseJobLease, tryTakeJobLease } from "~/lib/job-lease.server";

const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

async function until(condition: () => boolean) {
  for (let attempt = 0; attempt < 300 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(condition()).toBe(true);
}

it("gives a lease to one holder until it expires", async () => {
  const db = getDb();
  const start = new Date("2026-01-01T00:00:00.000Z");
  expect(await tryTakeJobLease(db, "lease-a", "instance-1", 60_000, start)).toBe(true);
  expect(await tryTakeJobLease(db, "lease-a", "instance-2", 60_000, new Date(start.getTime() + 59_000))).toBe(false);
  // Not even its own holder runs it again within the period (a restarted instance has a new name anyway).
  expect(await tryTakeJobLease(db, "lease-a", "instance-1", 60_000, new Date(start.getTime() + 59_000))).toBe(false);
  expect(await tryTakeJobLease(db, "lease-a", "instance-2", 60_000, new Date(start.getTime() + 60_000))).toBe(true);
  const row = await db.selectFrom("job_leases").selectAll().where("name", "=", "lease-a").executeTakeFirstOrThrow();
  expect(row).toMatchObject({ holder: "instance-2", expires_at: "2026-01-01T00:02:00.000Z" });

  await releaseJobLease(db, "lease-a", "instance-1", new Date(start.getTime() + 61_000)); // not the holder: no effect
  expect(await tryTakeJobLease(db, "lease-a", "instance-3", 60_000, new Date(start.getTime() + 62_000))).toBe(false);
  await releaseJobLease(db, "lease-a", "instance-2", new Date(start.getTime() + 62_000));
  expect(await tryTakeJobLease(db, "lease-a", "instance-3", 60_000, new Date(start.getTime() + 62_000))).toBe(true);
});

it("lets exactly one of two racing instances take an expired lease", async () => {
  const db = getDb();
  const results = await Promise.all(["racer-1", "racer-2", "racer-3"].map((holder) => tryTakeJobLease(db, "lease-race", holder, 60_000)));
  expect(results.filter(Boolean)).toHaveLength(1);
});

it("runs each job at start-up on one instance only, and again at start-up once its period has passed", async () => {
  const runs: string[] = [];
  const job = (name: string, everyMs: number): Job => ({ name, everyMs, run: async () => void runs.push(name) });
  const jobs = [job("job-hourly", 60 * 60_000), job("job-short", 1)];

  stops.push(startBackgroundJobs({ db: getDb(), jobs, holder: "instance-a", checkEveryMs: 60_000 }));
  await until(() => runs.length === 2);
  expect(runs.sort()).toEqual(["job-hourly", "job-short"]);

  // A second instance (or this one restarted) within the hour: the hourly job is not repeated,
  // the job whose period has passed runs at once.
  await new Promise((resolve) => setTimeout(resolve, 5));
  stops.push(startBackgroundJobs({ db: getDb(), jobs, holder: "instance-b", checkEveryMs: 60_000 }));
  await until(() => runs.length === 3);
  expect(runs.filter((name) => name === "job-hourly")).toHaveLength(1);
  expect(runs.filter((name) => name === "job-short")).toHaveLength(2);
});

it("retries a failed job at the next check instead of a whole period later", async () => {
  let attempts = 0;
  const flaky: Job = {
    name: "job-flaky",
    everyMs: 60 * 60_000,
    run: async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("first run fails");
    },
  };
  stops.push(startBackgroundJobs({ db: getDb(), jobs: [flaky], holder: "instance-c", checkEveryMs: 50 }));
  await until(() => attempts >= 2);
  const row = await getDb().selectFrom("job_leases").selectAll().where("name", "=", "job-flaky").executeTakeFirstOrThrow();
  expect(new Date(row.expires_at).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
});
