// Feeds CSV text, chunk by chunk, to the row handlers; nothing is held but the current line.
//
// Hot path: an export's rows rarely contain a quote, and a line without one is exactly its
// fields split on the delimiter (RFC 4180). Those lines are split directly; every record that
// has a quote anywhere (quoted commas, embedded line breaks, escaped quotes) is parsed by
// csv-parse. This keeps a million-row export well above csv-parse's own speed.
import { StringDecoder } from "node:string_decoder";
import { CsvError } from "csv-parse";
import { parse as parseCsv } from "csv-parse/sync";
import { completionsRowHandler, type RowHandler } from "./completions-export";
import { costRowHandler } from "./cost-export";
import { inspectHeader } from "./csv-columns";
import type { UsageAccumulator } from "./usage-accumulator";
import type { EvidenceKind } from "./types";

/** A record longer than this (1 MiB) is not a usage row; it stops the read. */
export const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * Copies the wanted fields of a quote-free line into `cells` (by column position) and returns
 * how many fields the line has, without allocating the fields nobody reads.
 */
export function pickFields(line: string, delimiter: string, wanted: number[], cells: string[]): number {
  let start = 0;
  let column = 0;
  let next = 0;
  for (;;) {
    const end = line.indexOf(delimiter, start);
    if (column === wanted[next]) {
      cells[column] = end === -1 ? line.slice(start) : line.slice(start, end);
      next += 1;
    }
    column += 1;
    if (end === -1) return column;
    start = end + 1;
  }
}

function countQuotes(text: string): number {
  let count = 0;
  for (let index = text.indexOf('"'); index !== -1; index = text.indexOf('"', index + 1)) count += 1;
  return count;
}

export class CsvIngest {
  kind: EvidenceKind = "completions_csv";
  missingColumns: string[] = [];
  /** Set when reading must stop: the file is rejected whatever follows. */
  stopped = false;
  private handler: RowHandler | null = null;
  private readonly cells: string[] = [];
  // Invalid UTF-8 becomes U+FFFD and then fails validation where it matters (numbers, dates).
  // StringDecoder keeps characters split across chunks whole, and is several times faster
  // than TextDecoder on ASCII, which is what exports are.
  private readonly decoder = new StringDecoder("utf8");
  private started = false;
  private remainder = "";
  private lineNumber = 0;
  private quoted: { lines: string[]; startLine: number; quotes: number; chars: number } | null = null;

  constructor(
    private readonly accumulator: UsageAccumulator,
    readonly delimiter: string,
  ) {}

  write(chunk: Uint8Array): void {
    if (!this.stopped) this.consume(this.decoder.write(chunk as Buffer), false);
  }

  end(): void {
    if (!this.stopped) this.consume(this.decoder.end(), true);
  }

  private consume(decoded: string, final: boolean) {
    let text = decoded;
    if (!this.started && text !== "") {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const buffer = this.remainder === "" ? text : this.remainder + text;
    let start = 0;
    while (!this.stopped) {
      const newline = buffer.indexOf("\n", start);
      if (newline === -1) break;
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      this.lineNumber += 1;
      this.onLine(buffer.slice(start, end));
      start = newline + 1;
    }
    this.remainder = this.stopped ? "" : buffer.slice(start);
    if (this.remainder.length > MAX_RECORD_CHARS) return this.refuse("line_too_long", this.lineNumber + 1);
    if (!final || this.stopped) return;
    if (this.remainder !== "") {
      const last = this.remainder.endsWith("\r") ? this.remainder.slice(0, -1) : this.remainder;
      this.remainder = "";
      this.lineNumber += 1;
      this.onLine(last);
    }
    if (this.quoted && !this.stopped) this.flushQuoted();
  }

  private onLine(line: string) {
    const quoted = this.quoted;
    if (quoted) {
      quoted.lines.push(line);
      quoted.quotes += countQuotes(line);
      quoted.chars += line.length + 1;
      if (quoted.chars > MAX_RECORD_CHARS) return this.refuse("line_too_long", quoted.startLine);
      if (quoted.quotes % 2 === 0) this.flushQuoted();
      return;
    }
    if (line === "") return;
    if (line.indexOf('"') === -1) {
      if (this.handler) {
        // `cells` is reused: a short row may leave stale values, but its field count rejects it first.
        const fieldCount = pickFields(line, this.delimiter, this.handler.columns, this.cells);
        this.handler.onRow(this.cells, fieldCount, this.lineNumber);
      } else {
        this.onRecord(line.split(this.delimiter), this.lineNumber);
      }
      return;
    }
    this.quoted = { lines: [line], startLine: this.lineNumber, quotes: countQuotes(line), chars: line.length };
    if (this.quoted.quotes % 2 === 0) this.flushQuoted();
  }

  /** A record with quotes, complete (or cut by the end of the file): csv-parse reads it. */
  private flushQuoted() {
    const quoted = this.quoted!;
    this.quoted = null;
    let records: string[][];
    try {
      records = parseCsv(quoted.lines.join("\n"), { delimiter: this.delimiter, relax_column_count: true, skip_empty_lines: true });
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      const relative = (error as CsvError & { lines?: number }).lines ?? 1;
      return this.refuse("malformed_csv", quoted.startLine + Math.max(0, relative - 1), { detail: error.code });
    }
    for (const record of records) this.onRecord(record, quoted.startLine);
  }

  private onRecord(record: string[], line: number) {
    if (this.handler) {
      this.handler.onRow(record, record.length, line);
      return;
    }
    const verdict = inspectHeader(record);
    if (!verdict.ok) {
      // A header that is no export's (rather than an export missing a column) names the file.
      if (verdict.code === "unrecognized_columns" || verdict.code === "too_many_columns") this.kind = "not_export";
      return this.refuse(verdict.code, line, verdict.params);
    }
    this.kind = verdict.kind === "costs" ? "costs_csv" : "completions_csv";
    this.missingColumns = verdict.missingOptional;
    this.handler =
      verdict.kind === "costs"
        ? costRowHandler(verdict.index, record.length, this.accumulator)
        : completionsRowHandler(verdict.index, record.length, this.accumulator);
  }

  private refuse(code: string, line: number, params?: Record<string, string | number>) {
    this.accumulator.reasons.add(code, line, params);
    this.stopped = true;
    this.quoted = null;
  }
}
