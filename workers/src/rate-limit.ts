/**
 * Per-client rate limit (token bucket per client IP, per isolate): a cheap
 * first line against a flood; the Sequencer's back-pressure is the real bound.
 * A client over its budget gets 429 with Retry-After (whole seconds until one
 * token is back) and a JSON error; other clients have their own buckets.
 */
import type { Context, Next } from "hono";
import { ApiError } from "./errors.ts";

type Bucket = { tokens: number; updatedMs: number };
/** Insertion order is recency order (a used bucket is re-inserted), so the first key is the least recent. */
const buckets = new Map<string, Bucket>();
const CLIENTS_MAX = 10_000;

export type RateLimitOptions = { perMinute: number; clientOf?: (c: Context) => string };

export function rateLimit(options: RateLimitOptions) {
  return async function rateLimitMiddleware(c: Context, next: Next): Promise<void> {
    const client = options.clientOf?.(c) ?? c.req.header("cf-connecting-ip") ?? "local";
    const nowMs = Date.now();
    const perMs = options.perMinute / 60_000;
    const bucket = buckets.get(client) ?? { tokens: options.perMinute, updatedMs: nowMs };
    bucket.tokens = Math.min(options.perMinute, bucket.tokens + (nowMs - bucket.updatedMs) * perMs);
    bucket.updatedMs = nowMs;
    buckets.delete(client);
    // Forget the least recently seen client, not everyone: clearing all would let a flood of
    // new addresses reset the budget of the client being limited.
    if (buckets.size >= CLIENTS_MAX) buckets.delete(buckets.keys().next().value!);
    buckets.set(client, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw new ApiError(
        429,
        "rate_limited",
        `Too many requests from ${client}; retry after ${retryAfterSeconds} s.`,
        {
          retryAfterSeconds,
        },
      );
    }
    bucket.tokens -= 1;
    await next();
  };
}
