// The proxy's authorize memory: what it reuses, for how long, and what makes it forget at once.
import { describe, expect, it } from "vitest";
import { cachedMetering } from "~/proxy/authorize-cache.server";
import type { AuthorizeOutcome, Metering, ReportOutcome } from "~/proxy/metering.server";

function fakeMetering(answers: { authorize: () => AuthorizeOutcome; report?: () => ReportOutcome }) {
  const calls = { authorize: 0, report: 0 };
  const metering: Metering = {
    async authorize() {
      calls.authorize += 1;
      return answers.authorize();
    },
    async report() {
      calls.report += 1;
      return answers.report?.() ?? { ok: true, debitedTokens: 10, shortfallTokens: 0, duplicate: false, remainingTokens: 100 };
    },
    async close() {},
  };
  return { metering, calls };
}

const granted = (countsRequests?: boolean): AuthorizeOutcome => ({ ok: true, accountId: "acct", keyId: "key", providerModel: "glm-4-air", remainingTokens: 100, countsRequests });
const usage = { requestId: "r1", accountId: "acct", keyId: "key", requestedModel: "gpt-4o-mini", providerModel: "glm-4-air", inputTokens: 5, cachedInputTokens: 0, outputTokens: 5, estimated: false };

describe("the proxy's authorize cache", () => {
  it("reuses an answer for the same key, model and address until the time is up", async () => {
    let now = 1_000;
    const { metering, calls } = fakeMetering({ authorize: () => granted(false) });
    const cached = cachedMetering(metering, 250, () => now);
    await cached.authorize("glmsk_a", "gpt-4o-mini", "10.0.0.1");
    await cached.authorize("glmsk_a", "gpt-4o-mini", "10.0.0.1");
    expect(calls.authorize).toBe(1);
    // Another model, another address, another key: asked again.
    await cached.authorize("glmsk_a", "glm-4-air", "10.0.0.1");
    await cached.authorize("glmsk_a", "gpt-4o-mini", "10.0.0.2");
    await cached.authorize("glmsk_b", "gpt-4o-mini", "10.0.0.1");
    expect(calls.authorize).toBe(4);
    now += 250;
    await cached.authorize("glmsk_a", "gpt-4o-mini", "10.0.0.1");
    expect(calls.authorize).toBe(5);
  });

  it("never reuses a refusal, an answer for a key that counts requests, or one that does not say", async () => {
    for (const answer of [{ ok: false, code: "key_revoked" } as AuthorizeOutcome, granted(true), granted(undefined)]) {
      const { metering, calls } = fakeMetering({ authorize: () => answer });
      const cached = cachedMetering(metering, 250, () => 0);
      await cached.authorize("glmsk_a", "gpt-4o-mini", "");
      await cached.authorize("glmsk_a", "gpt-4o-mini", "");
      expect(calls.authorize).toBe(2);
      expect(cached.size).toBe(0);
    }
  });

  it("forgets the account at once when a debit leaves it without credit or short", async () => {
    for (const report of [
      { ok: true, debitedTokens: 5, shortfallTokens: 5, duplicate: false, remainingTokens: 0 },
      { ok: true, debitedTokens: 10, shortfallTokens: 0, duplicate: false, remainingTokens: 0 },
    ] as ReportOutcome[]) {
      const { metering, calls } = fakeMetering({ authorize: () => granted(false), report: () => report });
      const cached = cachedMetering(metering, 60_000, () => 0);
      await cached.authorize("glmsk_a", "gpt-4o-mini", "");
      expect(await cached.report(usage)).toEqual(report);
      await cached.authorize("glmsk_a", "gpt-4o-mini", "");
      expect(calls.authorize).toBe(2);
    }
    // Credit left: the answer stands.
    const { metering, calls } = fakeMetering({ authorize: () => granted(false) });
    const cached = cachedMetering(metering, 60_000, () => 0);
    await cached.authorize("glmsk_a", "gpt-4o-mini", "");
    await cached.report(usage);
    await cached.authorize("glmsk_a", "gpt-4o-mini", "");
    expect(calls.authorize).toBe(1);
  });

  it("is off at 0 ms, and never holds a key in clear", async () => {
    const { metering, calls } = fakeMetering({ authorize: () => granted(false) });
    const off = cachedMetering(metering, 0, () => 0);
    await off.authorize("glmsk_a", "gpt-4o-mini", "");
    await off.authorize("glmsk_a", "gpt-4o-mini", "");
    expect(calls.authorize).toBe(2);
    expect(off.size).toBe(0);
  });
});
