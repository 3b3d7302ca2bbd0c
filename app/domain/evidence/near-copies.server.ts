// Near-copies of OTHER accounts' usage: sketches stored per accepted evidence, candidates found by
// band-key look-up (an index, never a scan), then an exact comparison of those few candidates.
import type { DbExecutor } from "~/lib/db.server";
import {
  compareSeries,
  decodeValues,
  encodeValues,
  isComparable,
  isNearCopy,
  bandKeys,
  nearbyShifts,
  probeKeys,
  residualFeatures,
  seriesOfDays,
  SIMILARITY,
  type SeriesMatch,
  type UsageSeries,
} from "./similarity";
import type { DayUsage } from "./types";

/** The busiest models of an evidence are enough to catch a copy; this bounds the work per upload. */
const MAX_MODELS_PER_EVIDENCE = 12;
const KEYS_PER_QUERY = 1_000;

export interface NearCopyMatch {
  model: string;
  otherEvidenceId: string;
  otherModel: string;
  otherAccountId: string;
  match: SeriesMatch;
}

function comparableSeries(days: Iterable<DayUsage>) {
  return seriesOfDays(days)
    .map((series) => ({ series, features: residualFeatures(series), total: series.values.reduce((sum, value) => sum + value, 0) }))
    .filter((entry) => isComparable(entry.series, entry.features))
    .sort((a, b) => b.total - a.total)
    .slice(0, MAX_MODELS_PER_EVIDENCE);
}

/** Other accounts' evidence series whose usage this one nearly copies (or is copied by). */
export async function findNearCopies(db: DbExecutor, userId: string, days: Iterable<DayUsage>): Promise<NearCopyMatch[]> {
  const found: NearCopyMatch[] = [];
  for (const { series, features } of comparableSeries(days)) {
    const probes = probeKeys(features);
    const keys = [...probes.keys()];
    const hits = new Map<string, { evidenceId: string; model: string; userId: string; count: number; shifts: Set<number> }>();
    for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
      const rows = await db
        .selectFrom("evidence_sketch_bands")
        .select(["band_key", "evidence_id", "model", "user_id"])
        .where("band_key", "in", keys.slice(start, start + KEYS_PER_QUERY))
        .where("user_id", "!=", userId)
        .execute();
      for (const row of rows) {
        const key = `${row.evidence_id}\u0000${row.model}`;
        let hit = hits.get(key);
        if (!hit) hits.set(key, (hit = { evidenceId: row.evidence_id, model: row.model, userId: row.user_id, count: 0, shifts: new Set() }));
        hit.count += 1;
        for (const shift of probes.get(row.band_key) ?? []) hit.shifts.add(shift);
      }
    }
    const candidates = [...hits.values()].sort((a, b) => b.count - a.count).slice(0, SIMILARITY.maxCandidates);
    if (candidates.length === 0) continue;
    const stored = await db
      .selectFrom("evidence_series")
      .select(["evidence_id", "model", "first_day", "day_values"])
      .where("evidence_id", "in", [...new Set(candidates.map((candidate) => candidate.evidenceId))])
      .execute();
    for (const candidate of candidates) {
      const row = stored.find((entry) => entry.evidence_id === candidate.evidenceId && entry.model === candidate.model);
      if (!row) continue;
      const other: UsageSeries = { model: row.model, firstDay: Number(row.first_day), values: decodeValues(row.day_values) };
      const match = compareSeries(series, other, nearbyShifts(candidate.shifts));
      if (isNearCopy(match)) found.push({ model: series.model, otherEvidenceId: candidate.evidenceId, otherModel: other.model, otherAccountId: candidate.userId, match });
    }
  }
  return found.sort((a, b) => b.match.similarity - a.match.similarity);
}

/** Stores an accepted evidence's series and band keys so later uploads can be compared with it. */
export async function saveSeriesSketches(trx: DbExecutor, input: { evidenceId: string; userId: string; days: Iterable<DayUsage>; now: string }): Promise<void> {
  for (const { series, features } of comparableSeries(input.days)) {
    await trx
      .insertInto("evidence_series")
      .values({ evidence_id: input.evidenceId, model: series.model, user_id: input.userId, first_day: series.firstDay, day_values: encodeValues(series.values), created_at: input.now })
      .execute();
    const keys = [...new Set(bandKeys(features))];
    if (keys.length === 0) continue;
    await trx
      .insertInto("evidence_sketch_bands")
      .values(keys.map((band_key) => ({ band_key, evidence_id: input.evidenceId, model: series.model, user_id: input.userId })))
      .execute();
  }
}

export async function recordNearCopies(trx: DbExecutor, input: { evidenceId: string; userId: string; matches: NearCopyMatch[]; now: string }): Promise<void> {
  if (input.matches.length === 0) return;
  await trx
    .insertInto("evidence_near_copies")
    .values(
      input.matches.map((found) => ({
        evidence_id: input.evidenceId,
        model: found.model,
        other_evidence_id: found.otherEvidenceId,
        other_model: found.otherModel,
        account_id: input.userId,
        other_account_id: found.otherAccountId,
        similarity_bp: Math.round(found.match.similarity * 10_000),
        matching_days: found.match.matchingDays,
        compared_days: found.match.comparedDays,
        scale_ppm: Math.max(1, Math.round(found.match.scale * 1_000_000)),
        shift_days: found.match.shiftDays,
        created_at: input.now,
      })),
    )
    .execute();
}

/** A near-copy seen from one account's side: which of its evidence, which other account, how alike. */
export interface NearCopyLink {
  evidenceId: string;
  model: string;
  otherEvidenceId: string;
  otherModel: string;
  otherAccountId: string;
  similarityPercent: number;
  matchingDays: number;
  comparedDays: number;
  /** This account's usage ≈ scale × the other's. */
  scale: number;
  /** This account's day d lines up with the other's day d + shiftDays. */
  shiftDays: number;
}

/** Near-copies involving any of these evidence ids, whichever side uploaded later. */
export async function nearCopiesOf(db: DbExecutor, accountId: string, evidenceIds: string[]): Promise<NearCopyLink[]> {
  if (evidenceIds.length === 0) return [];
  const rows = await db
    .selectFrom("evidence_near_copies")
    .selectAll()
    .where((eb) => eb.or([eb("evidence_id", "in", evidenceIds), eb("other_evidence_id", "in", evidenceIds)]))
    .execute();
  const links: NearCopyLink[] = [];
  for (const row of rows) {
    const mine = row.account_id === accountId;
    if (mine === (row.other_account_id === accountId)) continue;
    const scale = Number(row.scale_ppm) / 1_000_000;
    links.push({
      evidenceId: mine ? row.evidence_id : row.other_evidence_id,
      model: mine ? row.model : row.other_model,
      otherEvidenceId: mine ? row.other_evidence_id : row.evidence_id,
      otherModel: mine ? row.other_model : row.model,
      otherAccountId: mine ? row.other_account_id : row.account_id,
      similarityPercent: Math.floor(Number(row.similarity_bp) / 100),
      matchingDays: Number(row.matching_days),
      comparedDays: Number(row.compared_days),
      scale: Math.round((mine ? scale : 1 / scale) * 1000) / 1000,
      shiftDays: mine ? Number(row.shift_days) : -Number(row.shift_days),
    });
  }
  return links.sort((a, b) => b.similarityPercent - a.similarityPercent);
}
