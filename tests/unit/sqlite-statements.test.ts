// Kept prepared statements (app/lib/db.server.ts) answer as fresh ones would: other parameters,
// the same SQL after a streamed query over it was broken off, and a table changed after a statement was kept.
import { sql } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createDatabase, type Db } from "~/lib/db.server";

let db: Db;
beforeEach(async () => {
  db = createDatabase(":memory:");
  await sql`create table things (id integer primary key, name text not null)`.execute(db);
  await sql`insert into things (id, name) values (1, 'one'), (2, 'two'), (3, 'three')`.execute(db);
});
afterEach(async () => {
  await db.destroy();
});

const nameOf = (id: number) => sql<{ name: string }>`select name from things where id = ${id}`.execute(db).then((result) => result.rows[0]?.name);

it("answers each run with its own parameters", async () => {
  expect(await nameOf(1)).toBe("one");
  expect(await nameOf(2)).toBe("two");
  expect(await nameOf(9)).toBeUndefined();
  await sql`update things set name = ${"uno"} where id = ${1}`.execute(db);
  expect(await nameOf(1)).toBe("uno");
});

it("runs the same SQL again after a streamed query over it was broken off", async () => {
  const query = () => db.selectFrom("things" as never).select("name" as never).orderBy("id" as never);
  for await (const row of query().stream()) {
    expect((row as { name: string }).name).toBe("one");
    break;
  }
  expect(((await query().execute()) as Array<{ name: string }>).map((one) => one.name)).toEqual(["one", "two", "three"]);
  const streamed: string[] = [];
  for await (const row of query().stream()) streamed.push((row as { name: string }).name);
  expect(streamed).toEqual(["one", "two", "three"]);
});

it("sees a column added after the statement was kept", async () => {
  const all = () => sql<Record<string, unknown>>`select * from things where id = ${1}`.execute(db).then((result) => result.rows[0]);
  expect(await all()).toEqual({ id: 1, name: "one" });
  await sql`alter table things add column colour text`.execute(db);
  await sql`update things set colour = 'red' where id = 1`.execute(db);
  expect(await all()).toEqual({ id: 1, name: "one", colour: "red" });
});
