/**
 * Per-client token buckets: each client key gets `burst` tokens, refilled at
 * `ratePerSecond`; a request costs one, and an empty bucket answers 429 with
 * Retry-After. Buckets live in memory, bounded by `clientsMax` (the least
 * recently seen client is forgotten first, which can only make it less
 * limited, never more).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import { RateLimitedError } from "./errors.ts";

export type RateLimitOptions = {
  ratePerSecond: number;
  burst: number;
  /** Who a request counts against; default: the TCP peer address from @hono/node-server. */
  clientKey?: (c: Context) => string;
  /** Milliseconds clock; injectable for tests. */
  nowMs?: () => number;
  clientsMax?: number;
};

type Bucket = { tokens: number; updatedMs: number };

export function remoteAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // Not served by @hono/node-server (e.g. app.request in tests): one shared bucket.
    return "unknown";
  }
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { ratePerSecond, burst } = options;
  if (!(ratePerSecond > 0) || !(burst >= 1))
    throw new RangeError(
      `rateLimit needs ratePerSecond > 0 and burst >= 1, got ${ratePerSecond} and ${burst}.`,
    );
  const clientKey = options.clientKey ?? remoteAddress;
  const nowMs = options.nowMs ?? Date.now;
  const clientsMax = options.clientsMax ?? 100_000;
  const buckets = new Map<string, Bucket>();

  return async function rateLimitMiddleware(c, next) {
    const key = clientKey(c);
    const now = nowMs();
    const bucket = buckets.get(key) ?? { tokens: burst, updatedMs: now };
    buckets.delete(key); // re-insert below: Map order is recency order
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * ratePerSecond);
    bucket.updatedMs = now;
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      throw new RateLimitedError(Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)));
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (buckets.size > clientsMax) buckets.delete(buckets.keys().next().value!);
    await next();
  };
}
