// POST target of the upload form: the file part is verified while it streams in, never buffered.
import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { saveEvidence } from "~/domain/evidence/index.server";
import { declaredOrgIdSchema } from "~/domain/evidence/forms.server";
import { kindHintOf, verifyOptionsFromEnv, verifyUpload } from "~/domain/evidence/verify.server";
import type { EvidenceOutcome } from "~/domain/evidence/types";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { MultipartError, multipartBoundary, readMultipart } from "~/lib/multipart.server";
import { hitRateLimits, RATE_LIMITS, retryAfterHeader } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["evidence"] };

const MAX_TEXT_FIELD_BYTES = 1024;

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

type UploadRead = { outcome: EvidenceOutcome; fileName: string } | { failure: "evidence.errors.orgIdFormat" | "evidence.errors.noFile" | "evidence.errors.badUpload" };

/** Reads the form up to its file and verifies that one file; nothing after it is read (the organization's upload reuses it). */
export async function readUpload(request: Request): Promise<UploadRead> {
  const boundary = multipartBoundary(request.headers.get("Content-Type") ?? "");
  if (!boundary || !request.body) return { failure: "evidence.errors.noFile" };
  const fields: Record<string, string> = {};
  try {
    for await (const part of readMultipart(request.body, boundary)) {
      if (part.filename === null) {
        fields[part.name] = await readSmallField(part.data);
        continue;
      }
      if (part.name !== "file" || part.filename === "") break;
      // The org id field comes before the file in the form, so it is known while the file streams.
      const declared = declaredOrgIdSchema.safeParse(fields.orgId ?? "");
      if (!declared.success) return { failure: "evidence.errors.orgIdFormat" };
      const kindHint = kindHintOf(part.filename);
      const outcome = await verifyUpload(part.data, { ...verifyOptionsFromEnv(declared.data), ...(kindHint ? { kindHint } : {}) });
      return { outcome, fileName: part.filename };
    }
  } catch (error) {
    if (error instanceof MultipartError) return { failure: "evidence.errors.badUpload" };
    throw error;
  }
  return { failure: "evidence.errors.noFile" };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const wantsJson = (request.headers.get("Accept") ?? "").includes("application/json");
  const fail = (formError: string, status: number, params: Record<string, string | number> = {}) => {
    const headers = status === 429 ? retryAfterHeader(Number(params.seconds)) : undefined;
    if (wantsJson) return data({ ok: false as const, formError, params }, { status, headers });
    return redirect(`/account/evidence?${new URLSearchParams({ error: formError })}`, { status: 303 });
  };
  const db = getDb();
  const limit = await hitRateLimits(db, [[RATE_LIMITS.evidenceUploadPerAccount, user.id]]);
  if (!limit.allowed) return fail("errors.rateLimited", 429, { seconds: limit.retryAfterSeconds });

  const read = await readUpload(request);
  if ("failure" in read) return fail(read.failure, 400);
  const stored = await saveEvidence(db, { userId: user.id, fileName: read.fileName, outcome: read.outcome });
  const location = `/account/evidence/${stored.id}`;
  if (wantsJson) return data({ ok: true as const, location, status: stored.status });
  return redirect(location, { status: 303 });
}
