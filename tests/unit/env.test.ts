import { describe, expect, it } from "vitest";
import { parseEnv } from "~/lib/env.server";

describe("environment", () => {
  it("has working defaults for a laptop", () => {
    const env = parseEnv({});
    expect(env.PROVIDER).toBe("glm");
    expect(env.DATABASE_URL).toBe("./data/ferry.sqlite");
    expect(env.isProduction).toBe(false);
    expect(env.DEMO).toBe(false);
  });

  it.each([
    [{ PROVIDER: "openai" }, "PROVIDER"],
    [{ PORT: "seventy" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ SMTP_URL: "http://mail" }, "SMTP_URL"],
    [{ APP_URL: "not a url" }, "APP_URL"],
    [{ APP_SECRET: "short" }, "APP_SECRET"],
    [{ NODE_ENV: "production" }, "APP_SECRET"],
    [{ NODE_ENV: "production", APP_SECRET: "x".repeat(40), SMTP_URL: "smtp://mail", DEMO: "1" }, "DEMO"],
    [{ NODE_ENV: "production", APP_SECRET: "x".repeat(40) }, "SMTP_URL"],
    [{ MAIL_TRANSPORT: "smtp" }, "SMTP_URL"],
    [{ MAIL_TRANSPORT: "carrier-pigeon" }, "MAIL_TRANSPORT"],
    [{ METRICS_TOKEN: "too-short" }, "METRICS_TOKEN"],
    [{ SQLITE_BUSY_TIMEOUT_MS: "60000" }, "SQLITE_BUSY_TIMEOUT_MS"],
    [{ SQLITE_CHECKPOINT_MS: "-1" }, "SQLITE_CHECKPOINT_MS"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
  ])("names the variable that is wrong: %j", (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`^Invalid environment variables:\\n  ${name}:`));
  });

  it("accepts a PostgreSQL URL and a SQLite path", () => {
    expect(parseEnv({ DATABASE_URL: "postgres://u@h:5432/db" }).DATABASE_URL).toMatch(/^postgres/);
    expect(parseEnv({ DATABASE_URL: "/var/lib/ferry/ferry.sqlite" }).DATABASE_URL).toBe("/var/lib/ferry/ferry.sqlite");
  });

  it("starts in production only with a mail transport: SMTP, or the explicit log-redacted opt-out", () => {
    const production = { NODE_ENV: "production", APP_SECRET: "x".repeat(40) };
    expect(parseEnv({ ...production, SMTP_URL: "smtp://mail:587" }).mailTransport).toBe("smtp");
    expect(parseEnv({ ...production, MAIL_TRANSPORT: "log-redacted" }).mailTransport).toBe("log-redacted");
    expect(parseEnv({}).mailTransport).toBe("outbox");
  });

  it("has time limits on database work by default and no metrics endpoint without a token", () => {
    const env = parseEnv({});
    expect(env.METRICS_TOKEN).toBeUndefined();
    expect(env.SQLITE_BUSY_TIMEOUT_MS).toBeLessThanOrEqual(250);
    expect(env.DB_STATEMENT_TIMEOUT_MS).toBeGreaterThan(0);
    expect(env.DB_LOCK_TIMEOUT_MS).toBeGreaterThan(0);
    expect(parseEnv({ METRICS_TOKEN: "m".repeat(32) }).METRICS_TOKEN).toBe("m".repeat(32));
  });

  it("prepares the ledger's batch statement on PostgreSQL unless told off (old PgBouncer)", () => {
    expect(parseEnv({}).DB_PREPARED_STATEMENTS).toBe("on");
    expect(parseEnv({ DB_PREPARED_STATEMENTS: "off" }).DB_PREPARED_STATEMENTS).toBe("off");
    expect(() => parseEnv({ DB_PREPARED_STATEMENTS: "false" })).toThrow(/DB_PREPARED_STATEMENTS.*must be "on" or "off"/s);
  });

  it("checkpoints SQLite's WAL in a worker every 500 ms unless told otherwise (0: SQLite's own)", () => {
    expect(parseEnv({}).SQLITE_CHECKPOINT_MS).toBe(500);
    expect(parseEnv({ SQLITE_CHECKPOINT_MS: "0" }).SQLITE_CHECKPOINT_MS).toBe(0);
  });
});
