// POST target of the upload form: the file part is verified while it streams in, never buffered.
import {
  data,
  redirect,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type UploadHandler,
} from "@remix-run/node";
import { saveEvidence } from "~/domain/evidence/index.server";
import { declaredOrgIdSchema } from "~/domain/evidence/forms";
import { verifyOptionsFromEnv, verifyUpload } from "~/domain/evidence/verify.server";
import type { EvidenceOutcome } from "~/domain/evidence/types";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { hitRateLimits, RATE_LIMITS } from "~/lib/rate-limit.server";

const MAX_TEXT_FIELD_BYTES = 1024;

/** Thrown by the upload handler once the file is verified: nothing after it is read. */
class FileDone extends Error {}

async function readSmallField(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > MAX_TEXT_FIELD_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function loader() {
  return redirect("/account/evidence");
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const wantsJson = (request.headers.get("Accept") ?? "").includes("application/json");
  const fail = (formError: string, status: number, params: Record<string, string | number> = {}) => {
    if (wantsJson) return data({ ok: false as const, formError, params }, { status });
    return redirect(`/account/evidence?${new URLSearchParams({ error: formError })}`, { status: 303 });
  };
  const db = getDb();
  const limit = await hitRateLimits(db, [[RATE_LIMITS.evidenceUploadPerAccount, user.id]]);
  if (!limit.allowed) return fail("errors.rateLimited", 429, { seconds: limit.retryAfterSeconds });

  const fields: Record<string, string> = {};
  let outcome: EvidenceOutcome | null = null;
  let fileName: string | null = null;
  let badOrgId = false;
  const handler: UploadHandler = async (part) => {
    if (typeof part.filename !== "string") {
      fields[part.name] = await readSmallField(part.data);
      return fields[part.name];
    }
    if (part.name !== "file" || outcome || part.filename === "") {
      // Only one file is verified per upload; anything else is not read.
      throw new FileDone();
    }
    // The org id field comes before the file in the form, so it is known while the file streams.
    const declared = declaredOrgIdSchema.safeParse(fields.orgId ?? "");
    if (!declared.success) {
      badOrgId = true;
      throw new FileDone();
    }
    fileName = part.filename;
    const kindHint = /\.json$/i.test(part.filename) ? "usage_api_json" : /\.pdf$/i.test(part.filename) ? "openai_invoice" : "completions_csv";
    outcome = await verifyUpload(part.data, { ...verifyOptionsFromEnv(declared.data), kindHint });
    throw new FileDone();
  };
  try {
    await unstable_parseMultipartFormData(request, handler);
  } catch (error) {
    if (!(error instanceof FileDone) && !(error instanceof TypeError)) throw error;
  }
  if (badOrgId) return fail("evidence.errors.orgIdFormat", 400);
  if (!outcome || !fileName) return fail("evidence.errors.noFile", 400);
  const stored = await saveEvidence(db, { userId: user.id, fileName, outcome });
  const location = `/account/evidence/${stored.id}`;
  if (wantsJson) return data({ ok: true as const, location, status: stored.status });
  return redirect(location, { status: 303 });
}
