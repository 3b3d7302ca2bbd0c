import { data } from "@remix-run/node";
import type { ZodError } from "zod";
import { fieldErrorsOf, type FormFailure } from "./forms";

export function invalidForm(error: ZodError) {
  return data<FormFailure>({ ok: false, fieldErrors: fieldErrorsOf(error), formError: "errors.invalidForm" }, { status: 400 });
}

export function formFailure(formError: string, status = 400, fieldErrors: Record<string, string> = {}) {
  return data<FormFailure>({ ok: false, fieldErrors, formError }, { status });
}
