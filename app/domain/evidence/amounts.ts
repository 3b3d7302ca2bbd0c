// Money and counts as integers: dollars become micro-dollars without passing through floats.
const DECIMAL = /^\s*(-?)(\d*)(?:\.(\d*))?\s*$/;

/**
 * "12.3456789" → 12_345_679 micro-dollars (half up); null when it is not a plain decimal. An
 * amount too large to count exactly comes back as ±Infinity: it is absurd, not malformed.
 */
export function dollarsToMicros(text: string): number | null {
  const match = DECIMAL.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) return null;
  const whole = match[2] === "" ? 0 : Number(match[2]);
  const fraction = (match[3] ?? "").padEnd(7, "0");
  let micros = whole * 1_000_000 + Number(fraction.slice(0, 6));
  if (Number(fraction[6]) >= 5) micros += 1;
  if (!Number.isSafeInteger(micros)) micros = Number.POSITIVE_INFINITY;
  return match[1] === "-" ? -micros : micros;
}

/** A JSON number of dollars (the API sends floats) rounded to micro-dollars. */
export function jsonDollarsToMicros(value: number): number {
  return Math.round(value * 1_000_000);
}

const DIGITS = /^\s*[-+]?\d+\s*$/;

/**
 * A CSV cell holding a whole number; "" is null, anything else not an integer is NaN. Digits
 * beyond what a double holds become ±Number.MAX_VALUE, so they read as absurdly large, not as
 * "not a number".
 */
export function integerCell(text: string | undefined): number | null {
  if (text === undefined || text === "") return null;
  const value = +text;
  if (Number.isInteger(value)) return value;
  if ((value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) && DIGITS.test(text)) return value > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  return Number.NaN;
}

export const DAY_SECONDS = 86_400;

export function dayIndexOf(isoDay: string): number {
  return Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / 1000 / DAY_SECONDS);
}

export function isoDayOf(dayIndex: number): string {
  return new Date(dayIndex * DAY_SECONDS * 1000).toISOString().slice(0, 10);
}
