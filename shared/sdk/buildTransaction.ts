import { CodecError, encode } from "../codec/index.ts";
import type { TxBody, TxPayload } from "../stf/tx.ts";
import { txBodyCodec } from "../stf/tx.ts";
import { InvalidTransactionError, type InvalidTransactionErrorType } from "./errors.ts";
import type { Account } from "./secretKeyToAccount.ts";

export type BuildTransactionParameters = {
  /** The chain the transaction is for; part of what is signed. */
  chainId: string;
  /** The execution lane (≥ 1); part of what is signed. */
  lane: number;
  /** Who sends and pays: an account or its 32-byte public key. */
  sender: Account | Uint8Array;
  /** The sender's next account nonce on this lane. */
  nonce: bigint;
  /** The most the sender pays per unit of gas (≥ the block's base fee). */
  maxFeePerGas: bigint;
  /** Tip per unit of gas to the sequencer, ≤ maxFeePerGas. Default 0. */
  tipPerGas?: bigint;
  /** 32 bytes; a retry with the same key returns the same receipt. Default none. */
  idempotencyKey?: Uint8Array | null;
  /** From one of the payload builders (transferPayload, tradePayload, …). */
  payload: TxPayload;
};

export type BuildTransactionReturnType = TxBody;
export type BuildTransactionErrorType = InvalidTransactionErrorType;

/**
 * Assembles the unsigned body of a lane transaction and checks that it has a
 * canonical encoding (every integer in range, every length within its limit),
 * so a built transaction always signs and encodes.
 *
 * @example
 * const tx = buildTransaction({
 *   chainId: "bitlayer-devnet",
 *   lane: 1,
 *   sender: alice,
 *   nonce: 0n,
 *   maxFeePerGas: 10n,
 *   payload: transferPayload({ to: bob.publicKey, amount: 1_000n }),
 * });
 */
export function buildTransaction(parameters: BuildTransactionParameters): BuildTransactionReturnType {
  const { sender } = parameters;
  const body: TxBody = {
    chainId: parameters.chainId,
    lane: parameters.lane,
    sender: sender instanceof Uint8Array ? sender : sender.publicKey,
    nonce: parameters.nonce,
    maxFeePerGas: parameters.maxFeePerGas,
    tipPerGas: parameters.tipPerGas ?? 0n,
    idempotencyKey: parameters.idempotencyKey ?? null,
    payload: parameters.payload,
  };
  assertEncodable(body);
  return body;
}

/** Encodes the body once to prove it is canonical; turns a CodecError into an InvalidTransactionError. */
export function assertEncodable(body: TxBody): Uint8Array {
  try {
    return encode(txBodyCodec, body);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    throw new InvalidTransactionError(`Invalid transaction: ${error.shortMessage}`, error.field, {
      cause: error,
      details: `codec error ${error.code}`,
    });
  }
}
