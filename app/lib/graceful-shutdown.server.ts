// Stopping without cutting anyone off: on SIGTERM stop accepting connections, answer what is in
// flight, tell keep-alive clients to go (Connection: close on every response from then on), close
// idle connections, then run the clean-up (jobs, database pool). A deadline bounds the wait.
import { Server as NetServer, type Socket } from "node:net";
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import { errorFields, log } from "./logger.server";

export interface GracefulShutdownOptions {
  /** Longest wait for in-flight requests before the remaining connections are cut. */
  deadlineMs: number;
  /** Runs once no request is in flight (or at the deadline): stop jobs, close the pool. */
  cleanUp: () => Promise<void> | void;
  /** Told first, so /readyz turns 503 at once. */
  onDraining?: () => void;
  /** How long the server must have had no new request (since the signal) before idle keep-alive connections are closed. */
  idleGraceMs?: number;
}

export interface GracefulShutdown {
  /** Wraps the server's request listener: counts requests in flight, marks responses while draining. */
  track(listener: RequestListener): RequestListener;
  /** Starts draining; resolves when the clean-up has run. Further calls return the same promise. */
  drain(reason: string): Promise<void>;
  readonly draining: boolean;
}

export function gracefulShutdown(server: Server, options: GracefulShutdownOptions): GracefulShutdown {
  let draining = false;
  let inFlight = 0;
  let lastRequestAt = 0;
  let finished: Promise<void> | undefined;
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  function track(listener: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      inFlight += 1;
      lastRequestAt = Date.now();
      res.once("close", () => (inFlight -= 1));
      // The response's own headers are merged with this one (writeHead keeps setHeader values).
      if (draining) res.setHeader("Connection", "close");
      listener(req, res);
    };
  }

  async function run(reason: string) {
    draining = true;
    options.onDraining?.();
    log.info({ reason, inFlight, connections: sockets.size, deadlineMs: options.deadlineMs }, "shutting down: draining requests");
    // net.Server's close, not http.Server's: the latter also drops idle keep-alive connections at
    // once, and a client that is sending its next request on one sees a hang-up instead of an answer.
    NetServer.prototype.close.call(server);
    const started = Date.now();
    lastRequestAt = started;
    const idleGraceMs = options.idleGraceMs ?? 1_000;
    while (Date.now() - started < options.deadlineMs) {
      if (inFlight === 0 && sockets.size === 0) break;
      // Connections used since the signal closed themselves after their response; the rest are
      // idle keep-alive connections. A client still sending picks one of them for its next request,
      // so they are closed only once no request has come for the grace period, and only right after
      // the event loop has read the sockets (setImmediate runs after the poll phase): a request
      // already received is then being answered, not cut by the close.
      if (Date.now() - lastRequestAt >= idleGraceMs) await new Promise<void>((resolve) => setImmediate(() => resolve(server.closeIdleConnections())));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (inFlight > 0 || sockets.size > 0) {
      log.warn({ inFlight, connections: sockets.size }, "shutdown deadline reached: closing the remaining connections");
      server.closeAllConnections();
    }
    try {
      await options.cleanUp();
    } catch (error) {
      log.error({ ...errorFields(error) }, "clean-up at shutdown failed");
    }
    log.info({ tookMs: Date.now() - started }, "shut down");
  }

  return {
    track,
    drain(reason) {
      finished ??= run(reason);
      return finished;
    },
    get draining() {
      return draining;
    },
  };
}
