// POST target of the organization's upload form: owners and admins add evidence to the
// organization's own ledger row, verified while it streams like an account's upload.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { saveEvidence } from "~/domain/evidence/index.server";
import { getMembership } from "~/domain/organizations.server";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { hitRateLimits, RATE_LIMITS } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";
import { readUpload } from "./account.evidence.upload";

export const handle: RouteHandle = { i18n: ["evidence"] };

export async function loader() {
  return redirect("/account/organization");
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const membership = await getMembership(db, user.id);
  if (!membership) throw new Response("Not Found", { status: 404 });
  if (membership.role === "member") throw new Response("Forbidden", { status: 403 });
  const ledgerAccountId = membership.organization.ledgerAccountId;
  const limit = await hitRateLimits(db, [[RATE_LIMITS.evidenceUploadPerAccount, ledgerAccountId]]);
  if (!limit.allowed) return redirect(`/account/organization?${new URLSearchParams({ error: "errors.rateLimited" })}`, { status: 303 });
  const read = await readUpload(request);
  if ("failure" in read) return redirect(`/account/organization?${new URLSearchParams({ error: read.failure })}`, { status: 303 });
  await saveEvidence(db, { userId: ledgerAccountId, fileName: read.fileName, outcome: read.outcome });
  return redirect("/account/organization", { status: 303 });
}
