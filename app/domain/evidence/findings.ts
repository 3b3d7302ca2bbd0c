// Counts problems and flags by code, keeping the first few line numbers of each for the user.
import type { Finding } from "./types";

export const LINES_KEPT_PER_FINDING = 5;

export class FindingLog {
  private readonly byCode = new Map<string, Finding>();

  add(code: string, line?: number, params?: Finding["params"]): void {
    let finding = this.byCode.get(code);
    if (!finding) {
      finding = { code, count: 0, lines: [] };
      if (params) finding.params = params;
      this.byCode.set(code, finding);
    }
    finding.count += 1;
    if (line !== undefined && finding.lines.length < LINES_KEPT_PER_FINDING) finding.lines.push(line);
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  get size(): number {
    return this.byCode.size;
  }

  list(): Finding[] {
    return [...this.byCode.values()];
  }
}
