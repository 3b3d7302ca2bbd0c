// Placeholder: the prepared-statement debit path for SQLite lands in a later commit.
import type { DbExecutor } from "~/lib/db.server";
import type { DebitOperation, DebitUsageResult, StoredDebit } from "../ledger.server";

export type FastDebitOutcome = { kind: "done"; result: DebitUsageResult } | { kind: "replay"; existing: StoredDebit };

export interface SqliteFastPath {
  debit(operation: DebitOperation): FastDebitOutcome;
}

export function sqliteFastPathFor(_db: DbExecutor): SqliteFastPath | null {
  return null;
}
