/**
 * Prometheus metrics of the API and the node it serves, on a registry of its
 * own (the default global one would clash when several apps share a process,
 * as tests do). Node gauges are read from the backend at scrape time.
 */
import type { MiddlewareHandler } from "hono";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { nativeVerifyCount } from "../crypto/node-verifier.ts";
import type { SettlementBackend } from "./backend.ts";

export type ApiMetrics = {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  requestSeconds: Histogram<"method" | "route">;
  txsSubmitted: Counter<"result">;
};

export function createApiMetrics(backend: SettlementBackend, registry = new Registry()): ApiMetrics {
  const requests = new Counter({
    name: "bitlayer_api_requests_total",
    help: "HTTP requests by route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: "bitlayer_api_request_duration_seconds",
    help: "HTTP request latency by route pattern",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const txsSubmitted = new Counter({
    name: "bitlayer_api_txs_submitted_total",
    help: "Transactions submitted, by result (accepted or the refusal code name)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "bitlayer_settlement_height",
    help: "Height of the last committed settlement block",
    registers: [registry],
    collect() {
      this.set(Number(backend.latestHeight()));
    },
  });
  new Gauge({
    name: "bitlayer_settlement_peers",
    help: "Connected consensus peers",
    registers: [registry],
    collect() {
      this.set(backend.status().peers);
    },
  });
  new Gauge({
    name: "bitlayer_settlement_catching_up",
    help: "1 while the node replays blocks to catch up with its peers",
    registers: [registry],
    collect() {
      this.set(backend.status().catchingUp ? 1 : 0);
    },
  });
  let verifiesReported = 0;
  new Counter({
    name: "bitlayer_settlement_signature_verifies_total",
    help: "Ed25519 verifications run by this process's native verifier (transactions, votes, certificates)",
    registers: [registry],
    collect() {
      const now = nativeVerifyCount();
      this.inc(now - verifiesReported);
      verifiesReported = now;
    },
  });
  return { registry, requests, requestSeconds, txsSubmitted };
}

/** Counts and times every request under its route pattern (never the raw path: unbounded labels). */
export function requestMetrics(metrics: ApiMetrics): MiddlewareHandler {
  return async function requestMetricsMiddleware(c, next) {
    const stop = metrics.requestSeconds.startTimer();
    await next();
    const route = c.req.routePath || "unmatched";
    stop({ method: c.req.method, route });
    metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
  };
}
