import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { DatabaseBusyError, DatabaseUnavailableError, databaseTroubleOf } from "~/lib/database-errors.server";

describe("database trouble", () => {
  it("calls SQLite's busy error (another connection holds the write lock) busy", () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-busy-"));
    const holder = new SQLite(join(dir, "x.sqlite"));
    const waiter = new SQLite(join(dir, "x.sqlite"), { timeout: 0 });
    holder.exec("BEGIN IMMEDIATE");
    let busy: unknown;
    try {
      waiter.exec("BEGIN IMMEDIATE");
    } catch (error) {
      busy = error;
    } finally {
      holder.close();
      waiter.close();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(databaseTroubleOf(busy)).toBeInstanceOf(DatabaseBusyError);
    expect(databaseTroubleOf(Object.assign(new Error("x"), { code: "SQLITE_LOCKED_SHAREDCACHE" }))).toBeInstanceOf(DatabaseBusyError);
  });

  it.each([
    ["57014", DatabaseBusyError], // statement_timeout
    ["55P03", DatabaseBusyError], // lock_timeout
    ["57P01", DatabaseUnavailableError], // terminated by administrator
    ["08006", DatabaseUnavailableError], // connection failure
    ["ECONNREFUSED", DatabaseUnavailableError],
  ])("classifies code %s", (code, kind) => {
    expect(databaseTroubleOf(Object.assign(new Error("x"), { code }))).toBeInstanceOf(kind);
  });

  it("recognizes a dropped connection, a refusal inside an AggregateError and a wrapped cause", () => {
    expect(databaseTroubleOf(new Error("Connection terminated unexpectedly"))).toBeInstanceOf(DatabaseUnavailableError);
    const refused = new AggregateError([Object.assign(new Error("connect"), { code: "ECONNREFUSED" })]);
    expect(databaseTroubleOf(refused)).toBeInstanceOf(DatabaseUnavailableError);
    expect(databaseTroubleOf(new Error("outer", { cause: Object.assign(new Error("inner"), { code: "55P03" }) }))).toBeInstanceOf(DatabaseBusyError);
  });

  it("leaves bugs and constraint violations alone", () => {
    expect(databaseTroubleOf(new TypeError("undefined is not a function"))).toBeNull();
    expect(databaseTroubleOf(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBeNull();
    expect(databaseTroubleOf(Object.assign(new Error("constraint"), { code: "SQLITE_CONSTRAINT_UNIQUE" }))).toBeNull();
    expect(databaseTroubleOf("a string")).toBeNull();
  });
});
