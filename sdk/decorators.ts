/**
 * Binds every action to a client (viem's decorators): `client.transfer(p)`
 * is `transfer(client, p)`.
 */
import type { BitlayerClientBase } from "./client.ts";
import { createToken } from "./actions/createToken.ts";
import { claimWithdrawal } from "./actions/claimWithdrawal.ts";
import { deposit } from "./actions/deposit.ts";
import { estimateTimeToFinal } from "./actions/estimateTimeToFinal.ts";
import { findWithdrawalId } from "./actions/findWithdrawalId.ts";
import { getSettlementAccount } from "./actions/getSettlementAccount.ts";
import { getSettlementHeight } from "./actions/getSettlementHeight.ts";
import { getValidators } from "./actions/getValidators.ts";
import { getVerifiedSettlementBlock } from "./actions/getVerifiedSettlementBlock.ts";
import { getWithdrawalProof } from "./actions/getWithdrawalProof.ts";
import { sendSettlementTransaction } from "./actions/sendSettlementTransaction.ts";
import { waitForSettlementTransaction } from "./actions/waitForSettlementTransaction.ts";
import { watchReceipts } from "./actions/watchReceipts.ts";
import { withdraw } from "./actions/withdraw.ts";
import { getAccount } from "./actions/getAccount.ts";
import { getItem } from "./actions/getItem.ts";
import { getLaneStatus } from "./actions/getLaneStatus.ts";
import { getReceipt } from "./actions/getReceipt.ts";
import { getTokenBalance } from "./actions/getTokenBalance.ts";
import { getTransactionStatus } from "./actions/getTransactionStatus.ts";
import { mintItem } from "./actions/mintItem.ts";
import { mintToken } from "./actions/mintToken.ts";
import { prepareTransaction } from "./actions/prepareTransaction.ts";
import { sendBatch } from "./actions/sendBatch.ts";
import { sendTransaction } from "./actions/sendTransaction.ts";
import { trade } from "./actions/trade.ts";
import { transfer } from "./actions/transfer.ts";
import { transferItem } from "./actions/transferItem.ts";
import { waitForStatus } from "./actions/waitForStatus.ts";

type Bound<F> = F extends (client: BitlayerClientBase, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;

const ACTIONS = {
  claimWithdrawal,
  createToken,
  deposit,
  estimateTimeToFinal,
  findWithdrawalId,
  getSettlementAccount,
  getSettlementHeight,
  getValidators,
  getVerifiedSettlementBlock,
  getWithdrawalProof,
  sendSettlementTransaction,
  waitForSettlementTransaction,
  watchReceipts,
  withdraw,
  createItem: mintItem,
  getAccount,
  getItem,
  getLaneStatus,
  getReceipt,
  getTokenBalance,
  getTransactionStatus,
  mintItem,
  mintToken,
  prepareTransaction,
  sendBatch,
  sendTransaction,
  trade,
  transfer,
  transferItem,
  waitForStatus,
} as const;

export type BitlayerActions = { [K in keyof typeof ACTIONS]: Bound<(typeof ACTIONS)[K]> };

export function bitlayerActions(client: BitlayerClientBase): BitlayerActions {
  const bound: Record<string, unknown> = {};
  for (const [name, action] of Object.entries(ACTIONS))
    bound[name] = (...args: unknown[]) =>
      (action as (c: BitlayerClientBase, ...a: unknown[]) => unknown)(client, ...args);
  return bound as BitlayerActions;
}
