import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitClaim } from "~/domain/claims.server";
import { getVerifiedUsage } from "~/domain/evidence/index.server";
import { getDb } from "~/lib/db.server";
import { resetEnvForTests } from "~/lib/env.server";
import { action as loginAction } from "~/routes/login";
import { loader as evidenceLoader } from "~/routes/account.evidence._index";
import { loader as detailLoader } from "~/routes/account.evidence.$evidenceId";
import { action as uploadAction } from "~/routes/account.evidence.upload";
import { loader as reviewLoader } from "~/routes/staff.claims.$id";
import { loader as supportAccountLoader } from "~/routes/support.accounts.$accountId";
import { corruptPdf, encryptedInvoicePdf, invoicePdf, letterPdf } from "../fixtures/invoice-pdf";
import { call, cookieHeader, createUser, fullSessionCookie } from "./helpers";

const MAX_BYTES = 24 * 1024;
// glm: 1,333,333 tokens per US dollar (README, app/providers/glm.ts).
const GLM_RATE = 1_333_333;

beforeAll(() => {
  process.env.EVIDENCE_MAX_BYTES = String(MAX_BYTES);
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.EVIDENCE_MAX_BYTES;
  resetEnvForTests();
});

async function signIn(role: "developer" | "staff" | "support" = "developer") {
  const user = await createUser({ role });
  // Operators have passed their second factor; a developer logs in through the form.
  if (role !== "developer") return { user, cookie: await fullSessionCookie(user.id) };
  const login = await call(loginAction, "/login", { form: { email: user.email, password: user.password } });
  return { user, cookie: cookieHeader(login.setCookies) };
}

function upload(cookie: string, bytes: Uint8Array, options: { name?: string; orgId?: string; json?: boolean } = {}) {
  const form = new FormData();
  form.append("orgId", options.orgId ?? "");
  form.append("file", new Blob([new Uint8Array(bytes)], { type: "application/pdf" }), options.name ?? "Invoice-A1B2C3D4-0001.pdf");
  return call(uploadAction, "/account/evidence/upload", { body: form, cookie, headers: options.json ? { Accept: "application/json" } : {} });
}

async function uploadAndOpen(cookie: string, bytes: Uint8Array, options: { name?: string; orgId?: string } = {}) {
  const outcome = await upload(cookie, bytes, options);
  expect(outcome.status).toBe(303);
  const evidenceId = outcome.location!.split("/").pop()!;
  const detail = await call(detailLoader, outcome.location!, { cookie, params: { evidenceId } });
  expect(detail.status).toBe(200);
  return { evidenceId, ...detail.data };
}

const tenDollars = (invoiceNumber: string, period = "Jun 1 – Jun 30, 2024") =>
  invoicePdf({ invoiceNumber, amountDue: "$10.00 USD", items: [{ description: "ChatGPT API usage", period: `API usage — ${period}`, amount: "$10.00" }] });

describe("OpenAI invoice upload through the route", () => {
  it("stores an invoice with its facts; its month counts through the conversion and it is flagged", async () => {
    const { user, cookie } = await signIn();
    const { evidenceId, evidence, invoice } = await uploadAndOpen(cookie, await invoicePdf({ orgId: "org-Invoice0000000001" }));
    expect(evidence).toMatchObject({ kind: "openai_invoice", status: "accepted", fileName: "Invoice-A1B2C3D4-0001.pdf", orgId: "org-Invoice0000000001", periodStart: "2024-06-01", periodEnd: "2024-06-30", costMicros: 123_450_000 });
    expect(evidence.flags.map((flag: { code: string }) => flag.code)).toEqual(["invoice_only"]);
    expect(invoice).toMatchObject({ invoiceNumber: "A1B2C3D4-0001", amountMinor: 12_345, currency: "USD", billTo: "Acme Robotics Ltd", countedTokens: 164_599_958, tokensPerUsd: GLM_RATE });

    const usage = await getVerifiedUsage(getDb(), user.id);
    expect(usage.months).toEqual([{ month: "2024-06", inputTokens: 0, outputTokens: 0, totalTokens: 164_599_958, costMicros: 123_450_000, invoiceTokens: 164_599_958 }]);
    expect(usage.flags).toEqual([{ code: "invoice_only", evidenceId }]);
    expect(usage.orgIds).toEqual(["org-Invoice0000000001"]);

    const page = await call(evidenceLoader, "/account/evidence", { cookie });
    expect(page.data.pieces[0]).toMatchObject({ kind: "openai_invoice", tokens: 164_599_958 });
    expect(page.data.combined.totalTokens).toBe(164_599_958);
    const days = await getDb().selectFrom("evidence_usage_days").select(["day", "model", "cost_micros"]).where("evidence_id", "=", evidenceId).execute();
    expect(days).toHaveLength(30);
    expect(days.reduce((sum, day) => sum + Number(day.cost_micros), 0)).toBe(123_450_000);
  });

  it("never auto-approves a claim resting on an invoice, even under the auto-approve limit", async () => {
    const { user, cookie } = await signIn();
    await uploadAndOpen(cookie, await tenDollars("C0FFEE01-0001"));
    // $10 → 13,333,330 tokens in June; averaged over three months ≈ 4.4M, under the 10M limit.
    const result = await submitClaim(getDb(), user.id);
    expect(result).toEqual({ ok: true, claimId: expect.any(String), status: "pending" });
    const claim = await getDb().selectFrom("claims").select(["offered_tokens", "flags"]).where("account_id", "=", user.id).executeTakeFirstOrThrow();
    expect(Number(claim.offered_tokens)).toBe(Math.floor(13_333_330 / 3));
    expect(JSON.parse(claim.flags)).toEqual([expect.objectContaining({ code: "evidence_flag", detail: "invoice_only" })]);

    const staff = await signIn("staff");
    const claimId = result.ok ? result.claimId : "";
    const review = await call(reviewLoader, `/staff/claims/${claimId}`, { cookie: staff.cookie, params: { id: claimId } });
    expect(review.status).toBe(200);
    expect(review.data.invoices).toEqual([expect.objectContaining({ invoiceNumber: "C0FFEE01-0001", amountMinor: 1_000, currency: "USD", periodStart: "2024-06-01", periodEnd: "2024-06-30", countedTokens: 13_333_330 })]);
    expect(review.data.usage.months).toEqual([expect.objectContaining({ month: "2024-06", totalTokens: 13_333_330, invoiceTokens: 13_333_330 })]);

    const support = await signIn("support");
    const story = await call(supportAccountLoader, `/support/accounts/${user.id}`, { cookie: support.cookie, params: { accountId: user.id } });
    expect(story.status).toBe(200);
    expect(story.data.story.evidence[0]).toMatchObject({ kind: "openai_invoice", countedTokens: 13_333_330, summary: { invoice: { invoiceNumber: "C0FFEE01-0001" } } });
  });

  it("flags the same invoice number on another account, and counts an account's own re-upload once", async () => {
    const first = await signIn();
    const second = await signIn();
    const bytes = await tenDollars("DUPE0001-0001");
    await uploadAndOpen(first.cookie, bytes);
    // Re-generated (other bytes, same number) so it is the invoice number that matches, not the file.
    const again = await uploadAndOpen(first.cookie, await tenDollars("DUPE0001-0001", "Jun 1 – Jun 30, 2024"));
    expect(again.evidence.flags.map((flag: { code: string }) => flag.code)).toEqual(["invoice_only"]);
    expect(again.evidence.summary.alreadyUploaded).toBe(true);
    const firstUsage = await getVerifiedUsage(getDb(), first.user.id);
    expect(firstUsage.months.map((month) => month.totalTokens)).toEqual([13_333_330]);
    expect(firstUsage.duplicateOf).toEqual([]);

    const copy = await uploadAndOpen(second.cookie, await tenDollars("dupe0001-0001"));
    expect(copy.evidence.status).toBe("accepted");
    expect(copy.evidence.flags.map((flag: { code: string }) => flag.code)).toEqual(["invoice_only", "duplicate_invoice_number"]);
    const secondUsage = await getVerifiedUsage(getDb(), second.user.id);
    expect(secondUsage.duplicateOf).toEqual([{ evidenceId: copy.evidenceId, otherAccountId: first.user.id, reason: "fingerprint" }]);
    // Looked up again later, the first account now sees the second as well.
    const laterFirst = await getVerifiedUsage(getDb(), first.user.id);
    expect(new Set(laterFirst.duplicateOf.map((duplicate) => duplicate.otherAccountId))).toEqual(new Set([second.user.id]));
  });

  it("rejects what is not a readable OpenAI invoice with a clear reason, never a 500, saving nothing else", async () => {
    const { user, cookie } = await signIn();
    const cases: Array<[Uint8Array, string]> = [
      [await letterPdf(), "not_openai_invoice"],
      [await encryptedInvoicePdf(), "pdf_encrypted"],
      [corruptPdf(), "pdf_unreadable"],
      [await tenDollars("OLD00001-0001", "Mar 1 – Mar 31, 2023"), "nothing_in_window"],
      [await invoicePdf({ amountDue: "$5.00 MXN", total: "$5.00 MXN" }), "invoice_currency_unsupported"],
    ];
    for (const [bytes, code] of cases) {
      const { evidence } = await uploadAndOpen(cookie, bytes);
      expect([evidence.kind, evidence.status, evidence.reasons.map((reason: { code: string }) => reason.code)]).toEqual(["openai_invoice", "rejected", [code]]);
    }
    const days = await getDb()
      .selectFrom("evidence_usage_days")
      .innerJoin("evidence", "evidence.id", "evidence_usage_days.evidence_id")
      .select("evidence_usage_days.day")
      .where("evidence.user_id", "=", user.id)
      .execute();
    expect(days).toEqual([]);
    expect((await getVerifiedUsage(getDb(), user.id)).months).toEqual([]);
  });

  it("applies the size cap to PDFs, stopping mid-stream", async () => {
    const { cookie } = await signIn();
    const padded = await PDFDocument.load(await invoicePdf());
    // Incompressible padding in the metadata: the file passes the sniffed head, then the cap.
    padded.setSubject(Array.from({ length: 4000 }, (_, index) => ((index * 2654435761) >>> 0).toString(36)).join(" "));
    const bytes = await padded.save();
    expect(bytes.length).toBeGreaterThan(MAX_BYTES);
    const outcome = await upload(cookie, bytes, { json: true });
    expect(outcome.status).toBe(200);
    const evidenceId = outcome.data.location.split("/").pop();
    const detail = await call(detailLoader, outcome.data.location, { cookie, params: { evidenceId } });
    expect(detail.data.evidence).toMatchObject({ kind: "openai_invoice", status: "rejected", reasons: [{ code: "too_large", params: { limitMb: 0 } }] });
  });
});
