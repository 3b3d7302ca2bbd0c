// `column LIKE 'prefix%'` with the user's text taken literally and case-sensitively, the same on
// SQLite and PostgreSQL, and able to use an index on both.
import { sql, type Expression, type SqlBool } from "kysely";
import { dialectOf, type DbExecutor } from "./db.server";

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * PostgreSQL: LIKE (case-sensitive; a `text_pattern_ops` index serves it).
 * SQLite: LIKE is case-insensitive there and never uses a plain index, so a byte-order range
 * (which the column's index serves) narrows it and keeps it case-sensitive.
 */
export function startsWith(db: DbExecutor, column: string, prefix: string): Expression<SqlBool> {
  const like = sql<SqlBool>`${sql.ref(column)} like ${`${escapeLike(prefix)}%`} escape '\\'`;
  if (dialectOf(db) === "postgres") return like;
  return sql<SqlBool>`(${sql.ref(column)} >= ${prefix} and ${sql.ref(column)} < ${`${prefix}\u{10FFFF}`} and ${like})`;
}
