import { fromHex } from "../../shared/bytes.ts";
import { transferItemPayload } from "../../shared/sdk/payloads.ts";
import type { BitlayerClientBase } from "../client.ts";
import { type LaneAddress, publicKeyOf, strip0x } from "../internal.ts";
import type { PrepareTransactionParameters } from "./prepareTransaction.ts";
import {
  type SendTransactionErrorType,
  type SendTransactionReturnType,
  sendTransaction,
} from "./sendTransaction.ts";

export type TransferItemParameters = Omit<PrepareTransactionParameters, "payload" | "cosigners"> & {
  itemId: string | Uint8Array;
  to: LaneAddress;
};
export type TransferItemReturnType = SendTransactionReturnType;
export type TransferItemErrorType = SendTransactionErrorType;

/**
 * Gives an item the sender owns to `to`.
 *
 * @example
 * await client.transferItem({ account: alice, itemId, to: bob.publicKey });
 */
export function transferItem(
  client: BitlayerClientBase,
  p: TransferItemParameters,
): Promise<TransferItemReturnType> {
  const { itemId, to, ...rest } = p;
  return sendTransaction(client, {
    ...rest,
    payload: transferItemPayload({
      itemId: typeof itemId === "string" ? fromHex(strip0x(itemId)) : itemId,
      to: publicKeyOf(to, "to"),
    }),
  });
}
