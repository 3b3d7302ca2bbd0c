// The one helper every privileged action calls: who did what to whom, and when.
import type { DbExecutor } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import type { AuditAction } from "./audit-vocabulary";

export interface AuditEvent {
  actorId: string | null;
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export async function recordAudit(db: DbExecutor, event: AuditEvent, now: Date = new Date()): Promise<string> {
  const id = newId("aud");
  await db
    .insertInto("audit_log")
    .values({
      id,
      actor_id: event.actorId,
      action: event.action,
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      details: JSON.stringify(event.details ?? {}),
      ip: event.ip ?? null,
      created_at: now.toISOString(),
    })
    .execute();
  return id;
}
