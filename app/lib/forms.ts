// Helpers shared by every form: zod errors become i18n keys per field.
import type { ZodError } from "zod";

export interface FormFailure {
  ok: false;
  fieldErrors: Record<string, string>;
  formError?: string;
  retryAfterSeconds?: number;
}

export function fieldErrorsOf(error: ZodError): Record<string, string> {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    fieldErrors[field] ??= issue.message;
  }
  return fieldErrors;
}

/** FormData to a plain object of strings; files and repeated keys are left to callers that expect them. */
export function formFields(formData: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value === "string" && !(key in fields)) fields[key] = value;
  }
  return fields;
}
