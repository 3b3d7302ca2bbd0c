// Rows of the dashboard's cost export: amounts to micro-dollars, line items to models, org ids noted.
import { z } from "zod";
import { dollarsToMicros } from "./amounts";
import { columnsOf, timeCell, type RowHandler } from "./completions-export";
import { modelOfLineItem, ORG_ID } from "./flags";
import type { UsageAccumulator } from "./usage-accumulator";

export const costRowSchema = z.object({
  startTime: z.number().int().min(0).safe(),
  // ±Infinity (an amount too large to count) passes here and is refused as absurd by the accumulator.
  costMicros: z.number().refine((value) => !Number.isNaN(value)),
  currency: z.string().regex(/^(usd)?$/i),
  lineItem: z.string().max(300),
  orgId: z.union([z.literal(""), z.string().regex(ORG_ID)]),
});

const problemOfField: Record<string, string> = {
  startTime: "bad_time",
  costMicros: "bad_amount",
  currency: "not_usd",
  orgId: "bad_org_id",
};

const columnOfField: Record<string, string> = {
  startTime: "start_time",
  costMicros: "amount_value",
  currency: "amount_currency",
  lineItem: "line_item",
  orgId: "organization_id",
};

export function costRowHandler(index: Map<string, number>, width: number, accumulator: UsageAccumulator): RowHandler {
  const column = (name: string) => index.get(name) ?? -1;
  const start = column("start_time");
  const startIso = column("start_time_iso");
  const amount = column("amount_value");
  const currency = column("amount_currency");
  const lineItem = column("line_item");
  const orgId = column("organization_id");
  return {
    columns: columnsOf(start, startIso, amount, currency, lineItem, orgId),
    onRow: (record, fieldCount, line) => {
      if (fieldCount !== width) {
        accumulator.rejectRow("wrong_field_count", line, { expected: width, found: fieldCount });
        return;
      }
      // OpenAI leaves the amount empty on a day without spend: zero, noted in the summary.
      const amountCell = (record[amount] ?? "").trim();
      if (amountCell === "") accumulator.noteEmptyCell("amount_value");
      const parsed = costRowSchema.safeParse({
        startTime: timeCell(start >= 0 ? record[start] : undefined, startIso >= 0 ? record[startIso] : undefined),
        costMicros: amountCell === "" ? 0 : (dollarsToMicros(amountCell) ?? Number.NaN),
        currency: currency >= 0 ? record[currency]!.trim() : "",
        lineItem: lineItem >= 0 ? record[lineItem]! : "",
        orgId: orgId >= 0 ? record[orgId]!.trim() : "",
      });
      if (!parsed.success) {
        const field = String(parsed.error.issues[0]?.path[0] ?? "");
        accumulator.rejectRow(problemOfField[field] ?? "bad_number", line, { column: columnOfField[field] ?? field });
        return;
      }
      const row = parsed.data;
      if (row.orgId !== "") accumulator.noteOrgId(row.orgId);
      accumulator.addCost(line, row.startTime, modelOfLineItem(row.lineItem), row.costMicros);
    },
  };
}
