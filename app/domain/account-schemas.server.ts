// Form shapes for accounts. Messages are i18n keys; the common-password check is server-side.
import { z } from "zod";

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export const emailField = z
  .string({ required_error: "errors.emailRequired", invalid_type_error: "errors.emailRequired" })
  .trim()
  .min(1, "errors.emailRequired")
  .max(254, "errors.emailInvalid")
  .email("errors.emailInvalid")
  .transform((value) => value.toLowerCase());

// Kept exactly as typed: no trimming, any characters.
export const newPasswordField = z
  .string({ required_error: "errors.passwordRequired", invalid_type_error: "errors.passwordRequired" })
  .min(1, "errors.passwordRequired")
  .refine((value) => [...value].length >= PASSWORD_MIN, "errors.passwordTooShort")
  .refine((value) => [...value].length <= PASSWORD_MAX, "errors.passwordTooLong");

export const existingPasswordField = z
  .string({ required_error: "errors.passwordRequired", invalid_type_error: "errors.passwordRequired" })
  .min(1, "errors.passwordRequired")
  .max(1024, "errors.passwordTooLong");

export const signUpSchema = z.object({ email: emailField, password: newPasswordField });
export const logInSchema = z.object({
  email: emailField,
  password: existingPasswordField,
  redirectTo: z.string().optional(),
});
export const verifySchema = z.object({
  email: emailField,
  code: z
    .string({ required_error: "errors.codeRequired" })
    .trim()
    .regex(/^\d{6}$/, "errors.codeFormat"),
});
export const forgotPasswordSchema = z.object({ email: emailField });
export const resetPasswordSchema = z
  .object({
    token: z.string().min(20, "errors.resetLinkInvalid").max(200, "errors.resetLinkInvalid"),
    password: newPasswordField,
    confirm: z.string(),
    // An unchecked checkbox sends nothing.
    revokeKeys: z
      .literal("on")
      .optional()
      .transform((value) => value === "on"),
  })
  .refine((value) => value.password === value.confirm, { path: ["confirm"], message: "errors.passwordMismatch" });
export const changePasswordSchema = z
  .object({ currentPassword: existingPasswordField, password: newPasswordField, confirm: z.string() })
  .refine((value) => value.password === value.confirm, { path: ["confirm"], message: "errors.passwordMismatch" });
