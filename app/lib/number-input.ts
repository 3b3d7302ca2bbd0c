// Whole numbers as people type them into token and money fields: "1000000", "1,000,000",
// "1 000 000" (any space, the narrow no-break space French keyboards insert included), "1_000_000",
// "1'000'000", and full-width digits and commas from a Chinese input method ("１，０００，０００").
// Separators must split the number into groups of three, so "1,5" (a decimal comma) is refused
// rather than read as fifteen.
import { z } from "zod";

const GROUPED = [/^\d{1,3}(?:,\d{3})+$/, /^\d{1,3}(?: \d{3})+$/, /^\d{1,3}(?:_\d{3})+$/, /^\d{1,3}(?:'\d{3})+$/];

/** The integer `text` spells, or null when it is not one (or is beyond a safe integer). */
export function parseWholeNumber(text: string, options: { signed?: boolean } = {}): number | null {
  // NFKC turns full-width digits and commas into ASCII and every kind of space into " ".
  let body = text.normalize("NFKC").trim().replace(/[’‘]/g, "'");
  let sign = 1;
  if (options.signed && /^[+\-\u2212]/.test(body)) {
    if (body[0] !== "+") sign = -1;
    body = body.slice(1).trimStart();
  }
  body = body.replace(/\s+/g, " ");
  if (!/^\d+$/.test(body) && !GROUPED.some((pattern) => pattern.test(body))) return null;
  const value = Number(body.replace(/\D/g, ""));
  if (!Number.isSafeInteger(value)) return null;
  return sign * value || 0;
}

/** A required whole-number form field; `message` (an i18n key) for anything that is not one. */
export function wholeNumberField(message: string, options: { signed?: boolean } = {}) {
  return z.string({ required_error: message, invalid_type_error: message }).transform((text, ctx) => {
    const value = parseWholeNumber(text, options);
    if (value === null) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return value;
  });
}

/** The same, where an empty field means "not given" (undefined). */
export function optionalWholeNumberField(message: string, options: { signed?: boolean } = {}) {
  return z
    .string({ invalid_type_error: message })
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === "") return undefined;
      const value = parseWholeNumber(text, options);
      if (value === null) {
        ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
      return value;
    });
}
