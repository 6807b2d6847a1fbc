/**
 * Typed errors of the SDK client (STYLE.md item 19). Every HTTP answer that
 * is not a success becomes one of these, carrying the server's stable `code`
 * and the `field` it blames, so a caller can `switch (error.name)` or show
 * `error.field` next to the input, without parsing messages.
 *
 * - 4xx from the edge or a validator → RequestRefusedError or a subclass
 *   (InvalidRequestError, NotFoundError, TransactionRejectedError,
 *   ConflictError, RateLimitedError); nothing changed on the server.
 * - 5xx / network failure → ServerError / HttpRequestError (retry later or
 *   elsewhere; settlement calls already failed over across every URL).
 */
import { BitlayerError, type BitlayerErrorOptions } from "../shared/errors.ts";

/** Which service answered: the edge Worker or a settlement validator. */
export type Service = "edge" | "settlement";

export type HttpRequestErrorType = HttpRequestError;
/** The request never got an HTTP answer (connection refused, DNS, timeout, aborted). */
export class HttpRequestError extends BitlayerError {
  override name = "HttpRequestError" as const;
  readonly url: string;
  constructor(url: string, options: BitlayerErrorOptions = {}) {
    super(`No answer from ${url}.`, { docsPath: "sdk.md#errors", ...options });
    this.url = url;
  }
}

export type RequestRefusedErrorParameters = {
  service: Service;
  url: string;
  status: number;
  code: string;
  message: string;
  field?: string | undefined;
  retryAfterSeconds?: number | undefined;
};

export type RequestRefusedErrorType = RequestRefusedError;
/** A 4xx answer: the server refused the request and changed nothing. */
export class RequestRefusedError extends BitlayerError {
  override name:
    | "RequestRefusedError"
    | "InvalidRequestError"
    | "NotFoundError"
    | "TransactionRejectedError"
    | "ConflictError"
    | "RateLimitedError" = "RequestRefusedError";
  readonly service: Service;
  readonly url: string;
  /** HTTP status. */
  readonly status: number;
  /** The server's stable snake_case code, e.g. "invalid_address", "nonce_replayed". */
  readonly code: string;
  /** The input the server blames, e.g. "address", "tx", "txs.3", "tx.body.nonce"; undefined when none. */
  readonly field: string | undefined;
  /** From Retry-After, when the server sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(p: RequestRefusedErrorParameters) {
    super(p.message || `${p.service} refused the request (${p.status} ${p.code}).`, {
      details: `${p.status} ${p.code}${p.field ? ` (field ${p.field})` : ""} from ${p.url}`,
      docsPath: p.service === "edge" ? "api-edge.md#errors" : "api-settlement.md#errors",
    });
    this.service = p.service;
    this.url = p.url;
    this.status = p.status;
    this.code = p.code;
    this.field = p.field;
    this.retryAfterSeconds = p.retryAfterSeconds;
  }
}

export type InvalidRequestErrorType = InvalidRequestError;
/** 400/413/415: a malformed or out-of-range input; `field` names it. */
export class InvalidRequestError extends RequestRefusedError {
  override name = "InvalidRequestError" as const;
}

export type NotFoundErrorType = NotFoundError;
/** 404: no such receipt, account, lane, checkpoint or route. */
export class NotFoundError extends RequestRefusedError {
  override name = "NotFoundError" as const;
}

export type ConflictErrorType = ConflictError;
/** 409: settlement already has this transaction or nonce (nonce_replayed, duplicate_tx). */
export class ConflictError extends RequestRefusedError {
  override name = "ConflictError" as const;
}

export type RateLimitedErrorType = RateLimitedError;
/** 429: slow down; `retryAfterSeconds` says for how long. */
export class RateLimitedError extends RequestRefusedError {
  override name = "RateLimitedError" as const;
}

export type TransactionRejectedErrorType = TransactionRejectedError;
/**
 * 422: a well-formed transaction was refused: by the lane's state transition
 * function (`reason` is its TxStatus name, e.g. "NonceTooLow",
 * "BalanceInsufficient") or by settlement's admission (`code` e.g.
 * "signature_invalid", "fee_below_minimum").
 */
export class TransactionRejectedError extends RequestRefusedError {
  override name = "TransactionRejectedError" as const;
  /** Lane: the TxStatus name; settlement: the refusal code. */
  readonly reason: string;
  /** Lane: the numeric TxStatus (shared/stf TxStatus); undefined for settlement. */
  readonly txStatus: number | undefined;
  /** Hash of the refused transaction (hex, no 0x), when the server named it. */
  readonly txHash: string | undefined;
  constructor(p: RequestRefusedErrorParameters & { reason: string; txStatus?: number; txHash?: string }) {
    super(p);
    this.reason = p.reason;
    this.txStatus = p.txStatus;
    this.txHash = p.txHash;
  }
}

export type ServerErrorType = ServerError;
/** 5xx (or a 503 back-pressure answer such as lane_busy): try again later. */
export class ServerError extends BitlayerError {
  override name = "ServerError" as const;
  readonly service: Service;
  readonly url: string;
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number | undefined;
  constructor(p: RequestRefusedErrorParameters) {
    super(p.message || `${p.service} failed (${p.status}).`, {
      details: `${p.status} ${p.code} from ${p.url}`,
      docsPath: "sdk.md#errors",
    });
    this.service = p.service;
    this.url = p.url;
    this.status = p.status;
    this.code = p.code;
    this.retryAfterSeconds = p.retryAfterSeconds;
  }
}

export type SettlementUnavailableErrorType = SettlementUnavailableError;
/** Every settlement URL failed (network, 5xx or 429); `failures` has one line per URL. */
export class SettlementUnavailableError extends BitlayerError {
  override name = "SettlementUnavailableError" as const;
  readonly failures: readonly string[];
  constructor(path: string, failures: readonly string[], cause?: unknown) {
    super(`No settlement validator answered ${path}.`, {
      details: failures.join("; "),
      docsPath: "sdk.md#errors",
      cause,
    });
    this.failures = failures;
  }
}

export type VerificationErrorType = VerificationError;
/**
 * An answer failed a check the SDK does itself (a receipt signature, a Merkle
 * proof against a state root, a settlement certificate): the server is wrong
 * or lying; do not use the value.
 */
export class VerificationError extends BitlayerError {
  override name = "VerificationError" as const;
  /** What failed, e.g. "receipt.signature", "account.proof", "certificate". */
  readonly what: string;
  constructor(what: string, message: string, options: BitlayerErrorOptions = {}) {
    super(message, { docsPath: "sdk.md#verification", ...options });
    this.what = what;
  }
}

export type WaitTimeoutErrorType = WaitTimeoutError;
/** waitForStatus / withdraw gave up: the status was not reached within `timeoutMs`. */
export class WaitTimeoutError extends BitlayerError {
  override name = "WaitTimeoutError" as const;
  readonly timeoutMs: number;
  /** The last status seen, when there was one. */
  readonly lastStatus: string | undefined;
  constructor(what: string, timeoutMs: number, lastStatus: string | undefined) {
    super(`Timed out after ${timeoutMs} ms waiting for ${what}.`, {
      details: lastStatus ? `last status seen: ${lastStatus}` : undefined,
      docsPath: "sdk.md#waitforstatus",
    });
    this.timeoutMs = timeoutMs;
    this.lastStatus = lastStatus;
  }
}

export type ClientConfigErrorType = ClientConfigError;
/** createBitlayerClient or an action was given options it cannot work with (no settlement URL, no fetch, …). */
export class ClientConfigError extends BitlayerError {
  override name = "ClientConfigError" as const;
  readonly option: string;
  constructor(option: string, message: string) {
    super(message, { docsPath: "sdk.md#createbitlayerclient" });
    this.option = option;
  }
}

export type SettlementTransactionFailedErrorType = SettlementTransactionFailedError;
/** A settlement transaction was included in a block but the ledger refused it (fee paid, nothing else changed). */
export class SettlementTransactionFailedError extends BitlayerError {
  override name = "SettlementTransactionFailedError" as const;
  readonly hash: string;
  readonly height: bigint;
  /** The ledger's status code and stable name, e.g. 37 "CheckpointNotFinal". */
  readonly status: number;
  readonly statusName: string;
  constructor(hash: string, height: bigint, status: number, statusName: string) {
    super(`Settlement refused transaction ${hash} in block ${height}: ${statusName}.`, {
      docsPath: "spec/settlement-transactions.md",
    });
    this.hash = hash;
    this.height = height;
    this.status = status;
    this.statusName = statusName;
  }
}

export type WithdrawalErrorType = WithdrawalError;
/** The withdraw flow could not continue (its withdrawal leaf is missing or does not match the transaction). */
export class WithdrawalError extends BitlayerError {
  override name = "WithdrawalError" as const;
  readonly stage: string;
  constructor(stage: string, message: string, options: BitlayerErrorOptions = {}) {
    super(message, { docsPath: "sdk.md#withdraw", ...options });
    this.stage = stage;
  }
}
