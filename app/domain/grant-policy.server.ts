// The grant policy in force: provider default, then GRANT_* env, then what an admin saved in settings.
import type { DbExecutor } from "~/lib/db.server";
import { getEnv, type Env } from "~/lib/env.server";
import { newId } from "~/lib/ids.server";
import { currentProvider } from "~/lib/provider.server";
import { recordAudit } from "./audit.server";
import { grantPolicyPatchSchema, resolveGrantPolicy, type GrantPolicy, type GrantPolicyPatch } from "./grant-policy";

export const GRANT_POLICY_SETTING = "grant_policy";

export function envGrantPolicyPatch(env: Env): GrantPolicyPatch {
  const patch: GrantPolicyPatch = {
    multiplierPercent: env.GRANT_MULTIPLIER_PERCENT,
    averageMonths: env.GRANT_AVERAGE_MONTHS,
    floorTokens: env.GRANT_FLOOR_TOKENS,
    capTokens: env.GRANT_CAP_TOKENS,
    promoExpiryDays: env.GRANT_PROMO_EXPIRY_DAYS,
    autoApproveLimitTokens: env.GRANT_AUTO_APPROVE_LIMIT_TOKENS,
    largeGrantLimitTokens: env.GRANT_LARGE_GRANT_LIMIT_TOKENS,
  };
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

async function readStoredText(db: DbExecutor): Promise<string | null> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", GRANT_POLICY_SETTING).executeTakeFirst();
  return row?.value ?? null;
}

function storedPatchOf(stored: string | null): GrantPolicyPatch {
  if (stored === null) return {};
  const parsed = grantPolicyPatchSchema.safeParse(JSON.parse(stored));
  // A stored value is written only through updateGrantPolicy; if it no longer parses, a bug wrote it.
  if (!parsed.success) throw new Error(`settings.${GRANT_POLICY_SETTING} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

/** The default (profile + env) with the admin's saved overrides, and which layer each came from. */
export async function getGrantPolicyLayers(db: DbExecutor) {
  const profileDefault = currentProvider().grantPolicy;
  const fromEnv = envGrantPolicyPatch(getEnv());
  const fromSettings = storedPatchOf(await readStoredText(db));
  return { profileDefault, fromEnv, fromSettings };
}

/**
 * The policy last resolved, and what it was resolved from. Every call still reads the stored
 * overrides (another instance may have saved new ones); only the zod parsing and checking of the
 * same stored text, environment and provider profile is not done again on every page that shows
 * an offer or the review queue.
 */
let lastResolved: { stored: string | null; env: Env; profile: GrantPolicy; policy: GrantPolicy } | null = null;

export async function getGrantPolicy(db: DbExecutor): Promise<GrantPolicy> {
  const stored = await readStoredText(db);
  const env = getEnv();
  const profile = currentProvider().grantPolicy;
  if (!lastResolved || lastResolved.stored !== stored || lastResolved.env !== env || lastResolved.profile !== profile) {
    lastResolved = { stored, env, profile, policy: resolvedPolicy(profile, envGrantPolicyPatch(env), storedPatchOf(stored)) };
  }
  return { ...lastResolved.policy };
}

function resolvedPolicy(profileDefault: GrantPolicy, fromEnv: GrantPolicyPatch, fromSettings: GrantPolicyPatch): GrantPolicy {
  const withEnv = resolveGrantPolicy(profileDefault, fromEnv);
  if (!withEnv.ok) throw new Error(`GRANT_* environment variables make an invalid policy: ${withEnv.error.message}`);
  const resolved = resolveGrantPolicy(withEnv.policy, fromSettings);
  // An env change can make older saved settings inconsistent; fall back to env rather than stop granting.
  return resolved.ok ? resolved.policy : withEnv.policy;
}

export type UpdateGrantPolicyResult =
  | { ok: true; policy: GrantPolicy }
  | { ok: false; reason: "invalid"; fieldErrors: Record<string, string> };

/** Saves an admin's change (merged over earlier saved overrides), with a history row and an audit entry. */
export async function updateGrantPolicy(
  db: DbExecutor,
  patch: unknown,
  actorId: string,
  options: { ip?: string | null; now?: Date } = {},
): Promise<UpdateGrantPolicyResult> {
  const parsedPatch = grantPolicyPatchSchema.safeParse(patch);
  if (!parsedPatch.success) return { ok: false, reason: "invalid", fieldErrors: issuesToFields(parsedPatch.error.issues) };
  const now = (options.now ?? new Date()).toISOString();
  const { profileDefault, fromEnv, fromSettings } = await getGrantPolicyLayers(db);
  const nextStored: GrantPolicyPatch = { ...fromSettings, ...parsedPatch.data };
  const resolved = resolveGrantPolicy(profileDefault, fromEnv, nextStored);
  if (!resolved.ok) return { ok: false, reason: "invalid", fieldErrors: issuesToFields(resolved.error.issues) };

  const oldValue = Object.keys(fromSettings).length ? JSON.stringify(fromSettings) : null;
  const newValue = JSON.stringify(nextStored);
  // The setting, its history row and the audit entry stand or fall together.
  const write = async (trx: DbExecutor) => {
    const existing = await trx.selectFrom("settings").select("key").where("key", "=", GRANT_POLICY_SETTING).executeTakeFirst();
    if (existing) {
      await trx.updateTable("settings").set({ value: newValue, updated_by: actorId, updated_at: now }).where("key", "=", GRANT_POLICY_SETTING).execute();
    } else {
      await trx.insertInto("settings").values({ key: GRANT_POLICY_SETTING, value: newValue, updated_by: actorId, created_at: now, updated_at: now }).execute();
    }
    await trx
      .insertInto("setting_changes")
      .values({ id: newId("set"), key: GRANT_POLICY_SETTING, old_value: oldValue, new_value: newValue, actor_id: actorId, created_at: now })
      .execute();
    await recordAudit(trx, {
      actorId,
      action: "grant_policy.update",
      targetType: "setting",
      targetId: GRANT_POLICY_SETTING,
      details: { before: fromSettings, after: nextStored },
      ip: options.ip ?? null,
    });
  };
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
  return { ok: true, policy: resolved.policy };
}

export async function listGrantPolicyChanges(db: DbExecutor, limit = 50) {
  return db
    .selectFrom("setting_changes")
    .selectAll()
    .where("key", "=", GRANT_POLICY_SETTING)
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
}

function issuesToFields(issues: ReadonlyArray<{ path: (string | number)[]; message: string; code: string }>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "form");
    fields[field] ??= issue.code === "unrecognized_keys" ? "claims.errors.policyUnknownField" : issue.message;
  }
  return fields;
}
