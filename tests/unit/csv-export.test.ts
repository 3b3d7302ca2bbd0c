import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { neutralizeCell, toSafeCsv } from "~/domain/csv-export.server";

describe("spreadsheet-safe CSV", () => {
  it("neutralizes every cell a spreadsheet would run as a formula", () => {
    for (const dangerous of ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]) {
      expect(neutralizeCell(dangerous)).toBe(`'${dangerous}`);
    }
    for (const harmless of ["alice@example.com", "a=b", "", "日本", " =1"]) {
      expect(neutralizeCell(harmless)).toBe(harmless);
    }
  });

  it("quotes per RFC 4180 and reads back to the neutralized values", () => {
    const rows = [
      ['=HYPERLINK("http://x")', 'he said "hi"', "a,b", "line1\nline2", "cr\rhere", null, 42, -7],
    ];
    const csv = toSafeCsv(["a", "b", "c", "d", "e", "f", "g", "h"], rows);
    expect(csv.split("\r\n")[0]).toBe("a,b,c,d,e,f,g,h");
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv).toContain(`"he said ""hi"""`);
    expect(csv.endsWith("\r\n")).toBe(true);
    const parsed = parse(csv, { relax_column_count: false }) as string[][];
    expect(parsed[1]).toEqual(["'=HYPERLINK(\"http://x\")", 'he said "hi"', "a,b", "line1\nline2", "cr\rhere", "", "42", "-7"]);
  });
});
