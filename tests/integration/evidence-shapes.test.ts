// Real exports in their real shapes pass, forgeries do not, through the real routes: empty cells,
// one reason per kind of bad line (seen by the developer, support and staff), any file name,
// gzip/zip/UTF-16 uploads, and the developer removing rejected evidence.
import { gzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { resetEnvForTests } from "~/lib/env.server";
import { loader as auditCsvLoader } from "~/routes/admin.audit[.]csv";
import { loader as evidenceLoader } from "~/routes/account.evidence._index";
import { action as detailAction, loader as detailLoader } from "~/routes/account.evidence.$evidenceId";
import { action as uploadAction } from "~/routes/account.evidence.upload";
import { loader as claimLoader } from "~/routes/staff.claims.$id";
import { loader as accountLoader } from "~/routes/support.accounts.$accountId";
import { column, completionsCsv, costsCsv, ORGS, utf16 } from "../fixtures/usage-fixtures";
import { zipArchive } from "../fixtures/zip-writer";
import { call, cookieHeader, createUser } from "./helpers";
import { createClaimFor } from "./support-fixtures";

const MAX_BYTES = 2 * 1024 * 1024;
const FUTURE = String(Math.floor(Date.now() / 1000) + 40 * 86_400);

beforeAll(() => {
  process.env.EVIDENCE_MAX_BYTES = String(MAX_BYTES);
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.EVIDENCE_MAX_BYTES;
  resetEnvForTests();
});

async function sessionFor(role: "developer" | "support" | "staff" | "admin") {
  const user = await createUser({ role });
  return { user, cookie: cookieHeader([await startSession(user.id, { ip: "203.0.113.7", userAgent: "test" }, "passed")]) };
}

/** A form upload as a browser's FormData sends it. */
function upload(cookie: string, content: string | Buffer, name = "usage.csv") {
  const form = new FormData();
  form.append("orgId", "");
  form.append("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)]), name);
  return call(uploadAction, "/account/evidence/upload", { body: form, cookie, headers: { Accept: "application/json" } });
}

/** A multipart body written by hand, to send Content-Disposition headers exactly as clients do. */
function rawUpload(cookie: string, disposition: string, content: string | Buffer) {
  const boundary = "----ferry7MA4YWxkTrZu0gW";
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="orgId"\r\n\r\n\r\n--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: text/csv\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return call(uploadAction, "/account/evidence/upload", { body, cookie, headers: { Accept: "application/json", "Content-Type": `multipart/form-data; boundary=${boundary}` } });
}

async function stored(location: string) {
  return getDb().selectFrom("evidence").selectAll().where("id", "=", location.split("/").pop()!).executeTakeFirstOrThrow();
}

const forged = () =>
  completionsCsv({
    days: 10,
    seed: 41,
    edit: (fields, index) => {
      if (index === 2 || index === 30) fields[column("input_tokens")] = "-500";
      if (index === 5) fields[column("output_tokens")] = "99999999999999999999";
      if (index === 9) fields[column("start_time")] = FUTURE;
    },
  });

describe("what passes", () => {
  it("accepts a cost export with empty amounts, keeps its org id, and says so", async () => {
    const { cookie } = await sessionFor("developer");
    let empty = 0;
    const outcome = await upload(cookie, costsCsv({ days: 30, seed: 42, orgId: ORGS.bolt, emptyAmountShare: 0.4, onAmount: (amount) => void (amount === "" && (empty += 1)) }), "cost.csv");
    expect(outcome.data).toMatchObject({ ok: true, status: "accepted" });
    const evidenceId = outcome.data.location.split("/").pop();
    const detail = await call(detailLoader, outcome.data.location, { cookie, params: { evidenceId } });
    expect(detail.data.evidence.orgId).toBe(ORGS.bolt);
    expect(detail.data.evidence.summary.emptyCells).toEqual({ amount_value: empty });
  });

  it("accepts gzip, zip and UTF-16 uploads, sniffed by their bytes, not their names", async () => {
    const { cookie } = await sessionFor("developer");
    const text = completionsCsv({ days: 20, seed: 43 });
    const cases: Array<[string, Buffer, Record<string, string>]> = [
      ["usage.csv.gz", gzipSync(text), { compression: "gzip" }],
      ["usage.csv", gzipSync(text), { compression: "gzip" }],
      ["export.zip", zipArchive([{ name: "completions_usage.csv", content: text }]), { compression: "zip", archiveEntry: "completions_usage.csv" }],
      ["unicode.txt", utf16(text, "le"), { encoding: "utf-16le" }],
    ];
    const fingerprints = new Set<string>();
    for (const [name, bytes, summary] of cases) {
      const outcome = await upload(cookie, bytes, name);
      expect(outcome.data.status, name).toBe("accepted");
      const row = await stored(outcome.data.location);
      expect(JSON.parse(row.summary), name).toMatchObject(summary);
      expect(row.file_name).toBe(name);
      fingerprints.add(row.fingerprint!);
    }
    expect(fingerprints.size).toBe(1);
  });

  it("refuses a compression bomb with the cap on unpacked bytes, and a zip of several files", async () => {
    const { cookie } = await sessionFor("developer");
    const bomb = gzipSync(Buffer.concat([Buffer.from("start_time,model,input_tokens,output_tokens\n"), Buffer.alloc(8 * MAX_BYTES, "1704067200,gpt-4o,1,1\n")]));
    const refused = await upload(cookie, bomb, "usage.csv.gz");
    expect(refused.data.status).toBe("rejected");
    expect(JSON.parse((await stored(refused.data.location)).reasons)).toEqual([{ code: "too_large_uncompressed", count: 1, lines: [], params: { limitMb: 2 } }]);
    const several = await upload(cookie, zipArchive([{ name: "a.csv", content: "x" }, { name: "b.csv", content: "y" }]), "two.zip");
    expect(JSON.parse((await stored(several.data.location)).reasons)[0]).toMatchObject({ code: "archive_several_files", params: { count: 2 } });
  });
});

describe("any file name works", () => {
  const long = `${"长".repeat(100)}${"x".repeat(151)}.csv`;
  const cases: Array<[string, string]> = [
    ['form-data; name="file"; filename="a=b.csv"', "a=b.csv"],
    ['form-data; name="file"; filename="=SUM(1+1)*cmd|\' /C calc\'!A0.csv"', "=SUM(1+1)*cmd|' /C calc'!A0.csv"],
    ['form-data; name="file"; filename="say %22hi%22 (2).csv"', 'say "hi" (2).csv'],
    ['form-data; name="file"; filename="say \\"hi\\".csv"', 'say "hi".csv'],
    ['form-data; filename="usage; final = yes.csv"; name="file"', "usage; final = yes.csv"],
    ['form-data; name="file"; filename="用量 导出 2024.csv"', "用量 导出 2024.csv"],
    ["form-data; name=\"file\"; filename=\"fallback.csv\"; filename*=UTF-8''%E7%94%A8%E9%87%8F%3D.csv", "用量=.csv"],
    ['form-data; name="file"; filename="C:\\Users\\ada\\usage.csv"', "usage.csv"],
    [`form-data; name="file"; filename="${long}"`, long],
    [`form-data; name="file"; filename="${long}${"y".repeat(40)}"`, long],
  ];
  it("stores each name as the person sees it, whatever it holds", async () => {
    expect(Array.from(long)).toHaveLength(255);
    const { cookie } = await sessionFor("developer");
    const csv = completionsCsv({ days: 3, seed: 44 });
    for (const [disposition, name] of cases) {
      const outcome = await rawUpload(cookie, disposition, csv);
      expect(outcome.status, disposition).toBe(200);
      expect(outcome.data.status, disposition).toBe("accepted");
      expect((await stored(outcome.data.location)).file_name, disposition).toBe(name);
    }
    // As browsers (and undici's FormData) send them.
    for (const name of ["a=b.csv", '="x".csv', "my usage.csv"]) {
      const outcome = await upload(cookie, csv, name);
      expect((await stored(outcome.data.location)).file_name).toBe(name);
    }
  });

  it("answers a cut-off upload with a clear error, not a 500", async () => {
    const { cookie } = await sessionFor("developer");
    const boundary = "cutoff";
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nstart_time,model,input_tokens,output_tokens\n1704067200,gpt-4o,1,1\n`;
    const outcome = await call(uploadAction, "/account/evidence/upload", { body, cookie, headers: { Accept: "application/json", "Content-Type": `multipart/form-data; boundary=${boundary}` } });
    expect(outcome.status).toBe(400);
    expect(outcome.data.formError).toBe("evidence.errors.badUpload");
  });
});

describe("every bad line with its own reason, for the developer, support and staff", () => {
  it("shows the same translated list everywhere, rejected and removed evidence included", async () => {
    const developer = await sessionFor("developer");
    const good = await upload(developer.cookie, completionsCsv({ days: 20, seed: 45 }));
    const bad = await upload(developer.cookie, forged(), "=forged.csv");
    expect(bad.data.status).toBe("rejected");
    const badId = bad.data.location.split("/").pop();
    const expected = [
      { code: "negative_count", count: 2, lines: [4, 32] },
      { code: "absurd_count", count: 1, lines: [7] },
      { code: "future_date", count: 1, lines: [11] },
    ];
    const detail = await call(detailLoader, bad.data.location, { cookie: developer.cookie, params: { evidenceId: badId } });
    expect(detail.data.evidence.reasons).toEqual(expected);
    expect(detail.data.evidence.kind).toBe("completions_csv");
    const notExport = await upload(developer.cookie, "<!doctype html><title>Sign in</title>", "usage.csv");
    expect((await stored(notExport.data.location)).kind).toBe("not_export");

    const support = await sessionFor("support");
    const story = await call(accountLoader, `/support/accounts/${developer.user.id}`, { cookie: support.cookie, params: { accountId: developer.user.id } });
    const seenBySupport = story.data.story.evidence.find((piece: { id: string }) => piece.id === badId);
    expect(seenBySupport.reasons).toEqual(expected);

    const claimId = await createClaimFor(developer.user.id);
    const staff = await sessionFor("staff");
    const review = await call(claimLoader, `/staff/claims/${claimId}`, { cookie: staff.cookie, params: { id: claimId } });
    expect(review.status).toBe(200);
    expect(review.data.evidence.map((piece: { id: string; status: string }) => [piece.id, piece.status])).toEqual(
      expect.arrayContaining([
        [good.data.location.split("/").pop(), "accepted"],
        [badId, "rejected"],
      ]),
    );
    expect(review.data.evidence.find((piece: { id: string }) => piece.id === badId).reasons).toEqual(expected);
  });
});

describe("removing rejected evidence", () => {
  it("hides it from the developer, keeps it for staff and support marked as removed, and audits it", async () => {
    const developer = await sessionFor("developer");
    const good = await upload(developer.cookie, completionsCsv({ days: 5, seed: 46 }));
    const bad = await upload(developer.cookie, forged(), '=HYPERLINK("http://evil.example")&".csv');
    const goodId = good.data.location.split("/").pop();
    const badId = bad.data.location.split("/").pop();

    const refused = await call(detailAction, good.data.location, { cookie: developer.cookie, params: { evidenceId: goodId }, form: { intent: "remove" } });
    expect(refused.status).toBe(409);
    expect(refused.data.formError).toBe("evidence.errors.notRejected");

    const removed = await call(detailAction, bad.data.location, { cookie: developer.cookie, params: { evidenceId: badId }, form: { intent: "remove" } });
    expect(removed.status).toBe(303);
    expect(removed.location).toBe("/account/evidence?removed=1");
    const list = await call(evidenceLoader, "/account/evidence?removed=1", { cookie: developer.cookie });
    expect(list.data.removed).toBe(true);
    expect(list.data.pieces.map((piece: { id: string }) => piece.id)).toEqual([goodId]);
    expect((await call(detailLoader, bad.data.location, { cookie: developer.cookie, params: { evidenceId: badId } })).status).toBe(404);
    const again = await call(detailAction, bad.data.location, { cookie: developer.cookie, params: { evidenceId: badId }, form: { intent: "remove" } });
    expect(again.status).toBe(404);

    const support = await sessionFor("support");
    const story = await call(accountLoader, `/support/accounts/${developer.user.id}`, { cookie: support.cookie, params: { accountId: developer.user.id } });
    const kept = story.data.story.evidence.find((piece: { id: string }) => piece.id === badId);
    expect(kept.removedAt).toEqual(expect.any(String));
    expect(kept.reasons.map((reason: { code: string }) => reason.code)).toEqual(["negative_count", "absurd_count", "future_date"]);

    const audit = await getDb().selectFrom("audit_log").selectAll().where("action", "=", "evidence.remove").where("target_id", "=", badId).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(developer.user.id);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ fileName: '=HYPERLINK("http://evil.example")&".csv', kind: "completions_csv" });

    // The file name reaches the audit export as text, never as a formula.
    const admin = await sessionFor("admin");
    const csv = await call(auditCsvLoader, `/admin/audit.csv?actor=${developer.user.id}`, { cookie: admin.cookie });
    const rows = parse(String(csv.data).replace(/^\uFEFF/, ""), { columns: true }) as Array<Record<string, string>>;
    const row = rows.find((entry) => entry.action === "evidence.remove")!;
    expect(JSON.parse(row.details!).fileName).toBe('=HYPERLINK("http://evil.example")&".csv');
    for (const entry of rows) for (const cell of Object.values(entry)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
