import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getVerifiedUsage } from "~/domain/evidence/index.server";
import { getDb } from "~/lib/db.server";
import { resetEnvForTests } from "~/lib/env.server";
import { action as loginAction } from "~/routes/login";
import { loader as dashboardLoader } from "~/routes/account._index";
import { action as evidenceAction, loader as evidenceLoader } from "~/routes/account.evidence._index";
import { loader as detailLoader } from "~/routes/account.evidence.$evidenceId";
import { action as uploadAction } from "~/routes/account.evidence.upload";
import { completionsCsv, costsCsv, expectedTotals, ORGS } from "../fixtures/usage-fixtures";
import { startOpenAiStandIn, STAND_IN_KEY, type StandIn } from "../fixtures/openai-stand-in";
import { call, cookieHeader, createUser } from "./helpers";

const FIXTURES = new URL("../fixtures/evidence/", import.meta.url);
let standIn: StandIn;

beforeAll(async () => {
  standIn = await startOpenAiStandIn({ days: 20, startDay: "2024-03-01" });
  process.env.OPENAI_API_BASE_URL = standIn.baseUrl;
  // Generous: a loaded machine must not turn a good answer into a timeout. Only the stall case
  // below shortens it, and that answer never comes.
  process.env.OPENAI_API_TIMEOUT_MS = "30000";
  process.env.EVIDENCE_MAX_BYTES = String(2 * 1024 * 1024);
  resetEnvForTests();
});
afterAll(async () => {
  await standIn.close();
  delete process.env.OPENAI_API_BASE_URL;
  delete process.env.OPENAI_API_TIMEOUT_MS;
  delete process.env.EVIDENCE_MAX_BYTES;
  resetEnvForTests();
});

async function signIn() {
  const user = await createUser();
  const login = await call(loginAction, "/login", { form: { email: user.email, password: user.password } });
  return { user, cookie: cookieHeader(login.setCookies) };
}

function upload(cookie: string, content: string | Buffer, options: { name?: string; orgId?: string; json?: boolean } = {}) {
  const form = new FormData();
  form.append("orgId", options.orgId ?? "");
  form.append("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)]), options.name ?? "usage.csv");
  return call(uploadAction, "/account/evidence/upload", { body: form, cookie, headers: options.json ? { Accept: "application/json" } : {} });
}

async function countEvidence() {
  const rows = await getDb().selectFrom("evidence").select("id").execute();
  const days = await getDb().selectFrom("evidence_usage_days").select("evidence_id").execute();
  return { evidence: rows.length, days: days.length };
}

describe("evidence upload", () => {
  it("needs a signed-in user", async () => {
    const outcome = await call(uploadAction, "/account/evidence/upload", { body: new FormData() });
    expect(outcome.status).toBe(302);
    expect(outcome.location).toMatch(/^\/login/);
  });

  it("accepts an export, stores it atomically, and marks the onboarding step done", async () => {
    const { user, cookie } = await signIn();
    const before = await call(dashboardLoader, "/account", { cookie });
    expect(before.data.steps[0]).toEqual({ id: "verifyUsage", state: "next", href: "/account/evidence" });

    const outcome = await upload(cookie, completionsCsv({ days: 45, seed: 5 }));
    expect(outcome.status).toBe(303);
    expect(outcome.location).toMatch(/^\/account\/evidence\/evd_/);
    const evidenceId = outcome.location!.split("/").pop()!;
    const detail = await call(detailLoader, outcome.location!, { cookie, params: { evidenceId } });
    expect(detail.data.evidence.status).toBe("accepted");
    expect(detail.data.evidence.fileName).toBe("usage.csv");
    expect(detail.data.evidence.summary.months.map((month: { month: string }) => month.month)).toEqual(["2023-09", "2023-10"]);

    const after = await call(dashboardLoader, "/account", { cookie });
    expect(after.data.steps[0].state).toBe("done");
    const page = await call(evidenceLoader, "/account/evidence", { cookie });
    expect(page.data.pieces).toHaveLength(1);
    expect(page.data.combined.months).toHaveLength(2);
    const usage = await getVerifiedUsage(getDb(), user.id);
    expect(usage.evidenceIds).toEqual([evidenceId]);
  });

  it("answers JSON to the progress-bar upload", async () => {
    const { cookie } = await signIn();
    const outcome = await upload(cookie, costsCsv({ days: 10 }), { json: true, name: "cost.csv" });
    expect(outcome.status).toBe(200);
    expect(outcome.data).toMatchObject({ ok: true, status: "accepted" });
    expect(outcome.data.location).toMatch(/^\/account\/evidence\/evd_/);
  });

  it("stores a bad file as rejected with its reasons, and nothing else", async () => {
    const { user, cookie } = await signIn();
    const before = await countEvidence();
    const outcome = await upload(cookie, readFileSync(new URL("bad-rows.csv", FIXTURES)));
    const evidenceId = outcome.location!.split("/").pop()!;
    const detail = await call(detailLoader, outcome.location!, { cookie, params: { evidenceId } });
    expect(detail.data.evidence.status).toBe("rejected");
    expect(detail.data.evidence.reasons.map((reason: { code: string }) => reason.code)).toEqual(["bad_number", "missing_model", "wrong_field_count"]);
    const after = await countEvidence();
    expect(after).toEqual({ evidence: before.evidence + 1, days: before.days });
    expect((await getVerifiedUsage(getDb(), user.id)).months).toEqual([]);
    const dashboard = await call(dashboardLoader, "/account", { cookie });
    expect(dashboard.data.steps[0].state).toBe("next");
  });

  it("refuses a file over the cap without reading it whole", async () => {
    const { cookie } = await signIn();
    const huge = Buffer.alloc(2 * 1024 * 1024 + 1, "1704067200,gpt-4o,1,1\n");
    huge.write("start_time,model,input_tokens,output_tokens\n");
    const outcome = await upload(cookie, huge);
    const evidenceId = outcome.location!.split("/").pop()!;
    const detail = await call(detailLoader, outcome.location!, { cookie, params: { evidenceId } });
    expect(detail.data.evidence.reasons).toEqual([{ code: "too_large", count: 1, lines: [], params: { limitMb: 2 } }]);
  });

  it("validates the declared org id before reading the file, and checks it against the export", async () => {
    const { cookie } = await signIn();
    const before = await countEvidence();
    const bad = await upload(cookie, costsCsv({ days: 3 }), { orgId: "acme", json: true });
    expect(bad.status).toBe(400);
    expect(bad.data.formError).toBe("evidence.errors.orgIdFormat");
    expect(await countEvidence()).toEqual(before);
    const mismatch = await upload(cookie, costsCsv({ days: 3, orgId: ORGS.acme }), { orgId: ORGS.bolt, json: true });
    expect(mismatch.data.status).toBe("rejected");
  });

  it("says so when no file was chosen", async () => {
    const { cookie } = await signIn();
    const form = new FormData();
    form.append("orgId", "");
    form.append("file", new Blob([]), "");
    const outcome = await call(uploadAction, "/account/evidence/upload", { body: form, cookie });
    expect(outcome.status).toBe(303);
    expect(outcome.location).toBe("/account/evidence?error=evidence.errors.noFile");
  });

  it("flags the same usage and the same org id uploaded by two accounts", async () => {
    const first = await signIn();
    const second = await signIn();
    const csv = costsCsv({ days: 12, orgId: ORGS.cedar, seed: 99 });
    await upload(first.cookie, csv);
    const [header, ...rows] = csv.trimEnd().split("\n");
    // Row order shuffled and CRLF: different bytes, same usage.
    await upload(second.cookie, `${[header, ...rows.reverse()].join("\r\n")}\r\n`);
    const usage = await getVerifiedUsage(getDb(), second.user.id);
    expect(usage.duplicateOf.map((dup) => dup.reason).sort()).toEqual(["fingerprint", "org_id"]);
    expect(usage.duplicateOf.every((dup) => dup.otherAccountId === first.user.id)).toBe(true);
    expect(usage.flags.map((flag) => flag.code).sort()).toEqual(["duplicate_fingerprint", "duplicate_org_id"]);
    // The first uploader sees the duplicate too, found when asked.
    const firstUsage = await getVerifiedUsage(getDb(), first.user.id);
    expect(firstUsage.duplicateOf.map((dup) => dup.otherAccountId)).toEqual([second.user.id, second.user.id]);
  });

  it("combines overlapping exports without double counting", async () => {
    const { user, cookie } = await signIn();
    const options = { startDay: "2024-01-01", days: 46, seed: 1 };
    const [header, ...rows] = completionsCsv(options).trimEnd().split("\n");
    // Four models a day: January in one file, Jan 16 – Feb 15 in another, January again.
    const january = `${[header, ...rows.slice(0, 31 * 4)].join("\n")}\n`;
    const overlap = `${[header, ...rows.slice(15 * 4)].join("\n")}\n`;
    await upload(cookie, january);
    await upload(cookie, overlap);
    const again = await upload(cookie, january, { name: "again.csv" });
    const usage = await getVerifiedUsage(getDb(), user.id);
    const totals = expectedTotals(options);
    expect(usage.months.map((month) => month.month)).toEqual(["2024-01", "2024-02"]);
    expect(usage.months.reduce((sum, month) => sum + month.inputTokens, 0)).toBe(totals.input);
    expect(usage.months.reduce((sum, month) => sum + month.outputTokens, 0)).toBe(totals.output);
    expect(usage.evidenceIds).toHaveLength(3);
    // One's own usage again is counted once and said so, but is nothing for staff to look at.
    expect(usage.flags).toEqual([]);
    const againId = again.location!.split("/").pop()!;
    const detail = await call(detailLoader, again.location!, { cookie, params: { evidenceId: againId } });
    expect(detail.data.evidence.summary.alreadyUploaded).toBe(true);
  });

  it("flags an account that brings evidence of two organizations", async () => {
    const { user, cookie } = await signIn();
    await upload(cookie, costsCsv({ days: 5, orgId: ORGS.acme, seed: 21 }));
    await upload(cookie, costsCsv({ days: 5, orgId: ORGS.bolt, seed: 22 }));
    const usage = await getVerifiedUsage(getDb(), user.id);
    expect(usage.orgIds.sort()).toEqual([ORGS.acme, ORGS.bolt].sort());
    expect(usage.flags.map((flag) => flag.code)).toContain("several_org_ids");
  });

  it("another account's evidence is not found", async () => {
    const owner = await signIn();
    const other = await signIn();
    const outcome = await upload(owner.cookie, completionsCsv({ days: 5 }));
    const evidenceId = outcome.location!.split("/").pop()!;
    const peek = await call(detailLoader, outcome.location!, { cookie: other.cookie, params: { evidenceId } });
    expect(peek.status).toBe(404);
  });
});

describe("read it for me", () => {
  it("reads usage with a pasted admin key, stores it, and never keeps the key", async () => {
    const { user, cookie } = await signIn();
    standIn.mode = "ok";
    const outcome = await call(evidenceAction, "/account/evidence", { cookie, form: { intent: "read_api", adminKey: STAND_IN_KEY, orgId: "" } });
    expect(outcome.status).toBe(302);
    expect(outcome.location).toMatch(/^\/account\/evidence\/evd_/);
    const usage = await getVerifiedUsage(getDb(), user.id);
    expect(usage.orgIds).toEqual([ORGS.cedar]);
    expect(usage.months.map((month) => month.month)).toEqual(["2024-03"]);
    const stored = await getDb().selectFrom("evidence").selectAll().where("user_id", "=", user.id).execute();
    expect(JSON.stringify(stored)).not.toContain(STAND_IN_KEY);
    const audit = await getDb().selectFrom("audit_log").selectAll().execute();
    expect(JSON.stringify(audit)).not.toContain(STAND_IN_KEY);
  });

  it("shows API failures clearly and saves nothing", async () => {
    const { cookie } = await signIn();
    const before = await countEvidence();
    for (const [mode, key] of [
      ["unauthorized", "evidence.apiErrors.api_unauthorized"],
      ["rate_limited", "evidence.apiErrors.api_rate_limited"],
      ["server_error", "evidence.apiErrors.api_server_error"],
      ["stall", "evidence.apiErrors.api_timeout"],
    ] as const) {
      standIn.mode = mode;
      process.env.OPENAI_API_TIMEOUT_MS = mode === "stall" ? "1000" : "30000";
      resetEnvForTests();
      const outcome = await call(evidenceAction, "/account/evidence", { cookie, form: { intent: "read_api", adminKey: STAND_IN_KEY } });
      expect(outcome.status, mode).toBe(502);
      expect(outcome.data.formError, mode).toBe(key);
      expect(JSON.stringify(outcome.data)).not.toContain(STAND_IN_KEY);
    }
    expect(await countEvidence()).toEqual(before);
    standIn.mode = "ok";
    process.env.OPENAI_API_TIMEOUT_MS = "30000";
    resetEnvForTests();
  });

  it("validates the key's shape before calling anyone", async () => {
    const { cookie } = await signIn();
    standIn.requests.length = 0;
    const outcome = await call(evidenceAction, "/account/evidence", { cookie, form: { intent: "read_api", adminKey: "hello" } });
    expect(outcome.status).toBe(400);
    expect(outcome.data.fieldErrors.adminKey).toBe("evidence.errors.adminKeyFormat");
    expect(standIn.requests).toHaveLength(0);
  });
});
