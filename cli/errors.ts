/**
 * The CLI's two kinds of failure, and their exit codes: a command line the
 * CLI cannot run (exit 2, nothing was sent) and a request that failed on the
 * network or was refused by a server (exit 1, with the server's error).
 */

/** Bad arguments, flags, keys or config: the user fixes the command line. Exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = 2;
  /** The flag or argument at fault ("--amount", "<txhash>"), when one is. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/** A server answered an error: its status and its `{ error: { code, message, field } }` body. Exit code 1. */
export class RemoteError extends Error {
  override readonly name = "RemoteError";
  readonly exitCode = 1;
  readonly url: string;
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  /** The whole error object the server sent (reason, txHash … when present). */
  readonly body: unknown;
  constructor(o: {
    url: string;
    status: number;
    code: string;
    message: string;
    field?: string;
    body: unknown;
  }) {
    super(`${o.url} answered ${o.status} ${o.code}: ${o.message}${o.field ? ` (field ${o.field})` : ""}`);
    this.url = o.url;
    this.status = o.status;
    this.code = o.code;
    this.field = o.field;
    this.body = o.body;
  }
}

/** No answer: connection refused, DNS, timeout, or every settlement URL failed. Exit code 1. */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
  readonly exitCode = 1;
}

/** A flow that did not reach its goal in time (e.g. `withdraw --timeout`). Exit code 1. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  readonly exitCode = 1;
}
