// Reading and writing evidence records: one atomic insert per verification, and the combined view.
import type { DbExecutor } from "~/lib/db.server";
import type { Evidence, EvidenceKind } from "~/lib/db-schema";
import { newId, nowIso } from "~/lib/ids.server";
import { currentProvider } from "~/lib/provider.server";
import { recordAudit } from "../audit.server";
import { combineDays, modelsOf } from "./combine";
import { countedMonths } from "./invoice-months";
import { findNearCopies, nearCopiesOf, recordNearCopies, saveSeriesSketches, type NearCopyMatch } from "./near-copies.server";
import type { DayUsage, EvidenceOutcome, EvidenceSummary, Finding, VerifiedUsage } from "./types";

const DAY_ROWS_PER_INSERT = 500;

export interface StoredEvidence {
  id: string;
  userId: string;
  kind: EvidenceKind;
  status: "accepted" | "rejected";
  fileName: string | null;
  fileSha256: string | null;
  fileBytes: number;
  fingerprint: string | null;
  orgId: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  rowCount: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  reasons: Finding[];
  flags: Finding[];
  summary: EvidenceSummary;
  /** When the developer removed it (rejected evidence only); null while it is listed. */
  removedAt: string | null;
  createdAt: string;
}

/** At most this many characters of a file name are kept (a common file-system limit). */
export const MAX_FILE_NAME_CHARS = 255;

function toStored(row: Evidence): StoredEvidence {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    status: row.status,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    fileBytes: Number(row.file_bytes),
    fingerprint: row.fingerprint,
    orgId: row.org_id,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    rowCount: Number(row.row_count),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costMicros: Number(row.cost_micros),
    reasons: JSON.parse(row.reasons) as Finding[],
    flags: JSON.parse(row.flags) as Finding[],
    summary: JSON.parse(row.summary) as EvidenceSummary,
    removedAt: row.removed_at,
    createdAt: row.created_at,
  };
}

export interface Duplicate {
  otherAccountId: string;
  otherEvidenceId: string;
  reason: "org_id" | "fingerprint";
}

/** Accepted evidence of OTHER accounts carrying the same org id, normalized fingerprint or file bytes. */
export async function findDuplicates(
  db: DbExecutor,
  userId: string,
  probe: { orgId: string | null; fingerprint: string | null; fileSha256: string | null },
): Promise<Duplicate[]> {
  const duplicates: Duplicate[] = [];
  if (probe.orgId) {
    const rows = await db
      .selectFrom("evidence")
      .select(["id", "user_id"])
      .where("org_id", "=", probe.orgId)
      .where("status", "=", "accepted")
      .where("user_id", "!=", userId)
      .execute();
    for (const row of rows) duplicates.push({ otherAccountId: row.user_id, otherEvidenceId: row.id, reason: "org_id" });
  }
  const hashes = [probe.fingerprint, probe.fileSha256].filter((value): value is string => Boolean(value));
  if (hashes.length > 0) {
    const rows = await db
      .selectFrom("evidence")
      .select(["id", "user_id"])
      .where("status", "=", "accepted")
      .where("user_id", "!=", userId)
      .where((eb) => eb.or([eb("fingerprint", "in", hashes), eb("file_sha256", "in", hashes)]))
      .execute();
    for (const row of rows) duplicates.push({ otherAccountId: row.user_id, otherEvidenceId: row.id, reason: "fingerprint" });
  }
  return duplicates;
}

/**
 * Stores one verification result in a single transaction: the evidence row and, when accepted,
 * its per-day usage. Duplicates with other accounts become flags here, where they can be seen.
 */
export async function saveEvidence(
  db: DbExecutor,
  input: { userId: string; fileName: string | null; outcome: EvidenceOutcome },
): Promise<StoredEvidence> {
  const run = async (trx: DbExecutor) => {
    const { outcome } = input;
    const flags = [...outcome.flags];
    const summary: EvidenceSummary = { ...outcome.summary };
    let nearCopies: NearCopyMatch[] = [];
    if (outcome.status === "accepted") {
      const duplicates = await findDuplicates(trx, input.userId, outcome);
      for (const reason of ["org_id", "fingerprint"] as const) {
        const hits = duplicates.filter((dup) => dup.reason === reason);
        if (hits.length > 0) {
          const code = reason === "org_id" ? "duplicate_org_id" : outcome.kind === "openai_invoice" ? "duplicate_invoice_number" : "duplicate_fingerprint";
          flags.push({ code, count: new Set(hits.map((hit) => hit.otherAccountId)).size, lines: [] });
        }
      }
      const own = outcome.fingerprint
        ? await trx
            .selectFrom("evidence")
            .select("id")
            .where("user_id", "=", input.userId)
            .where("status", "=", "accepted")
            .where("fingerprint", "=", outcome.fingerprint)
            .executeTakeFirst()
        : undefined;
      // The account's own usage again (say, when staff asked for more): counted once, not a flag.
      if (own) summary.alreadyUploaded = true;
      nearCopies = await findNearCopies(trx, input.userId, outcome.days);
      const closest = nearCopies[0];
      if (closest) {
        flags.push({
          code: "near_copy",
          count: new Set(nearCopies.map((found) => found.otherAccountId)).size,
          lines: [],
          params: { similarity: Math.floor(closest.match.similarity * 100), days: closest.match.comparedDays, model: closest.model },
        });
      }
      if (outcome.orgId) {
        const otherOrg = await trx
          .selectFrom("evidence")
          .select("org_id")
          .where("user_id", "=", input.userId)
          .where("status", "=", "accepted")
          .where("org_id", "is not", null)
          .where("org_id", "!=", outcome.orgId)
          .executeTakeFirst();
        // One grant per organization: an account bringing several is for staff to see.
        if (otherOrg?.org_id) flags.push({ code: "several_org_ids", count: 1, lines: [], params: { orgId: otherOrg.org_id } });
      }
    }
    const now = nowIso();
    const row: Evidence = {
      id: newId("evd"),
      user_id: input.userId,
      kind: outcome.kind,
      status: outcome.status,
      // By characters, not UTF-16 units: a name in Chinese or with emoji is never cut mid-character.
      file_name: input.fileName ? Array.from(input.fileName).slice(0, MAX_FILE_NAME_CHARS).join("") : null,
      file_sha256: outcome.fileSha256,
      file_bytes: outcome.fileBytes,
      fingerprint: outcome.fingerprint,
      org_id: outcome.orgId,
      period_start: outcome.periodStart,
      period_end: outcome.periodEnd,
      row_count: outcome.rowCount,
      input_tokens: outcome.inputTokens,
      output_tokens: outcome.outputTokens,
      cost_micros: outcome.costMicros,
      reasons: JSON.stringify(outcome.reasons),
      flags: JSON.stringify(flags),
      summary: JSON.stringify(summary),
      removed_at: null,
      created_at: now,
    };
    await trx.insertInto("evidence").values(row).execute();
    if (outcome.status === "accepted") {
      for (let start = 0; start < outcome.days.length; start += DAY_ROWS_PER_INSERT) {
        const batch = outcome.days.slice(start, start + DAY_ROWS_PER_INSERT).map((day) => ({
          evidence_id: row.id,
          day: day.day,
          model: day.model,
          input_tokens: day.inputTokens,
          output_tokens: day.outputTokens,
          cost_micros: day.costMicros,
          requests: day.requests,
          created_at: now,
        }));
        await trx.insertInto("evidence_usage_days").values(batch).execute();
      }
      await saveSeriesSketches(trx, { evidenceId: row.id, userId: input.userId, days: outcome.days, now });
      await recordNearCopies(trx, { evidenceId: row.id, userId: input.userId, matches: nearCopies, now });
    }
    return toStored(row);
  };
  if ("isTransaction" in db && db.isTransaction) return run(db);
  return db.transaction().execute(run);
}

/** An account's evidence, newest first. What the developer removed is left out unless asked for (staff, support). */
export async function listEvidence(db: DbExecutor, userId: string, options: { includeRemoved?: boolean } = {}): Promise<StoredEvidence[]> {
  let query = db.selectFrom("evidence").selectAll().where("user_id", "=", userId);
  if (!options.includeRemoved) query = query.where("removed_at", "is", null);
  const rows = await query.orderBy("created_at", "desc").orderBy("id").execute();
  return rows.map(toStored);
}

/** One piece of evidence, only when it belongs to the given account and was not removed. */
export async function getEvidence(db: DbExecutor, userId: string, evidenceId: string): Promise<StoredEvidence | null> {
  const row = await db
    .selectFrom("evidence")
    .selectAll()
    .where("id", "=", evidenceId)
    .where("user_id", "=", userId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return row ? toStored(row) : null;
}

export type RemoveEvidenceResult = { ok: true } | { ok: false; reason: "not_found" | "not_rejected" };

/**
 * The developer removes a rejected piece of evidence from their list. A soft delete: the row,
 * its reasons and its file hash stay for staff and support, and the removal is audited in the
 * same transaction. Accepted evidence backs claims and cannot be removed.
 */
export async function removeRejectedEvidence(
  db: DbExecutor,
  input: { userId: string; evidenceId: string; ip?: string | null },
  now: Date = new Date(),
): Promise<RemoveEvidenceResult> {
  const run = async (trx: DbExecutor): Promise<RemoveEvidenceResult> => {
    const row = await trx
      .selectFrom("evidence")
      .select(["id", "status", "kind", "file_name", "reasons"])
      .where("id", "=", input.evidenceId)
      .where("user_id", "=", input.userId)
      .where("removed_at", "is", null)
      .executeTakeFirst();
    if (!row) return { ok: false, reason: "not_found" };
    if (row.status !== "rejected") return { ok: false, reason: "not_rejected" };
    const updated = await trx
      .updateTable("evidence")
      .set({ removed_at: now.toISOString() })
      .where("id", "=", row.id)
      .where("removed_at", "is", null)
      .executeTakeFirst();
    // A double click: the first removal won, this one changes nothing.
    if (Number(updated.numUpdatedRows) === 0) return { ok: false, reason: "not_found" };
    const reasons = (JSON.parse(row.reasons) as Finding[]).map((reason) => reason.code);
    await recordAudit(
      trx,
      { actorId: input.userId, action: "evidence.remove", targetType: "evidence", targetId: row.id, details: { kind: row.kind, fileName: row.file_name, reasons }, ip: input.ip ?? null },
      now,
    );
    return { ok: true };
  };
  if ("isTransaction" in db && db.isTransaction) return run(db);
  return db.transaction().execute(run);
}

export async function hasAcceptedEvidence(db: DbExecutor, accountId: string): Promise<boolean> {
  const row = await db.selectFrom("evidence").select("id").where("user_id", "=", accountId).where("status", "=", "accepted").executeTakeFirst();
  return Boolean(row);
}

async function acceptedDays(db: DbExecutor, accountId: string): Promise<DayUsage[]> {
  const rows = await db
    .selectFrom("evidence_usage_days as d")
    .innerJoin("evidence as e", "e.id", "d.evidence_id")
    .select(["d.day", "d.model", "d.input_tokens", "d.output_tokens", "d.cost_micros", "d.requests"])
    .where("e.user_id", "=", accountId)
    .where("e.status", "=", "accepted")
    .execute();
  return rows.map((row) => ({
    day: row.day,
    model: row.model,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costMicros: Number(row.cost_micros),
    requests: Number(row.requests),
  }));
}

/** The account's accepted evidence combined per day and model, for display. */
export async function getCombinedUsage(db: DbExecutor, accountId: string) {
  const days = combineDays(await acceptedDays(db, accountId));
  return { days, months: countedMonths(days, currentProvider().invoiceTokensPerUsd), models: modelsOf(days) };
}

/**
 * All ACCEPTED evidence of an account combined: months with overlapping days counted once
 * (invoices converted to tokens at the provider's rate, see invoice-months.ts),
 * the org ids and fingerprints seen, every flag, and every other account sharing an org id
 * or fingerprint. The claims policy reads usage only through this function.
 */
export async function getVerifiedUsage(db: DbExecutor, accountId: string): Promise<VerifiedUsage> {
  const accepted = await db
    .selectFrom("evidence")
    .select(["id", "org_id", "fingerprint", "file_sha256", "flags"])
    .where("user_id", "=", accountId)
    .where("status", "=", "accepted")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const days = accepted.length === 0 ? [] : combineDays(await acceptedDays(db, accountId));
  const flags: VerifiedUsage["flags"] = [];
  const duplicateOf: VerifiedUsage["duplicateOf"] = [];
  const seenDuplicate = new Set<string>();
  for (const piece of accepted) {
    for (const flag of JSON.parse(piece.flags) as Finding[]) {
      // Older records flagged an account's re-upload of its own usage; that is no reason to review.
      if (flag.code !== "already_uploaded") flags.push({ code: flag.code, evidenceId: piece.id });
    }
    // Looked up now, not only at upload: the other account may have uploaded after this one.
    const duplicates = await findDuplicates(db, accountId, { orgId: piece.org_id, fingerprint: piece.fingerprint, fileSha256: piece.file_sha256 });
    for (const dup of duplicates) {
      const key = `${piece.id}|${dup.otherAccountId}|${dup.reason}`;
      if (seenDuplicate.has(key)) continue;
      seenDuplicate.add(key);
      duplicateOf.push({ evidenceId: piece.id, otherAccountId: dup.otherAccountId, reason: dup.reason });
    }
  }
  for (const link of await nearCopiesOf(db, accountId, accepted.map((piece) => piece.id))) {
    const key = `${link.evidenceId}|${link.otherAccountId}|near_copy`;
    if (seenDuplicate.has(key)) continue;
    seenDuplicate.add(key);
    duplicateOf.push({ evidenceId: link.evidenceId, otherAccountId: link.otherAccountId, reason: "near_copy", nearCopy: link });
  }
  const unique = (values: Array<string | null>) => [...new Set(values.filter((value): value is string => Boolean(value)))];
  return {
    months: countedMonths(days, currentProvider().invoiceTokensPerUsd),
    orgIds: unique(accepted.map((piece) => piece.org_id)),
    fingerprints: unique(accepted.map((piece) => piece.fingerprint)),
    evidenceIds: accepted.map((piece) => piece.id),
    flags,
    duplicateOf,
  };
}
