import type { Account } from "../../shared/sdk/secretKeyToAccount.ts";
import { tradePayload } from "../../shared/sdk/payloads.ts";
import type { TradeAsset } from "../../shared/stf/tx.ts";
import type { BitlayerClientBase } from "../client.ts";
import type { PrepareTransactionParameters } from "./prepareTransaction.ts";
import {
  type SendTransactionErrorType,
  type SendTransactionReturnType,
  sendTransaction,
} from "./sendTransaction.ts";

export type TradeParameters = Omit<PrepareTransactionParameters, "payload" | "cosigners"> & {
  /** The other party: both sign the one transaction, so neither side can be changed after signing. */
  counterparty: Account;
  /** What `account` gives (nativeAsset, tokenAsset, itemAsset). */
  give: readonly TradeAsset[];
  /** What `account` receives from the counterparty. */
  take: readonly TradeAsset[];
};
export type TradeReturnType = SendTransactionReturnType;
export type TradeErrorType = SendTransactionErrorType;

/**
 * An atomic swap between two lane accounts: every leg moves or none does.
 * The sender pays the fee. To have the counterparty sign elsewhere, build the
 * transaction with buildTransaction + signTransaction and send it with
 * sendTransaction({ transaction }).
 *
 * @example
 * await client.trade({
 *   account: alice, counterparty: bob,
 *   give: [nativeAsset(250n)], take: [itemAsset(fromHex(swordId))],
 * });
 */
export function trade(client: BitlayerClientBase, p: TradeParameters): Promise<TradeReturnType> {
  const { counterparty, give, take, ...rest } = p;
  return sendTransaction(client, {
    ...rest,
    cosigners: [counterparty],
    payload: tradePayload({ counterparty: counterparty.publicKey, give: [...give], take: [...take] }),
  });
}
