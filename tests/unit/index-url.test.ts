import { describe, expect, it } from "vitest";
import { withoutIndexParam } from "~/lib/index-url.client";

describe("withoutIndexParam", () => {
  it("drops the bare index parameter Remix adds to index routes' actions", () => {
    expect(withoutIndexParam("http://localhost/account/keys?index")).toBe("/account/keys");
    expect(withoutIndexParam("http://localhost/account/keys?index=")).toBe("/account/keys");
    expect(withoutIndexParam("http://localhost/support?index&q=a%40b.c#results")).toBe("/support?q=a%40b.c#results");
  });

  it("leaves other addresses alone", () => {
    expect(withoutIndexParam("http://localhost/account/keys")).toBeNull();
    expect(withoutIndexParam("http://localhost/docs?index=3")).toBeNull();
    expect(withoutIndexParam("http://localhost/staff/claims?view=all&indexed=1")).toBeNull();
  });
});
