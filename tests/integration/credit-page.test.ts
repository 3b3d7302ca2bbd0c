// /account/credit: a developer sees only their own balance, grants and history, a page at a time.
import { describe, expect, it } from "vitest";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { getDb } from "~/lib/db.server";
import { action as loginAction } from "~/routes/login";
import { loader as creditLoader } from "~/routes/account.credit";
import { call, cookieHeader, createUser } from "./helpers";

async function logIn(user: { email: string; password: string }) {
  const outcome = await call(loginAction, "/login", { form: { email: user.email, password: user.password } });
  expect(outcome.status).toBe(302);
  return cookieHeader(outcome.setCookies);
}

describe("credit page", () => {
  it("sends visitors to log in", async () => {
    const outcome = await call(creditLoader, "/account/credit");
    expect(outcome.status).toBe(302);
    expect(outcome.location).toMatch(/^\/login/);
  });

  it("shows the balance by bucket, promo expiry and a paginated history of the user's own entries", async () => {
    const user = await createUser();
    const other = await createUser();
    const cookie = await logIn(user);
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await creditAccount(getDb(), { accountId: user.id, kind: "grant", bucket: "promo", tokens: 1_000, idempotencyKey: `page-grant-${user.id}`, referenceType: "claim", referenceId: "clm_1", expiresAt });
    await creditAccount(getDb(), { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 500, idempotencyKey: `page-paid-${user.id}`, referenceType: "purchase", referenceId: "pur_1" });
    await creditAccount(getDb(), { accountId: other.id, kind: "purchase", bucket: "paid", tokens: 777, idempotencyKey: `page-other-${other.id}`, referenceType: "purchase", referenceId: "pur_2" });
    for (let i = 0; i < 25; i += 1) await debitUsage(getDb(), { accountId: user.id, requestId: `page-${user.id}-${i}`, tokens: 10 });

    const first = await call(creditLoader, "/account/credit", { cookie });
    expect(first.status).toBe(200);
    expect(first.data.balance).toEqual({ total: 1_250, promo: 750, paid: 500, promoGrants: [{ entryId: expect.any(String), remaining: 750, expiresAt }] });
    expect(first.data.page.entries).toHaveLength(20);
    expect(first.data.page.entries.every((entry: { referenceId: string }) => entry.referenceId !== "pur_2")).toBe(true);
    expect(first.data.isFirstPage).toBe(true);

    const second = await call(creditLoader, `/account/credit?before=${first.data.page.nextCursor}`, { cookie });
    expect(second.data.page.entries.map((entry: { kind: string }) => entry.kind)).toEqual(["usage", "usage", "usage", "usage", "usage", "purchase", "grant"]);
    expect(second.data.page.nextCursor).toBeNull();
    expect(second.data.isFirstPage).toBe(false);
  });

  it("ignores a malformed or foreign cursor", async () => {
    const user = await createUser();
    const other = await createUser();
    const cookie = await logIn(user);
    const bad = await call(creditLoader, "/account/credit?before=../../etc", { cookie });
    expect(bad.status).toBe(302);
    expect(bad.location).toBe("/account/credit");
    const { entryId } = await creditAccount(getDb(), { accountId: other.id, kind: "purchase", bucket: "paid", tokens: 5, idempotencyKey: `foreign-${other.id}`, referenceType: "purchase", referenceId: "p" });
    const foreign = await call(creditLoader, `/account/credit?before=${entryId}`, { cookie });
    expect(foreign.status).toBe(200);
    expect(foreign.data.page.entries).toEqual([]);
  });
});
