// The developer's usage roll-up as a streamed, spreadsheet-safe CSV, with the page's filters.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { usageCsvStream, usageFilterInput, usageFilterSchema } from "~/domain/usage/query.server";
import { requireUser } from "~/lib/auth.server";
import { csvDownload } from "~/lib/csv-response.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const parsed = usageFilterSchema.safeParse(usageFilterInput(new URL(request.url).searchParams));
  if (!parsed.success) return new Response("Bad Request: invalid filter", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return csvDownload(usageCsvStream(getDb(), user.id, parsed.data), "ferry-usage");
}
