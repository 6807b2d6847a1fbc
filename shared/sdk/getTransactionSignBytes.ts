import type { TxBody } from "../stf/tx.ts";
import { txSignBytes } from "../stf/tx.ts";
import { assertEncodable } from "./buildTransaction.ts";
import type { InvalidTransactionErrorType } from "./errors.ts";

export type GetTransactionSignBytesParameters = { transaction: TxBody };
export type GetTransactionSignBytesReturnType = Uint8Array;
export type GetTransactionSignBytesErrorType = InvalidTransactionErrorType;

/**
 * The exact bytes every signer of `transaction` signs:
 * `signBytes(MessageType.LaneTx, { chainId, lane }, encode(TxBody))`
 * (shared/domain.ts, docs/spec/README.md). For external signers (hardware
 * wallets, KMS); local accounts use signTransaction.
 *
 * @example
 * const message = getTransactionSignBytes({ transaction: tx });
 * const signature = await hsm.signEd25519(message);
 */
export function getTransactionSignBytes({
  transaction,
}: GetTransactionSignBytesParameters): GetTransactionSignBytesReturnType {
  assertEncodable(transaction);
  return txSignBytes(transaction);
}
