import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyFromOpenAi } from "~/domain/evidence/verify.server";
import { ORGS } from "../fixtures/usage-fixtures";
import { startOpenAiStandIn, STAND_IN_KEY, type StandIn } from "../fixtures/openai-stand-in";

let standIn: StandIn;
beforeAll(async () => {
  standIn = await startOpenAiStandIn({ days: 40 });
});
afterAll(async () => {
  await standIn.close();
});

// A generous timeout so a loaded machine cannot turn a good answer into a timeout; only the stall
// case (an answer that never comes) uses a short one.
const options = (timeoutMs = 30_000) => ({ maxBytes: 1e6, window: { start: "2023-07-01", end: "2024-07-09" }, baseUrl: standIn.baseUrl, timeoutMs });

describe("reading usage from the OpenAI API (loopback stand-in)", () => {
  it("pages through usage and costs with daily buckets, then normalizes them", async () => {
    standIn.mode = "ok";
    standIn.requests.length = 0;
    const result = await verifyFromOpenAi(STAND_IN_KEY, options());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.outcome.status).toBe("accepted");
    expect(result.outcome.kind).toBe("api_read");
    expect(result.outcome.orgId).toBe(ORGS.cedar);
    expect(result.outcome.periodStart).toBe("2024-01-01");
    expect(result.outcome.periodEnd).toBe("2024-02-09");
    expect(result.outcome.costMicros).toBeGreaterThan(0);
    const usageCalls = standIn.requests.filter((call) => call.path === "/v1/organization/usage/completions");
    expect(usageCalls).toHaveLength(6);
    expect(usageCalls.map((call) => call.query.get("page"))).toEqual([null, "page_7", "page_14", "page_21", "page_28", "page_35"]);
    expect(usageCalls[0]!.query.get("bucket_width")).toBe("1d");
    expect(usageCalls[0]!.query.get("start_time")).toBe(String(Date.parse("2023-07-01T00:00:00Z") / 1000));
    expect(standIn.requests.filter((call) => call.path === "/v1/organization/costs")).toHaveLength(2);
  });

  it("reads pages that cut a bucket in two (with a repeated result) to the same totals", async () => {
    standIn.mode = "ok";
    const whole = await verifyFromOpenAi(STAND_IN_KEY, options());
    for (const splitBuckets of ["split", "repeat"] as const) {
      const cut = await startOpenAiStandIn({ days: 40, splitBuckets });
      try {
        const result = await verifyFromOpenAi(STAND_IN_KEY, { ...options(), baseUrl: cut.baseUrl });
        if (!result.ok || !whole.ok) throw new Error("read failed");
        expect(result.outcome.flags, splitBuckets).toEqual([]);
        expect(result.outcome.days).toEqual(whole.outcome.days);
        expect(result.outcome.fingerprint).toBe(whole.outcome.fingerprint);
        expect([result.outcome.inputTokens, result.outcome.outputTokens, result.outcome.costMicros]).toEqual([whole.outcome.inputTokens, whole.outcome.outputTokens, whole.outcome.costMicros]);
      } finally {
        await cut.close();
      }
    }
  });

  const failures: Array<[StandIn["mode"], string, Record<string, unknown>]> = [
    ["unauthorized", "api_unauthorized", {}],
    ["rate_limited", "api_rate_limited", { seconds: 20 }],
    ["server_error", "api_server_error", { status: 503 }],
    ["stall", "api_timeout", { seconds: 1 }],
    ["loop", "api_paging_loop", {}],
    ["not_json", "api_bad_response", { status: 200 }],
  ];
  for (const [mode, code, params] of failures) {
    it(`${mode} → ${code}`, async () => {
      standIn.mode = mode;
      const result = await verifyFromOpenAi(STAND_IN_KEY, options(mode === "stall" ? 1000 : undefined));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe(code);
      expect(result.error.params).toEqual(params);
      expect(JSON.stringify(result.error) + result.error.message).not.toContain(STAND_IN_KEY);
    });
  }

  it("a wrong key is refused by the server and reported as such", async () => {
    standIn.mode = "ok";
    const result = await verifyFromOpenAi("sk-admin-wrongwrongwrongwrongwrong", options());
    expect(result.ok ? null : result.error.code).toBe("api_unauthorized");
  });

  it("an unreachable server is reported as such", async () => {
    const result = await verifyFromOpenAi(STAND_IN_KEY, { ...options(), baseUrl: "http://127.0.0.1:1" });
    expect(result.ok ? null : result.error.code).toBe("api_unreachable");
  });
});
