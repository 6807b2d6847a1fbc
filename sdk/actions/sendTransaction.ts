import { toHex } from "../../shared/bytes.ts";
import { getTransactionHash } from "../../shared/sdk/getTransactionHash.ts";
import { serializeTransaction } from "../../shared/sdk/serializeTransaction.ts";
import type { SignedTx } from "../../shared/stf/tx.ts";
import type { BitlayerClientBase } from "../client.ts";
import type {
  HttpRequestErrorType,
  RequestRefusedErrorType,
  ServerErrorType,
  TransactionRejectedErrorType,
  VerificationErrorType,
} from "../errors.ts";
import { checkReceipt, forgetNonce } from "../internal.ts";
import { edgeRequest } from "../request.ts";
import type { ReceiptView, TransactionResult } from "../types.ts";
import { type PrepareTransactionParameters, prepareTransaction } from "./prepareTransaction.ts";

export type SendTransactionParameters = PrepareTransactionParameters | { transaction: SignedTx };
export type SendTransactionReturnType = TransactionResult;
export type SendTransactionErrorType =
  | TransactionRejectedErrorType
  | RequestRefusedErrorType
  | ServerErrorType
  | HttpRequestErrorType
  | VerificationErrorType;

type Included = { index: number; status: "included"; duplicate: boolean; receipt: ReceiptView };

/**
 * Signs (unless given a signed transaction) and submits one lane transaction,
 * and returns its signed receipt once the sequencer has made it durable
 * (status `soft`). The receipt's signature is checked against the lane's
 * sequencer key. A rejection by the lane's state transition function throws
 * TransactionRejectedError with the reason (e.g. "BalanceInsufficient") and
 * changes nothing.
 *
 * @example
 * const { hash, receipt } = await sendTransaction(client, {
 *   account: alice,
 *   payload: transferPayload({ to: bob.publicKey, amount: 1_000n }),
 * });
 * console.log(receipt.finality); // "soft"
 */
export async function sendTransaction(
  client: BitlayerClientBase,
  p: SendTransactionParameters,
): Promise<SendTransactionReturnType> {
  const { transaction, nonceReserved } =
    "transaction" in p
      ? { transaction: p.transaction, nonceReserved: false }
      : await prepareTransaction(client, p);
  const hash = toHex(getTransactionHash({ transaction }));
  let answer: Included;
  try {
    answer = await edgeRequest<Included>(client, `/v1/lanes/${client.lane}/txs`, {
      method: "POST",
      body: { tx: serializeTransaction({ transaction, format: "hex" }) },
    });
  } catch (error) {
    // Rejected or unknown outcome: the reserved nonce may be unused, so read it again next time.
    if (nonceReserved) forgetNonce(client, transaction.body.sender);
    throw error;
  }
  const receipt = await checkReceipt(client, answer.receipt, hash);
  return { hash, duplicate: answer.duplicate, receipt };
}
