import { CodecError, decode } from "../codec/index.ts";
import { TX_BYTES_MAX } from "../stf/limits.ts";
import { type SignedTx, signedTxCodec } from "../stf/tx.ts";
import { WireFormatError, type WireFormatErrorType } from "./errors.ts";
import { type WireFormat, wireToBytes } from "./wire.ts";

export type ParseTransactionParameters = {
  /** Text from serializeTransaction. */
  wire: string;
  /** The format it was written in; default "base64". */
  format?: WireFormat;
};
export type ParseTransactionReturnType = SignedTx;
export type ParseTransactionErrorType = WireFormatErrorType;

/**
 * Reads a signed transaction from its wire text. Strict: the text must be
 * canonical hex/base64 of at most 4,096 bytes, and the bytes the canonical
 * encoding of a SignedTx; anything else is a WireFormatError (with the
 * CodecError and its field path as `cause`). Parsing does not verify
 * signatures: call verifyTransaction.
 *
 * @example
 * const tx = parseTransaction({ wire: body.tx });
 * const ok = await verifyTransaction({ transaction: tx, chainId, lane });
 */
export function parseTransaction({
  wire,
  format = "base64",
}: ParseTransactionParameters): ParseTransactionReturnType {
  const bytes = wireToBytes(wire, format);
  if (bytes.length > TX_BYTES_MAX) {
    throw new WireFormatError(
      `The transaction is ${bytes.length} bytes; a lane accepts at most ${TX_BYTES_MAX}.`,
    );
  }
  try {
    return decode(signedTxCodec, bytes);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    throw new WireFormatError(`Not a canonical signed transaction: ${error.shortMessage}`, {
      cause: error,
      details: `codec error ${error.code} in field "${error.field}" at byte ${error.offset}`,
      docsPath: "spec/encoding.md",
    });
  }
}
