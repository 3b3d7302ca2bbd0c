// The proxy's configuration, read once from the environment and checked with zod. In process (the
// default) the proxy shares the portal's database, so the portal's own variables apply as well
// (app/lib/env.server.ts); over HTTP it needs only these.
import { z } from "zod";
import { logLevelSchema, nodeEnvSchema, trustProxySchema } from "~/lib/env-fields.server";

const milliseconds = (fallback: number, max = 3_600_000) => z.coerce.number().int().min(100).max(max).default(fallback);

const proxyEnvSchema = z
  .object({
    NODE_ENV: nodeEnvSchema,
    PROXY_PORT: z.coerce.number().int().min(1).max(65535).default(8787),
    PROXY_HOST: z.string().min(1).default("0.0.0.0"),
    PROVIDER: z.enum(["glm", "qwen", "ernie"]).default("glm"),
    UPSTREAM_BASE_URL: z.string().url().refine((value) => /^https?:\/\//.test(value), "must be an http(s) URL"),
    UPSTREAM_API_KEY: z.string().min(1),
    UPSTREAM_CONNECTIONS: z.coerce.number().int().min(1).max(4096).default(256),
    UPSTREAM_HEADERS_TIMEOUT_MS: milliseconds(120_000),
    UPSTREAM_BODY_TIMEOUT_MS: milliseconds(120_000),
    PROXY_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
    PROXY_METERING: z.enum(["in-process", "http"]).optional(),
    FERRY_GATEWAY_URL: z.string().url().optional(),
    FERRY_GATEWAY_TOKEN: z.string().min(24, "must be at least 24 characters (one of the portal's GATEWAY_TOKENS)").optional(),
    FERRY_GATEWAY_TIMEOUT_MS: milliseconds(10_000, 120_000),
    PROXY_OUTBOX: z.enum(["database", "file"]).optional(),
    PROXY_OUTBOX_FILE: z.string().min(1).default("./data/proxy-outbox.sqlite"),
    PROXY_OUTBOX_RETRY_MS: milliseconds(5_000),
    // How long an authorize answer is reused for the same key, model and client address (0: never).
    PROXY_AUTH_CACHE_MS: z.coerce.number().int().min(0).max(5_000).default(250),
    // How long finished requests' debits wait to be written together (0: each on its own).
    PROXY_DEBIT_GROUP_MS: z.coerce.number().int().min(0).max(1_000).default(10),
    // In process on SQLite: WAL checkpoints in a worker thread this often (0: SQLite's own, in the commit).
    PROXY_SQLITE_CHECKPOINT_MS: z.coerce.number().int().min(0).max(60_000).default(200),
    SHUTDOWN_TIMEOUT_MS: milliseconds(10_000, 600_000),
    LOG_LEVEL: logLevelSchema,
    TRUST_PROXY: trustProxySchema,
  })
  .transform((env) => {
    const metering = env.PROXY_METERING ?? (env.FERRY_GATEWAY_URL ? "http" : "in-process");
    return { ...env, metering, outbox: env.PROXY_OUTBOX ?? (metering === "http" ? "file" : "database") } as const;
  })
  .superRefine((env, ctx) => {
    if (env.metering === "http" && !env.FERRY_GATEWAY_URL) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["FERRY_GATEWAY_URL"], message: "required when PROXY_METERING=http" });
    if (env.metering === "http" && !env.FERRY_GATEWAY_TOKEN) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["FERRY_GATEWAY_TOKEN"], message: "required when metering over HTTP" });
    if (env.metering === "http" && env.outbox === "database") ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["PROXY_OUTBOX"], message: "a proxy metering over HTTP has no database: use file" });
  });

export type ProxyEnv = z.infer<typeof proxyEnvSchema>;

export function parseProxyEnv(source: Record<string, string | undefined>): ProxyEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = proxyEnvSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid environment variables for the proxy:\n${problems}`);
  }
  return result.data;
}
