import { describe, expect, it } from "vitest";
import { SERVER_V8_FLAGS, withServerV8Flags } from "~/lib/server-v8-flags.server";

describe("the server processes' V8 flags", () => {
  it("are added to the node options the primary was started with", () => {
    expect(withServerV8Flags(["--enable-source-maps"])).toEqual(["--enable-source-maps", ...SERVER_V8_FLAGS]);
  });

  it("leave a value the operator chose, in execArgv or NODE_OPTIONS, with dashes or underscores", () => {
    expect(withServerV8Flags(["--max-semi-space-size=8"])).toEqual(["--max-semi-space-size=8"]);
    expect(withServerV8Flags(["--max_semi_space_size=8"])).toEqual(["--max_semi_space_size=8"]);
    expect(withServerV8Flags([], "--max-old-space-size=512 --max-semi-space-size=32")).toEqual([]);
  });
});
