// With SMTP_URL set, mail goes over real SMTP (to a loopback stand-in) and nothing lands in the outbox.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestPasswordReset } from "~/domain/accounts.server";
import { getDb } from "~/lib/db.server";
import { resetEnvForTests } from "~/lib/env.server";
import { createUser } from "./helpers";

const received: Array<{ from: string; to: string[]; raw: string }> = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, session, callback) {
    let raw = "";
    stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    stream.on("end", () => {
      received.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        raw,
      });
      callback();
    });
  },
});

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  process.env.MAIL_FROM = "Ferry <no-reply@ferry.test>";
  resetEnvForTests();
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  resetEnvForTests();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("mail over SMTP", () => {
  it("delivers the reset e-mail to the SMTP server and keeps no outbox copy", async () => {
    const user = await createUser();
    await requestPasswordReset(getDb(), user.email);
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual([user.email]);
    expect(received[0]!.from).toBe("no-reply@ferry.test");
    expect(received[0]!.raw).toMatch(/Subject: Reset your Ferry password/);
    expect(received[0]!.raw.replace(/=\r\n/g, "").replace(/=3D/g, "=")).toMatch(/reset-password\?token=[A-Za-z0-9_-]{40,}/);
    const outbox = await getDb().selectFrom("mail_outbox").select("id").where("to_address", "=", user.email).execute();
    expect(outbox).toHaveLength(0);
  });
});
