/**
 * The Bitlayer SDK client (docs/sdk.md): `createBitlayerClient` plus one
 * action per file in sdk/actions/, typed errors, and the pure building
 * blocks of shared/sdk (keys, transaction building and signing, the light
 * client). Runs in Node, browsers and Workers: the network and the clock come
 * from the transport (`http()`); time controls for tests are in sdk/testing.
 *
 * The client lives in sdk/ rather than shared/sdk because waiting, polling and
 * WebSockets need timers and fetch, which the purity lint bans in shared/.
 *
 * @example
 * import { createBitlayerClient, secretKeyToAccount } from "bitlayer/sdk";
 * const client = createBitlayerClient({ edgeUrl, settlementUrls, chainId, lane: 1 });
 * const alice = secretKeyToAccount({ secretKey });
 * const { hash } = await client.transfer({ account: alice, to: bobPublicKey, amount: 10n });
 */
export * from "../shared/sdk/index.ts";
export { BitlayerError, type BitlayerErrorOptions } from "../shared/errors.ts";
export { NATIVE_ASSET, itemIdOf, tokenIdOf } from "../shared/stf/records.ts";
export { TxStatus, txStatusName } from "../shared/stf/codes.ts";
export * from "./actions/claimWithdrawal.ts";
export * from "./actions/createToken.ts";
export * from "./actions/deposit.ts";
export * from "./actions/estimateTimeToFinal.ts";
export * from "./actions/findWithdrawalId.ts";
export * from "./actions/getSettlementAccount.ts";
export * from "./actions/getSettlementHeight.ts";
export * from "./actions/getValidators.ts";
export * from "./actions/getVerifiedSettlementBlock.ts";
export {
  type GetWithdrawalProofActionErrorType,
  type GetWithdrawalProofActionParameters,
  type GetWithdrawalProofActionReturnType,
  getWithdrawalProof,
} from "./actions/getWithdrawalProof.ts";
export * from "./actions/sendSettlementTransaction.ts";
export * from "./actions/waitForSettlementTransaction.ts";
export * from "./actions/watchReceipts.ts";
export * from "./actions/withdraw.ts";
export * from "./actions/getAccount.ts";
export * from "./actions/getItem.ts";
export * from "./actions/getLaneStatus.ts";
export * from "./actions/getReceipt.ts";
export * from "./actions/getTokenBalance.ts";
export * from "./actions/getTransactionStatus.ts";
export * from "./actions/mintItem.ts";
export * from "./actions/mintToken.ts";
export * from "./actions/prepareTransaction.ts";
export * from "./actions/sendBatch.ts";
export * from "./actions/sendTransaction.ts";
export * from "./actions/trade.ts";
export * from "./actions/transfer.ts";
export * from "./actions/transferItem.ts";
export * from "./actions/waitForStatus.ts";
export {
  type BitlayerClient,
  type BitlayerClientBase,
  type BitlayerClientConfig,
  createBitlayerClient,
} from "./client.ts";
export type { BitlayerActions } from "./decorators.ts";
export * from "./errors.ts";
export { errorFromResponse } from "./request.ts";
export {
  type Fetch,
  type HttpTransportOptions,
  http,
  type Transport,
  type WebSocketConstructor,
} from "./transport.ts";
export * from "./types.ts";
export type { FinalityStatus } from "./types.ts";
