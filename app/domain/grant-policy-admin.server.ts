// The admin side of the grant policy: turning the settings form into a patch, and the change history.
import type { DbExecutor } from "~/lib/db.server";
import { parseWholeNumber } from "~/lib/number-input";
import { GRANT_POLICY_KEYS, type GrantPolicy } from "./grant-policy";
import { listGrantPolicyChanges } from "./grant-policy.server";

/**
 * Only the fields whose value differs from the policy in force become part of the patch, so an
 * untouched field keeps following the provider default and the GRANT_* environment. Text that is
 * not a whole number is passed on as text, for the policy schema to refuse with its own message.
 */
export function policyPatchFromForm(fields: Record<string, string>, current: GrantPolicy): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of GRANT_POLICY_KEYS) {
    const raw = (fields[key] ?? "").trim();
    if (raw === "") continue;
    const value: unknown = parseWholeNumber(raw, { signed: true }) ?? raw;
    if (value !== current[key]) patch[key] = value;
  }
  return patch;
}

export interface PolicyChange {
  id: string;
  createdAt: string;
  actorEmail: string | null;
  before: Record<string, number>;
  after: Record<string, number>;
}

export async function grantPolicyHistory(db: DbExecutor, limit = 50): Promise<PolicyChange[]> {
  const changes = await listGrantPolicyChanges(db, limit);
  const actorIds = [...new Set(changes.map((change) => change.actor_id).filter((id): id is string => id !== null))];
  const actors = actorIds.length ? await db.selectFrom("users").select(["id", "email"]).where("id", "in", actorIds).execute() : [];
  return changes.map((change) => ({
    id: change.id,
    createdAt: change.created_at,
    actorEmail: actors.find((actor) => actor.id === change.actor_id)?.email ?? null,
    before: change.old_value ? (JSON.parse(change.old_value) as Record<string, number>) : {},
    after: JSON.parse(change.new_value) as Record<string, number>,
  }));
}
