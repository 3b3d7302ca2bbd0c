// Normalization: every parser feeds rows here; out come per-day × per-model totals, flags and reasons.
import { ABSURD_COST_MICROS_PER_ROW, ABSURD_TOKENS_PER_ROW, hasSpikeBeforeCutoff, isKnownModel } from "./flags";
import { DAY_SECONDS, dayIndexOf, isoDayOf } from "./amounts";
import { FindingLog } from "./findings";
import { modelsOf, monthsOf } from "./combine";
import { usageFingerprint } from "./fingerprint";
import type { DayUsage, EvidenceKind, EvidenceOutcome, EvidenceSummary, ProgramWindow } from "./types";

interface DayEntry {
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  requests: number;
}

export interface AccumulatorOptions {
  window: ProgramWindow;
  now: Date;
  /** The org id the user typed, checked against any the file carries. */
  declaredOrgId?: string | null;
}

export interface FileFacts {
  kind: EvidenceKind;
  fileSha256: string | null;
  fileBytes: number;
  missingColumns?: string[];
  delimiter?: string;
  pages?: number;
  /** How the bytes were unpacked: compression, text encoding, the archive entry read. */
  summary?: Pick<EvidenceSummary, "compression" | "encoding" | "archiveEntry">;
}

export class UsageAccumulator {
  readonly reasons = new FindingLog();
  readonly flags = new FindingLog();
  rowCount = 0;
  outsideWindowRows = 0;
  private readonly emptyCells = new Map<string, number>();
  private readonly byModel = new Map<string, Map<number, DayEntry>>();
  private readonly modelKnown = new Map<string, boolean>();
  private readonly orgIds = new Map<string, number>();
  private readonly windowStartDay: number;
  private readonly windowEndDay: number;
  private readonly todayDay: number;

  constructor(private readonly options: AccumulatorOptions) {
    this.windowStartDay = dayIndexOf(options.window.start);
    this.windowEndDay = dayIndexOf(options.window.end);
    this.todayDay = Math.floor(options.now.getTime() / 1000 / DAY_SECONDS);
  }

  /** Where the row's day lands; false when it does not count (future, outside the window). */
  private countsDay(day: number, line: number): boolean {
    if (day > this.todayDay) {
      this.reasons.add("future_date", line);
      return false;
    }
    if (day < this.windowStartDay || day > this.windowEndDay) {
      this.outsideWindowRows += 1;
      return false;
    }
    return true;
  }

  private entry(model: string, day: number): DayEntry {
    let days = this.byModel.get(model);
    if (!days) {
      days = new Map();
      this.byModel.set(model, days);
    }
    let entry = days.get(day);
    if (!entry) {
      entry = { inputTokens: 0, outputTokens: 0, costMicros: 0, requests: 0 };
      days.set(day, entry);
    }
    return entry;
  }

  private noteModel(model: string, line: number) {
    let known = this.modelKnown.get(model);
    if (known === undefined) {
      known = isKnownModel(model);
      this.modelKnown.set(model, known);
    }
    if (!known) this.flags.add("unknown_model", line, { model });
  }

  /** One usage row: start time in Unix seconds, counts already validated as integers. */
  addUsage(
    line: number,
    startTime: number,
    model: string,
    inputTokens: number,
    outputTokens: number,
    requests: number,
    cachedTokens: number | null,
    uncachedTokens: number | null,
  ): void {
    this.rowCount += 1;
    // Usage is never negative, and no organization spends this much in a day: a forged or
    // broken file, refused with every such line listed under its own reason.
    if (inputTokens < 0 || outputTokens < 0 || requests < 0 || (cachedTokens ?? 0) < 0 || (uncachedTokens ?? 0) < 0) {
      this.reasons.add("negative_count", line);
      return;
    }
    if (inputTokens > ABSURD_TOKENS_PER_ROW || outputTokens > ABSURD_TOKENS_PER_ROW || requests > ABSURD_TOKENS_PER_ROW) {
      this.reasons.add("absurd_count", line);
      return;
    }
    if (
      (cachedTokens !== null && cachedTokens > inputTokens) ||
      (cachedTokens !== null && uncachedTokens !== null && cachedTokens + uncachedTokens !== inputTokens)
    ) {
      this.flags.add("totals_mismatch", line);
    }
    const day = Math.floor(startTime / DAY_SECONDS);
    if (!this.countsDay(day, line)) return;
    this.noteModel(model, line);
    const entry = this.entry(model, day);
    entry.inputTokens += inputTokens;
    entry.outputTokens += outputTokens;
    entry.requests += requests;
  }

  /** One cost row: start time in Unix seconds, amount in micro-dollars. */
  addCost(line: number, startTime: number, model: string, costMicros: number): void {
    this.rowCount += 1;
    if (costMicros < 0) {
      this.reasons.add("negative_count", line);
      return;
    }
    if (costMicros > ABSURD_COST_MICROS_PER_ROW) {
      this.reasons.add("absurd_count", line);
      return;
    }
    const day = Math.floor(startTime / DAY_SECONDS);
    if (!this.countsDay(day, line)) return;
    this.entry(model, day).costMicros += costMicros;
  }

  /** A row that failed validation: counted as read, reported, and it rejects the file. */
  rejectRow(code: string, line: number, params?: Record<string, string | number>): void {
    this.rowCount += 1;
    this.reasons.add(code, line, params);
  }

  /** A numeric cell OpenAI left empty (a day without spend): read as zero, and said so. */
  noteEmptyCell(column: string): void {
    this.emptyCells.set(column, (this.emptyCells.get(column) ?? 0) + 1);
  }

  noteOrgId(orgId: string): void {
    this.orgIds.set(orgId, (this.orgIds.get(orgId) ?? 0) + 1);
  }

  private resolveOrgId(): string | null {
    const declared = this.options.declaredOrgId ?? null;
    const found = [...this.orgIds.keys()];
    if (found.length > 1) {
      this.reasons.add("mixed_org_ids", undefined, { orgIds: found.slice(0, 5).join(", ") });
      return null;
    }
    if (found.length === 1 && declared && found[0] !== declared) {
      this.reasons.add("org_id_mismatch", undefined, { declared, found: found[0]! });
      return null;
    }
    return found[0] ?? declared;
  }

  finish(facts: FileFacts): EvidenceOutcome {
    const days: DayUsage[] = [];
    const dailyTokens = new Map<number, number>();
    for (const [model, byDay] of this.byModel) {
      for (const [day, entry] of byDay) {
        days.push({ day: isoDayOf(day), model, ...entry });
        dailyTokens.set(day, (dailyTokens.get(day) ?? 0) + entry.inputTokens + entry.outputTokens);
      }
    }
    days.sort((a, b) => (a.day === b.day ? (a.model < b.model ? -1 : 1) : a.day < b.day ? -1 : 1));
    const orgId = this.resolveOrgId();
    if (this.reasons.size === 0) {
      if (this.rowCount === 0) this.reasons.add("no_rows");
      else if (days.length === 0) this.reasons.add("nothing_in_window", undefined, { start: this.options.window.start, end: this.options.window.end });
    }
    if (hasSpikeBeforeCutoff(dailyTokens, this.windowEndDay)) this.flags.add("spike_before_cutoff");
    const accepted = this.reasons.size === 0;
    const totals = days.reduce(
      (sum, row) => ({ input: sum.input + row.inputTokens, output: sum.output + row.outputTokens, cost: sum.cost + row.costMicros }),
      { input: 0, output: 0, cost: 0 },
    );
    return {
      kind: facts.kind,
      status: accepted ? "accepted" : "rejected",
      reasons: this.reasons.list(),
      flags: this.flags.list(),
      fileSha256: facts.fileSha256,
      fileBytes: facts.fileBytes,
      fingerprint: accepted ? usageFingerprint(days) : null,
      orgId,
      // A rejected file counts for nothing: no period, no totals.
      periodStart: accepted ? (days[0]?.day ?? null) : null,
      periodEnd: accepted ? (days.at(-1)?.day ?? null) : null,
      rowCount: this.rowCount,
      inputTokens: accepted ? totals.input : 0,
      outputTokens: accepted ? totals.output : 0,
      costMicros: accepted ? totals.cost : 0,
      days: accepted ? days : [],
      summary: {
        missingColumns: facts.missingColumns ?? [],
        outsideWindowRows: this.outsideWindowRows,
        ...(this.emptyCells.size > 0 ? { emptyCells: Object.fromEntries(this.emptyCells) } : {}),
        ...(facts.delimiter ? { delimiter: facts.delimiter } : {}),
        ...(facts.pages !== undefined ? { pages: facts.pages } : {}),
        ...facts.summary,
        months: accepted ? monthsOf(days) : [],
        models: accepted ? modelsOf(days) : [],
      },
    };
  }
}

/** A rejection decided before any row was read (too big, not a CSV, wrong columns…). */
export function refusedOutcome(
  facts: FileFacts,
  reasons: Array<{ code: string; params?: Record<string, string | number>; lines?: number[] }>,
): EvidenceOutcome {
  return {
    kind: facts.kind,
    status: "rejected",
    reasons: reasons.map((reason) => ({ code: reason.code, count: 1, lines: reason.lines ?? [], ...(reason.params ? { params: reason.params } : {}) })),
    flags: [],
    fileSha256: facts.fileSha256,
    fileBytes: facts.fileBytes,
    fingerprint: null,
    orgId: null,
    periodStart: null,
    periodEnd: null,
    rowCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    costMicros: 0,
    days: [],
    summary: { missingColumns: facts.missingColumns ?? [], outsideWindowRows: 0, ...facts.summary, months: [], models: [] },
  };
}
