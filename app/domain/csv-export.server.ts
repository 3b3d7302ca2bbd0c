// CSV that is safe to open in a spreadsheet: RFC 4180 quoting by csv-stringify, and every cell
// that a spreadsheet would read as a formula (= + - @, or a leading tab / carriage return) is
// neutralized with a leading apostrophe (OWASP "CSV injection").
import { stringify } from "csv-stringify/sync";

const FORMULA_TRIGGERS = new Set(["=", "+", "-", "@", "\t", "\r"]);

export function neutralizeCell(value: string): string {
  return value.length > 0 && FORMULA_TRIGGERS.has(value[0]!) ? `'${value}` : value;
}

export type CsvCell = string | number | null | undefined;

/** A header row and data rows as one CSV document (CRLF line ends, quotes where needed). */
export function toSafeCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const cells = [header, ...rows].map((row) =>
    row.map((cell) => {
      if (cell === null || cell === undefined) return "";
      // Numbers stay numbers: a negative amount is data, not a formula.
      if (typeof cell === "number") return String(cell);
      return neutralizeCell(cell);
    }),
  );
  return stringify(cells, { record_delimiter: "windows", quoted_match: /[",\r\n]/ });
}
