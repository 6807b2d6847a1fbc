import { encode } from "../codec/index.ts";
import { type SignedTx, signedTxCodec, txHash } from "../stf/tx.ts";
import type { InvalidTransactionErrorType } from "./errors.ts";

export type GetTransactionHashParameters = { transaction: SignedTx };
export type GetTransactionHashReturnType = Uint8Array;
export type GetTransactionHashErrorType = InvalidTransactionErrorType;

/**
 * The 32-byte hash a lane's receipt names: `hashTagged("bitlayer/lane-tx/v1",
 * canonical signed bytes)` (docs/spec/lane-transactions.md). Signatures are
 * included, so compute it after signing.
 *
 * @example
 * const hash = toHex(getTransactionHash({ transaction: signed }));
 */
export function getTransactionHash({
  transaction,
}: GetTransactionHashParameters): GetTransactionHashReturnType {
  return txHash(encode(signedTxCodec, transaction));
}
