import type { SignedTx, TxPayload } from "../../shared/stf/tx.ts";
import { buildTransaction } from "../../shared/sdk/buildTransaction.ts";
import type { InvalidTransactionErrorType, MissingSignerErrorType } from "../../shared/sdk/errors.ts";
import type { Account } from "../../shared/sdk/secretKeyToAccount.ts";
import { signTransaction } from "../../shared/sdk/signTransaction.ts";
import type { BitlayerClientBase } from "../client.ts";
import type { RequestRefusedErrorType } from "../errors.ts";
import { feeCapOf, forgetNonce, reserveNonce } from "../internal.ts";

export type PrepareTransactionParameters = {
  /** The sender: signs and pays the fee. */
  account: Account;
  /** From a payload builder (transferPayload, tradePayload, …). */
  payload: TxPayload;
  /** Other required signers: a trade's counterparty. */
  cosigners?: readonly Account[];
  /** Default: the next nonce of the sender on this lane (reserved, so concurrent sends do not collide). */
  nonce?: bigint;
  /** Default: the client's maxFeePerGas, else twice the lane's base fee. */
  maxFeePerGas?: bigint;
  tipPerGas?: bigint;
  /** 32 bytes: a retry with the same key returns the first receipt instead of a second transaction. */
  idempotencyKey?: Uint8Array | null;
};
export type PrepareTransactionReturnType = {
  transaction: SignedTx;
  /** True when the nonce was reserved by the client (and must be forgotten if the send fails). */
  nonceReserved: boolean;
};
export type PrepareTransactionErrorType =
  | InvalidTransactionErrorType
  | MissingSignerErrorType
  | RequestRefusedErrorType;

/**
 * Fills in what a lane transaction needs from the network (the sender's next
 * nonce, a fee cap from the lane's base fee) and signs it with the sender
 * and any cosigner. Nothing is sent.
 *
 * @example
 * const { transaction } = await prepareTransaction(client, {
 *   account: alice,
 *   payload: transferPayload({ to: bob.publicKey, amount: 5n }),
 * });
 */
export async function prepareTransaction(
  client: BitlayerClientBase,
  p: PrepareTransactionParameters,
): Promise<PrepareTransactionReturnType> {
  const maxFeePerGas = await feeCapOf(client, p.maxFeePerGas);
  const nonceReserved = p.nonce === undefined;
  const nonce = p.nonce ?? (await reserveNonce(client, p.account.publicKey));
  try {
    const body = buildTransaction({
      chainId: client.chainId,
      lane: client.lane,
      sender: p.account,
      nonce,
      maxFeePerGas,
      ...(p.tipPerGas === undefined ? {} : { tipPerGas: p.tipPerGas }),
      idempotencyKey: p.idempotencyKey ?? null,
      payload: p.payload,
    });
    const transaction = signTransaction({ transaction: body, accounts: [p.account, ...(p.cosigners ?? [])] });
    return { transaction, nonceReserved };
  } catch (error) {
    // The reserved nonce will not be used: the next send must read it again.
    if (nonceReserved) forgetNonce(client, p.account.publicKey);
    throw error;
  }
}
