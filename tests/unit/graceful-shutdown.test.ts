// Draining on a real HTTP server: idle keep-alive connections are closed only once requests have
// stopped coming for the grace period, and every request that came is answered.
import { createServer, request as httpRequest, Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { gracefulShutdown } from "~/lib/graceful-shutdown.server";

const cleanUps: Array<() => void> = [];
afterEach(() => {
  for (const cleanUp of cleanUps.splice(0)) cleanUp();
});

async function startServer(idleGraceMs: number) {
  const server = createServer();
  let cleanedUp = 0;
  const shutdown = gracefulShutdown(server, { deadlineMs: 10_000, idleGraceMs, cleanUp: () => void (cleanedUp += 1) });
  server.on("request", shutdown.track((_req, res) => res.end("ok")));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 30 });
  cleanUps.push(() => agent.destroy(), () => server.closeAllConnections());
  const get = () =>
    new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest({ port, host: "127.0.0.1", agent, path: "/" }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on("error", reject);
      req.end();
    });
  return { server, shutdown, get, agent, cleanedUp: () => cleanedUp };
}

it("closes an idle keep-alive connection after the grace period and then cleans up once", async () => {
  const { shutdown, get, agent, cleanedUp } = await startServer(200);
  expect((await get()).status).toBe(200);
  expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
  const started = Date.now();
  await shutdown.drain("test");
  expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  expect(cleanedUp()).toBe(1);
  await shutdown.drain("again");
  expect(cleanedUp()).toBe(1);
});

it("answers requests that keep coming after the signal, each with Connection: close, and closes the idle ones only once they stop", async () => {
  const { shutdown, get } = await startServer(1_000);
  // Thirty idle keep-alive connections: each request after the signal uses one up (Connection: close).
  await Promise.all(Array.from({ length: 30 }, get));
  const drained = shutdown.drain("test");
  let finished = false;
  void drained.then(() => (finished = true));
  // A client keeps sending for longer than the grace period, one request at a time.
  const answers = [];
  const until = Date.now() + 1_300;
  while (Date.now() < until) {
    answers.push(await get());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(finished).toBe(false);
  expect(answers.length).toBeGreaterThan(3);
  expect(answers.every((answer) => answer.status === 200 && answer.connection === "close")).toBe(true);
  await drained;
  expect(shutdown.draining).toBe(true);
});
