/**
 * Typed errors of the client SDK (STYLE.md item 19). Each has a literal
 * `name` to switch on and keeps the underlying error (a CodecError, a
 * BytesError) as `cause`.
 */
import { BitlayerError, type BitlayerErrorOptions } from "../errors.ts";

export type InvalidTransactionErrorType = InvalidTransactionError;
/** Transaction parameters that have no canonical encoding (a field out of range, too long, of the wrong type). */
export class InvalidTransactionError extends BitlayerError {
  override name = "InvalidTransactionError" as const;
  /** Dotted path of the offending field, e.g. "payload.transfer.amount"; empty when the whole tx is at fault. */
  readonly field: string;

  constructor(shortMessage: string, field: string, options: BitlayerErrorOptions = {}) {
    super(shortMessage, { docsPath: "spec/lane-transactions.md#transactions", ...options });
    this.field = field;
  }
}

export type MissingSignerErrorType = MissingSignerError;
/** signTransaction was not given the account of a required signer (the sender, or a trade's counterparty). */
export class MissingSignerError extends BitlayerError {
  override name = "MissingSignerError" as const;
  /** Hex public key of the signer that is missing. */
  readonly publicKey: string;

  constructor(publicKey: string, role: string) {
    super(
      `The ${role} (public key ${publicKey}) must sign this transaction, but no account for it was given.`,
      {
        details:
          "Pass the accounts of every required signer: [sender] or, for a trade, [sender, counterparty].",
        docsPath: "spec/lane-transactions.md#transactions",
      },
    );
    this.publicKey = publicKey;
  }
}

export type WireFormatErrorType = WireFormatError;
/** Wire text that is not hex/base64 of a canonical signed transaction. */
export class WireFormatError extends BitlayerError {
  override name = "WireFormatError" as const;
}
