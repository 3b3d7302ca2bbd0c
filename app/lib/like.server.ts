// `column LIKE 'prefix%'` with the user's text taken literally, the same on SQLite and PostgreSQL.
import { sql, type Expression, type SqlBool } from "kysely";

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export function startsWith(column: string, prefix: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${`${escapeLike(prefix)}%`} escape '\\'`;
}
