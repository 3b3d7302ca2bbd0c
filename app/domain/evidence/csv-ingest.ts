// Feeds CSV bytes, chunk by chunk, through csv-parse into the row handlers; nothing is buffered whole.
import { once } from "node:events";
import { finished } from "node:stream/promises";
import { CsvError, parse, type Parser } from "csv-parse";
import { completionsRowHandler, type RowHandler } from "./completions-export";
import { costRowHandler } from "./cost-export";
import { inspectHeader } from "./csv-columns";
import type { UsageAccumulator } from "./usage-accumulator";
import type { EvidenceKind } from "./types";

/** Thrown inside the parser to stop at a header that cannot be read; turned into a reason. */
class HeaderRefused extends Error {}

export class CsvIngest {
  kind: EvidenceKind = "completions_csv";
  missingColumns: string[] = [];
  /** Set when reading must stop: the file is rejected whatever follows. */
  stopped = false;
  private readonly parser: Parser;
  private handler: RowHandler | null = null;
  private failure: unknown = null;

  constructor(
    private readonly accumulator: UsageAccumulator,
    readonly delimiter: string,
  ) {
    this.parser = parse({
      delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], context: { lines: number }) => {
        if (this.handler) this.handler(record, context.lines);
        else this.readHeader(record);
        return null;
      },
    });
    this.parser.on("error", (error) => {
      this.failure ??= error;
      this.stopped = true;
    });
    this.parser.resume();
  }

  private readHeader(record: string[]) {
    const verdict = inspectHeader(record);
    if (!verdict.ok) {
      this.accumulator.reasons.add(verdict.code, 1, verdict.params);
      throw new HeaderRefused(verdict.code);
    }
    this.kind = verdict.kind === "costs" ? "costs_csv" : "completions_csv";
    this.missingColumns = verdict.missingOptional;
    this.handler =
      verdict.kind === "costs"
        ? costRowHandler(verdict.index, record.length, this.accumulator)
        : completionsRowHandler(verdict.index, record.length, this.accumulator);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.stopped) return;
    const flowing = this.parser.write(chunk);
    if (flowing || this.stopped) return;
    try {
      await Promise.race([once(this.parser, "drain"), once(this.parser, "close")]);
    } catch {
      /* `once` rejects on "error": the error listener has recorded it */
    }
  }

  async end(): Promise<void> {
    if (!this.stopped) {
      this.parser.end();
      try {
        await finished(this.parser);
      } catch {
        /* recorded by the error listener */
      }
    } else {
      this.parser.destroy();
    }
    this.recordFailure();
  }

  private recordFailure() {
    const failure = this.failure;
    if (!failure) return;
    if (failure instanceof HeaderRefused) return;
    if (failure instanceof CsvError) {
      const line = (failure as CsvError & { lines?: number }).lines;
      this.accumulator.reasons.add("malformed_csv", line, { detail: failure.code });
      return;
    }
    // on_record errors other than ours are bugs.
    throw failure;
  }
}
