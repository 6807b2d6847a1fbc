import { toHex } from "../../shared/bytes.ts";
import { getTransactionHash } from "../../shared/sdk/getTransactionHash.ts";
import { serializeTransaction } from "../../shared/sdk/serializeTransaction.ts";
import type { SignedTx } from "../../shared/stf/tx.ts";
import type { BitlayerClientBase } from "../client.ts";
import { ClientConfigError } from "../errors.ts";
import { checkReceipt, forgetNonce } from "../internal.ts";
import { edgeRequest } from "../request.ts";
import type { ReceiptView } from "../types.ts";
import { prepareTransaction } from "./prepareTransaction.ts";
import type { SendTransactionErrorType, SendTransactionParameters } from "./sendTransaction.ts";

/** The edge takes at most this many transactions per request (workers/src/limits.ts). */
export const BATCH_TRANSACTIONS_MAX = 256;

export type SendBatchParameters = { transactions: readonly SendTransactionParameters[] };
export type BatchOutcome =
  | { status: "included"; hash: string; duplicate: boolean; receipt: ReceiptView }
  | { status: "rejected"; hash: string; reason: string; code: number };
export type SendBatchReturnType = { results: BatchOutcome[] };
export type SendBatchErrorType = SendTransactionErrorType;

type Answer = {
  results: (
    | { index: number; status: "included"; duplicate: boolean; receipt: ReceiptView }
    | { index: number; status: "rejected"; code: number; reason: string; txHash: string }
  )[];
};

/**
 * Submits up to 256 lane transactions in one request: the lane verifies their
 * signatures together and answers one outcome per transaction, in order
 * (a rejected one does not stop the others). Transactions without a nonce
 * get consecutive nonces per sender, in list order.
 *
 * @example
 * const { results } = await sendBatch(client, {
 *   transactions: players.map((p) => ({ account: game, payload: mintItemPayload({ ... , owner: p.publicKey }) })),
 * });
 * const rejected = results.filter((r) => r.status === "rejected");
 */
export async function sendBatch(
  client: BitlayerClientBase,
  p: SendBatchParameters,
): Promise<SendBatchReturnType> {
  if (p.transactions.length === 0 || p.transactions.length > BATCH_TRANSACTIONS_MAX)
    throw new ClientConfigError(
      "transactions",
      `sendBatch takes 1..${BATCH_TRANSACTIONS_MAX} transactions, got ${p.transactions.length}.`,
    );
  const prepared: { transaction: SignedTx; nonceReserved: boolean }[] = [];
  try {
    for (const t of p.transactions)
      prepared.push(
        "transaction" in t
          ? { transaction: t.transaction, nonceReserved: false }
          : await prepareTransaction(client, t),
      );
  } catch (error) {
    for (const q of prepared) if (q.nonceReserved) forgetNonce(client, q.transaction.body.sender);
    throw error;
  }
  const hashes = prepared.map((q) => toHex(getTransactionHash({ transaction: q.transaction })));
  let answer: Answer;
  try {
    answer = await edgeRequest<Answer>(client, `/v1/lanes/${client.lane}/txs`, {
      method: "POST",
      body: { txs: prepared.map((q) => serializeTransaction({ transaction: q.transaction, format: "hex" })) },
    });
  } catch (error) {
    for (const q of prepared) if (q.nonceReserved) forgetNonce(client, q.transaction.body.sender);
    throw error;
  }
  const results: BatchOutcome[] = [];
  for (const [i, r] of answer.results.entries()) {
    if (r.status === "included")
      results.push({
        status: "included",
        hash: hashes[i]!,
        duplicate: r.duplicate,
        receipt: await checkReceipt(client, r.receipt, hashes[i]),
      });
    else {
      // A rejected transaction leaves its nonce unused: later reserved nonces of that sender are off.
      if (prepared[i]!.nonceReserved) forgetNonce(client, prepared[i]!.transaction.body.sender);
      results.push({ status: "rejected", hash: hashes[i]!, reason: r.reason, code: r.code });
    }
  }
  return { results };
}
