// Environment variables that the portal (app/lib/env.server.ts) and the metering proxy
// (app/proxy/proxy-env.server.ts) both read: one definition, so the two never disagree.
import { z } from "zod";
import { parseProxyTrust, type ProxyTrust } from "./proxy-trust.server";

/** Number of proxy hops in front of Ferry, or their addresses/CIDRs (Express's `trust proxy`). */
export const trustProxySchema = z
  .string()
  .optional()
  .transform((value, ctx): ProxyTrust => {
    const trust = parseProxyTrust(value);
    if (typeof trust === "string") {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: trust });
      return z.NEVER;
    }
    return trust;
  });

/** NODE_ENV and LOG_LEVEL, read the same way by the portal and the proxy. */
export const nodeEnvSchema = z.enum(["development", "production", "test"]).default("development");
export const logLevelSchema = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional();
