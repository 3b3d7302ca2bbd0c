// One lease row per background job, on both dialects: an instance takes the lease when it has
// expired (or is already its own), runs the job, and the lease's expiry is when the job is next due.
import type { DbExecutor } from "./db.server";

/**
 * Takes `name`'s lease for `holder` until `now + durationMs` when nobody holds it or it has
 * expired. True when this holder now has it (and should run the job).
 */
export async function tryTakeJobLease(db: DbExecutor, name: string, holder: string, durationMs: number, now: Date = new Date()): Promise<boolean> {
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + durationMs).toISOString();
  // One statement, so two instances racing for the same expired lease cannot both win: the
  // conflict's update runs only where the stored lease has expired, and returns no row otherwise.
  const taken = await db
    .insertInto("job_leases")
    .values({ name, holder, expires_at: expiresAt, last_started_at: at, created_at: at, updated_at: at })
    .onConflict((conflict) =>
      conflict
        .column("name")
        .doUpdateSet({ holder, expires_at: expiresAt, last_started_at: at, updated_at: at })
        .where("job_leases.expires_at", "<=", at),
    )
    .returning("holder")
    .executeTakeFirst();
  return taken?.holder === holder;
}

/** Ends `holder`'s lease early so the job is due again at once (a failed run is retried soon). */
export async function releaseJobLease(db: DbExecutor, name: string, holder: string, now: Date = new Date()): Promise<void> {
  const at = now.toISOString();
  await db.updateTable("job_leases").set({ expires_at: at, updated_at: at }).where("name", "=", name).where("holder", "=", holder).execute();
}
