// Prometheus metrics (prom-client) on a registry of our own. The domain does not know about
// metrics: app/server.ts and the gateway router record what passes through them.
import { timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import client from "prom-client";

export const metricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: metricsRegistry, prefix: "ferry_process_" });

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const httpRequests = new client.Counter({
  name: "ferry_http_requests_total",
  help: "Requests answered by the portal (not the gateway API), by route, method and status class.",
  labelNames: ["route", "method", "status"] as const,
  registers: [metricsRegistry],
});
const httpDuration = new client.Histogram({
  name: "ferry_http_request_duration_seconds",
  help: "Time to answer a portal request, by route and method.",
  labelNames: ["route", "method"] as const,
  buckets: SECONDS_BUCKETS,
  registers: [metricsRegistry],
});
const gatewayCalls = new client.Counter({
  name: "ferry_gateway_requests_total",
  help: "Gateway API calls by endpoint and outcome (ok or the error code).",
  labelNames: ["endpoint", "outcome"] as const,
  registers: [metricsRegistry],
});
const gatewayDuration = new client.Histogram({
  name: "ferry_gateway_request_duration_seconds",
  help: "Time to answer a gateway API call (body read to response), by endpoint.",
  labelNames: ["endpoint"] as const,
  buckets: SECONDS_BUCKETS,
  registers: [metricsRegistry],
});
const ledgerDebits = new client.Counter({
  name: "ferry_ledger_debits_total",
  help: "Usage debits reported through the gateway, by result (debited, short: credit ran out, duplicate: a replay).",
  labelNames: ["result"] as const,
  registers: [metricsRegistry],
});
const ledgerDebitedTokens = new client.Counter({
  name: "ferry_ledger_debited_tokens_total",
  help: "Tokens debited for usage reported through the gateway.",
  registers: [metricsRegistry],
});
const databaseTroubles = new client.Counter({
  name: "ferry_database_unavailable_responses_total",
  help: "Requests answered 503 because the database was busy (lock, time limit) or unreachable.",
  labelNames: ["reason"] as const,
  registers: [metricsRegistry],
});

export function observeHttpRequest(route: string, method: string, status: number, seconds: number) {
  httpRequests.inc({ route, method, status: `${Math.floor(status / 100)}xx` });
  httpDuration.observe({ route, method }, seconds);
}

export type GatewayEndpoint = "authorize" | "usage";

// Children resolved once: the gateway path pays a map lookup and an add per call, nothing more.
const gatewayTimers = { authorize: gatewayDuration.labels("authorize"), usage: gatewayDuration.labels("usage") };

const gatewayCounters = new Map<string, client.Counter.Internal>();

export function observeGatewayCall(endpoint: GatewayEndpoint, outcome: string, seconds: number) {
  const key = `${endpoint} ${outcome}`;
  let counter = gatewayCounters.get(key);
  if (!counter) {
    counter = gatewayCalls.labels(endpoint, outcome);
    gatewayCounters.set(key, counter);
  }
  counter.inc();
  gatewayTimers[endpoint].observe(seconds);
}

export function countLedgerDebit(result: "debited" | "short" | "duplicate", tokens: number) {
  ledgerDebits.inc({ result });
  if (tokens > 0) ledgerDebitedTokens.inc(tokens);
}

export function countDatabaseTrouble(reason: "busy" | "unavailable") {
  databaseTroubles.inc({ reason });
}

/** A gauge read when /metrics is scraped (queue sizes, pool usage): `read` returns one value per label set. */
export function registerSampledGauge(options: {
  name: string;
  help: string;
  labelName: string;
  read: () => Promise<Record<string, number>> | Record<string, number>;
}) {
  const existing = metricsRegistry.getSingleMetric(options.name);
  if (existing) metricsRegistry.removeSingleMetric(options.name);
  new client.Gauge({
    name: options.name,
    help: options.help,
    labelNames: [options.labelName],
    registers: [metricsRegistry],
    async collect() {
      try {
        const values = await options.read();
        this.reset();
        for (const [label, value] of Object.entries(values)) this.set({ [options.labelName]: label }, value);
      } catch {
        // An unreachable database must not fail the whole scrape: the gauge is left empty.
        this.reset();
      }
    },
  });
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * GET /metrics for a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`. Without a
 * configured token, or with a wrong one, the endpoint does not exist (404).
 */
export function createMetricsEndpoint(token: string | undefined) {
  const expected = token ? digest(token) : null;
  return async (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers.authorization ?? "";
    const presented = header.startsWith("Bearer ") ? digest(header.slice(7).trim()) : null;
    if (!expected || !presented || !timingSafeEqual(expected, presented) || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
      res.end("Not found");
      return;
    }
    const body = await metricsRegistry.metrics();
    res.writeHead(200, { "Content-Type": metricsRegistry.contentType, "Cache-Control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}
