// Form shapes for API keys. Messages are i18n keys.
import { z } from "zod";
import { EXPIRY_DAY_CHOICES, ROLL_GRACE_HOUR_CHOICES } from "./api-key-choices";


const formToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, "errors.invalidForm");
const optionalPassword = z.string().max(1024, "errors.passwordTooLong").optional();

export const createKeySchema = z.object({
  name: z.string({ required_error: "keys.errors.nameRequired" }).trim().min(1, "keys.errors.nameRequired").max(60, "keys.errors.nameTooLong"),
  expiresInDays: z
    .string()
    .optional()
    .transform((value) => (value ? Number(value) : null))
    .refine((value) => value === null || (EXPIRY_DAY_CHOICES as readonly number[]).includes(value), "keys.errors.expiryInvalid"),
  password: optionalPassword,
  formToken,
});

export const rollKeySchema = z.object({
  graceHours: z
    .string({ required_error: "keys.errors.graceInvalid" })
    .transform(Number)
    .refine((value) => (ROLL_GRACE_HOUR_CHOICES as readonly number[]).includes(value), "keys.errors.graceInvalid"),
  password: optionalPassword,
  formToken,
});

export const revokeKeySchema = z.object({ intent: z.literal("revoke"), keyId: z.string().min(1).max(100) });
