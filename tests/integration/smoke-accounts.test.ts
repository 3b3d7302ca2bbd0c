import { describe, expect, it } from "vitest";
import { action as signupAction } from "~/routes/signup";
import { action as verifyAction } from "~/routes/verify";
import { call, latestMailTo, uniqueEmail, STRONG_PASSWORD } from "./helpers";

describe("sign-up smoke", () => {
  it("signs up and verifies", async () => {
    const email = uniqueEmail();
    const signup = await call(signupAction, "/signup", { form: { email, password: STRONG_PASSWORD } });
    expect(signup.status).toBe(302);
    const mail = await latestMailTo(email);
    const code = mail?.text_body.match(/\b(\d{6})\b/)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const verified = await call(verifyAction, "/verify", { form: { email, code: code!, intent: "verify" } });
    expect(verified.status).toBe(302);
    expect(verified.location).toBe("/account");
    expect(verified.setCookies[0]).toMatch(/ferry_session=/);
  });
});
