/**
 * Typed API errors. Handlers throw them; the one onError in app.ts turns each
 * into `{ error: { code, message, field? } }` with its HTTP status.
 */
import type { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { BitlayerError } from "../../shared/errors.ts";

export type ApiErrorType = ApiError;
export class ApiError extends BitlayerError {
  override name: string = "ApiError";
  readonly status: 400 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;
  /** Stable machine-readable code, snake_case. */
  readonly code: string;
  /** JSON path of the offending input (body field, path or query parameter), when one is to blame. */
  readonly field: string | undefined;

  constructor(status: ApiError["status"], code: string, message: string, field?: string, cause?: unknown) {
    super(message, { cause, docsPath: "api-settlement.md#errors" });
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** Input that does not parse or validate: malformed JSON, wrong types, bad encodings. */
export type BadRequestErrorType = BadRequestError;
export class BadRequestError extends ApiError {
  override name = "BadRequestError" as const;
  constructor(code: string, message: string, field?: string, cause?: unknown) {
    super(400, code, message, field, cause);
  }
}

export type NotFoundErrorType = NotFoundError;
export class NotFoundError extends ApiError {
  override name = "NotFoundError" as const;
  constructor(code: string, message: string, field?: string) {
    super(404, code, message, field);
  }
}

/** A well-formed transaction the mempool refused (signature, nonce, fee, duplicate): nothing changed. */
export type TxRejectedErrorType = TxRejectedError;
export class TxRejectedError extends ApiError {
  override name = "TxRejectedError" as const;
  /** The backend's refusal code (ledger status or MempoolRefusal). */
  readonly codeRefusal: number;
  readonly hash: string;
  constructor(
    status: 409 | 422 | 503,
    code: string,
    message: string,
    field: string,
    codeRefusal: number,
    hash: string,
  ) {
    super(status, code, message, field);
    this.codeRefusal = codeRefusal;
    this.hash = hash;
  }
}

export type RateLimitedErrorType = RateLimitedError;
export class RateLimitedError extends ApiError {
  override name = "RateLimitedError" as const;
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(429, "rate_limited", `Too many requests; retry after ${retryAfterSeconds} s.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The one error rendering of every settlement-side Hono app (the validator's
 * API, its index routes, the watcher): unknown routes are 404
 * `route_not_found`, typed errors keep their status, code and field, a 429
 * carries Retry-After, anything else is a 500 that points at `logs`.
 */
export function renderErrors(app: Hono, logs: string): void {
  app.notFound((c) =>
    c.json({ error: { code: "route_not_found", message: `No route ${c.req.method} ${c.req.path}.` } }, 404),
  );
  app.onError((err, c) => {
    if (err instanceof RateLimitedError) c.header("Retry-After", String(err.retryAfterSeconds));
    if (err instanceof ApiError)
      return c.json(
        { error: { code: err.code, message: err.shortMessage, ...(err.field ? { field: err.field } : {}) } },
        err.status,
      );
    if (err instanceof HTTPException)
      return c.json({ error: { code: "http_error", message: err.message } }, err.status);
    return c.json({ error: { code: "internal", message: `Internal error; see ${logs}.` } }, 500);
  });
}
