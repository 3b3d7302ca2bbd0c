// The one place that reads process.env: parsed once with zod, failing loudly with the variable's name.
import type { KeyObject } from "node:crypto";
import { availableParallelism } from "node:os";
import { z } from "zod";
import { logLevelSchema, nodeEnvSchema, trustProxySchema } from "./env-fields.server";
import { parsePublishedKeys } from "./secret-scanning-keys.server";
import { DEFAULT_SQLITE_CHECKPOINT_MS } from "./sqlite-checkpointer.server";

const booleanFlag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((value) => value === "1" || value === "true" || value === "yes");

/** Payment methods Checkout may offer for top-ups (STRIPE_PAYMENT_METHODS). */
export const CHECKOUT_PAYMENT_METHODS = ["card", "alipay", "wechat_pay"] as const;
export type CheckoutPaymentMethod = (typeof CHECKOUT_PAYMENT_METHODS)[number];

const envSchema = z.object({
  NODE_ENV: nodeEnvSchema,
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  APP_URL: z.string().url().optional(),
  DATABASE_URL: z
    .string()
    .min(1)
    .default("./data/ferry.sqlite")
    .refine(
      (value) => !/^[a-z]+:\/\//i.test(value) || /^postgres(ql)?:\/\//i.test(value),
      "must be a SQLite file path or a postgres:// URL",
    ),
  PROVIDER: z.enum(["glm", "qwen", "ernie"]).default("glm"),
  APP_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  MAIL_FROM: z.string().min(3).default("Ferry <no-reply@ferry.localhost>"),
  // Number of proxy hops in front of Ferry, or their addresses/CIDRs (Express's `trust proxy`).
  TRUST_PROXY: trustProxySchema,
  // Unset: SMTP when SMTP_URL is set, else the dev outbox (refused in production). `log-redacted`
  // sends nothing and logs only who would have received what kind of mail (never a code or link).
  MAIL_TRANSPORT: z.enum(["smtp", "outbox", "log-redacted"]).optional(),
  DEMO: booleanFlag,
  LOG_MAIL: booleanFlag,
  // Usage evidence (issue 3)
  EVIDENCE_MAX_BYTES: z.coerce.number().int().min(1024).default(50 * 1024 * 1024),
  PROGRAM_WINDOW_START: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD").default("2023-07-01"),
  PROGRAM_WINDOW_END: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD").default("2024-07-09"),
  OPENAI_API_BASE_URL: z.string().url().default("https://api.openai.com"),
  OPENAI_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(20_000),
  // Service tokens the API gateway sends (comma-separated, several for rotation); unset = gateway API off.
  GATEWAY_TOKENS: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((token) => token.trim()).filter(Boolean))
    .refine((tokens) => tokens.every((token) => token.length >= 24), "every token needs at least 24 characters"),
  // Ferry's metering proxy as developers reach it (issue #16), e.g. https://api.example.com/v1: adds the
  // "through Ferry" snippets. Unset: the provider's gateway meters keys and only its base URL is shown.
  PROXY_PUBLIC_URL: z.string().url().optional(),
  // Grant policy overrides (issue #4): unset → the provider profile's default; the admin settings win over these.
  GRANT_MULTIPLIER_PERCENT: z.coerce.number().int().optional(),
  GRANT_AVERAGE_MONTHS: z.coerce.number().int().optional(),
  GRANT_FLOOR_TOKENS: z.coerce.number().int().optional(),
  GRANT_CAP_TOKENS: z.coerce.number().int().optional(),
  GRANT_PROMO_EXPIRY_DAYS: z.coerce.number().int().optional(),
  GRANT_AUTO_APPROVE_LIMIT_TOKENS: z.coerce.number().int().optional(),
  GRANT_LARGE_GRANT_LIMIT_TOKENS: z.coerce.number().int().optional(),
  // Usage records (issue #15): raw per-request rows are kept this many days; the daily roll-up stays.
  USAGE_RECORD_RETENTION_DAYS: z.coerce.number().int("must be a whole number of days").min(1).max(3650).default(90),
  // Operations (issue #13): time limits on database work, shutdown, logs, metrics.
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(3_000),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  // The ledger's debit batch as a server-side prepared statement (parsed and planned once per
  // connection). "off" for PgBouncer in transaction mode older than 1.21 or without max_prepared_statements.
  DB_PREPARED_STATEMENTS: z.enum(["on", "off"], { message: 'must be "on" or "off"' }).default("on"),
  // better-sqlite3 waits for a lock synchronously, freezing the event loop: keep the wait short.
  SQLITE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(5_000).default(100),
  // How often a worker thread checkpoints the SQLite WAL (0 = SQLite's own, inside a commit).
  SQLITE_CHECKPOINT_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_SQLITE_CHECKPOINT_MS),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // Sign-ins and second-step codes one address may try per 15 minutes (an office behind one NAT).
  SIGN_IN_ATTEMPTS_PER_IP: z.coerce.number().int().min(10).max(100_000).default(100),
  // Server processes on one port (node:cluster): 1 = this process serves; "auto" = one per CPU.
  WEB_CONCURRENCY: z
    .union([z.literal("auto"), z.coerce.number().int().min(1).max(64)])
    .default(1)
    .transform((value) => (value === "auto" ? availableParallelism() : value)),
  LOG_LEVEL: logLevelSchema,
  // Bearer token for GET /metrics; unset = /metrics answers 404.
  METRICS_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  // GitHub secret scanning partner program: the verification keys as GitHub publishes them (JSON);
  // unset = /api/secret-scanning/github answers 404.
  SECRET_SCANNING_PUBLIC_KEYS: z
    .string()
    .optional()
    .transform((value, ctx): Map<string, KeyObject> => {
      if (!value) return new Map();
      const keys = parsePublishedKeys(value);
      if (typeof keys === "string") {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: keys });
        return z.NEVER;
      }
      return keys;
    }),
  // Paid top-ups: off unless STRIPE_SECRET_KEY is set.
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_[A-Za-z0-9_]+$/, "must be a Stripe secret key (sk_… or rk_…)").optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9_]+$/, "must be a webhook signing secret (whsec_…)").optional(),
  STRIPE_API_BASE_URL: z
    .string()
    .url()
    .regex(/^https?:\/\/[^/]+\/?$/, "must be an origin like https://api.stripe.com, without a path")
    .optional(),
  // What Checkout offers. Unset: Stripe's dashboard decides. Alipay and WeChat Pay are one-time
  // payments only (top-ups are), and only where the Stripe account has them activated.
  STRIPE_PAYMENT_METHODS: z
    .string()
    .transform((value) => value.split(",").map((method) => method.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.enum(CHECKOUT_PAYMENT_METHODS, { errorMap: () => ({ message: `each must be one of ${CHECKOUT_PAYMENT_METHODS.join(", ")}` }) }))
        .min(1, "list at least one payment method")
        .refine((methods) => methods.includes("card"), "must include card (Alipay and WeChat Pay are offered next to cards)")
        .refine((methods) => new Set(methods).size === methods.length, "lists a payment method twice"),
    )
    .optional(),
});

export type MailTransport = "smtp" | "outbox" | "log-redacted";
export type Env = z.infer<typeof envSchema> & { isProduction: boolean; appSecret: string; mailTransport: MailTransport };

const DEVELOPMENT_SECRET = "ferry-development-secret-not-for-production-use";

/** Published in the README so a demo key can be made to spend credit with curl. Demo mode only (refused in production). */
export const DEMO_GATEWAY_TOKEN = "ferry-demo-gateway-token-published-in-readme";

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
      .join("\n");
    throw new Error(`Invalid environment variables:\n${problems}`);
  }
  const env = result.data;
  const isProduction = env.NODE_ENV === "production";
  if (isProduction && !env.APP_SECRET) {
    throw new Error("Invalid environment variables:\n  APP_SECRET: required in production (32+ random characters)");
  }
  if (isProduction && env.DEMO) {
    throw new Error("Invalid environment variables:\n  DEMO: demo accounts are never created in production");
  }
  const mailTransport = env.MAIL_TRANSPORT ?? (env.SMTP_URL ? "smtp" : "outbox");
  if (mailTransport === "smtp" && !env.SMTP_URL) {
    throw new Error("Invalid environment variables:\n  SMTP_URL: required when MAIL_TRANSPORT=smtp");
  }
  if (isProduction && mailTransport === "outbox") {
    throw new Error(
      "Invalid environment variables:\n  SMTP_URL: required in production (or MAIL_TRANSPORT=log-redacted to run without sending mail)",
    );
  }
  if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
    throw new Error("Invalid environment variables:\n  STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set");
  }
  if (env.STRIPE_PAYMENT_METHODS && !env.STRIPE_SECRET_KEY) {
    throw new Error("Invalid environment variables:\n  STRIPE_PAYMENT_METHODS: needs STRIPE_SECRET_KEY (top-ups are off without it)");
  }
  const gatewayTokens = env.DEMO && !env.GATEWAY_TOKENS.includes(DEMO_GATEWAY_TOKEN) ? [...env.GATEWAY_TOKENS, DEMO_GATEWAY_TOKEN] : env.GATEWAY_TOKENS;
  return { ...env, GATEWAY_TOKENS: gatewayTokens, isProduction, mailTransport, appSecret: env.APP_SECRET ?? DEVELOPMENT_SECRET };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests change the environment between suites; production never calls this. */
export function resetEnvForTests() {
  cached = undefined;
}
