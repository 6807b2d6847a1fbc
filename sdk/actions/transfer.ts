import { transferPayload } from "../../shared/sdk/payloads.ts";
import type { BitlayerClientBase } from "../client.ts";
import { type LaneAddress, publicKeyOf } from "../internal.ts";
import type { PrepareTransactionParameters } from "./prepareTransaction.ts";
import {
  type SendTransactionErrorType,
  type SendTransactionReturnType,
  sendTransaction,
} from "./sendTransaction.ts";

export type TransferParameters = Omit<PrepareTransactionParameters, "payload" | "cosigners"> & {
  /** The recipient on the lane: an Account, its public key, or the key as hex. */
  to: LaneAddress;
  /** Base units of the native token (> 0). */
  amount: bigint;
};
export type TransferReturnType = SendTransactionReturnType;
export type TransferErrorType = SendTransactionErrorType;

/**
 * Moves native tokens to another lane account; answers with the signed receipt (`soft`).
 *
 * @example
 * const { hash } = await client.transfer({ account: alice, to: bob.publicKey, amount: 1_000n });
 */
export function transfer(client: BitlayerClientBase, p: TransferParameters): Promise<TransferReturnType> {
  const { to, amount, ...rest } = p;
  return sendTransaction(client, {
    ...rest,
    payload: transferPayload({ to: publicKeyOf(to, "to"), amount }),
  });
}
