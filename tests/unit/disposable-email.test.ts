import { describe, expect, it } from "vitest";
import { isDisposableEmail } from "~/domain/disposable-email.server";

describe("isDisposableEmail", () => {
  it("knows throw-away domains, in any case and on subdomains", () => {
    expect(isDisposableEmail("someone@mailinator.com")).toBe(true);
    expect(isDisposableEmail("Someone@MAILINATOR.COM")).toBe(true);
    expect(isDisposableEmail("someone@eu.mailinator.com")).toBe(true);
    expect(isDisposableEmail("someone@mailinator.com.")).toBe(true);
  });

  it("lets lasting addresses through", () => {
    expect(isDisposableEmail("dev@example.com")).toBe(false);
    expect(isDisposableEmail("dev@gmail.com")).toBe(false);
    expect(isDisposableEmail("dev@qq.com")).toBe(false);
    expect(isDisposableEmail("no-at-sign")).toBe(false);
    // A domain that merely ends like a listed one is not listed.
    expect(isDisposableEmail("dev@xyzmailinator.com")).toBe(false);
  });
});
