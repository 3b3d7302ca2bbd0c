// zod schemas for the evidence forms; messages are i18n keys.
import { z } from "zod";
import { ORG_ID } from "./flags";

export const declaredOrgIdSchema = z
  .string()
  .trim()
  .max(80, "evidence.errors.orgIdFormat")
  .transform((value) => (value === "" ? null : value))
  .refine((value) => value === null || ORG_ID.test(value), "evidence.errors.orgIdFormat");

export const apiReadSchema = z.object({
  intent: z.literal("read_api"),
  adminKey: z
    .string({ required_error: "evidence.errors.adminKeyRequired" })
    .trim()
    .min(1, "evidence.errors.adminKeyRequired")
    .max(300, "evidence.errors.adminKeyFormat")
    .regex(/^sk-[A-Za-z0-9_-]{16,}$/, "evidence.errors.adminKeyFormat"),
  orgId: declaredOrgIdSchema.optional().default(""),
});
