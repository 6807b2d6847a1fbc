import { CodecError, encode } from "../codec/index.ts";
import { TX_BYTES_MAX } from "../stf/limits.ts";
import { type SignedTx, signedTxCodec } from "../stf/tx.ts";
import { InvalidTransactionError, type InvalidTransactionErrorType } from "./errors.ts";
import { bytesToWire, type WireFormat } from "./wire.ts";

export type SerializeTransactionParameters = {
  transaction: SignedTx;
  /** "base64" (default, compact) or "hex" ("0x…", readable). */
  format?: WireFormat;
};
export type SerializeTransactionReturnType = string;
export type SerializeTransactionErrorType = InvalidTransactionErrorType;

/**
 * The wire form of a signed transaction for JSON transport: its canonical
 * bytes (the ones its hash is taken over) as base64 or 0x-hex text.
 *
 * @example
 * await fetch(`${url}/lanes/1/txs`, {
 *   method: "POST",
 *   body: JSON.stringify({ tx: serializeTransaction({ transaction: signed }) }),
 * });
 */
export function serializeTransaction({
  transaction,
  format = "base64",
}: SerializeTransactionParameters): SerializeTransactionReturnType {
  let bytes: Uint8Array;
  try {
    bytes = encode(signedTxCodec, transaction);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    throw new InvalidTransactionError(`Invalid transaction: ${error.shortMessage}`, error.field, {
      cause: error,
    });
  }
  if (bytes.length > TX_BYTES_MAX) {
    throw new InvalidTransactionError(
      `The signed transaction is ${bytes.length} bytes; a lane accepts at most ${TX_BYTES_MAX}.`,
      "",
    );
  }
  return bytesToWire(bytes, format);
}
