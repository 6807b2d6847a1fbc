import { toHex } from "../bytes.ts";
import { CodecError } from "../codec/index.ts";
import {
  encodeSettlementTx,
  type SettlementPayload,
  type SignedSettlementTx,
  settlementTxHash,
  settlementTxSignBytes,
} from "../../settlement-node/ledger/tx.ts";
import { SETTLEMENT_TX_BYTES_MAX } from "../../settlement-node/ledger/limits.ts";
import { InvalidTransactionError, type InvalidTransactionErrorType } from "./errors.ts";
import type { Account } from "./secretKeyToAccount.ts";

export type SignSettlementTransactionParameters = {
  chainId: string;
  /** The sender: signs and pays `fee` on settlement. */
  account: Account;
  /** The sender's next settlement nonce (GET /v1/accounts/:address `nonce`). */
  nonce: bigint;
  /** Base units paid to settlement (≥ the chain's minimum fee). */
  fee: bigint;
  /** A settlement payload, e.g. { type: "depositToLane", lane, recipient, amount }. */
  payload: SettlementPayload;
};
export type SignSettlementTransactionReturnType = {
  transaction: SignedSettlementTx;
  /** Canonical bytes (settlement-node/ledger/tx.ts encodeSettlementTx). */
  bytes: Uint8Array;
  /** "0x" + hex of `bytes`: the body of POST /v1/txs ({ tx }). */
  serialized: string;
  /** "0x" + hex of the transaction hash, as settlement's blocks list it. */
  hash: string;
};
export type SignSettlementTransactionErrorType = InvalidTransactionErrorType;

/**
 * Signs a settlement transaction over its domain-separated sign bytes
 * (chain id, lane 0, message type SettlementTx; the nonce is in the body) and
 * encodes it canonically. Pure: the same inputs give the same bytes in every
 * runtime, using settlement's own encoder (settlement-node/ledger/tx.ts).
 *
 * @example
 * const { serialized } = signSettlementTransaction({
 *   chainId: "bitlayer-devnet", account: alice, nonce: 3n, fee: 10n,
 *   payload: { type: "depositToLane", lane: 1, recipient: alice.publicKey, amount: 5_000n },
 * });
 * await fetch(`${validatorUrl}/v1/txs`, { method: "POST", body: JSON.stringify({ tx: serialized }) });
 */
export function signSettlementTransaction(
  p: SignSettlementTransactionParameters,
): SignSettlementTransactionReturnType {
  const body = { sender: p.account.publicKey, nonce: p.nonce, fee: p.fee, payload: p.payload };
  let bytes: Uint8Array;
  let transaction: SignedSettlementTx;
  try {
    transaction = { body, signature: p.account.sign(settlementTxSignBytes(p.chainId, body)) };
    bytes = encodeSettlementTx(transaction);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    throw new InvalidTransactionError(`Invalid settlement transaction: ${error.shortMessage}`, error.field, {
      cause: error,
      docsPath: "spec/settlement-transactions.md",
    });
  }
  if (bytes.length > SETTLEMENT_TX_BYTES_MAX)
    throw new InvalidTransactionError(
      `The settlement transaction is ${bytes.length} bytes; settlement accepts at most ${SETTLEMENT_TX_BYTES_MAX}.`,
      "",
    );
  return { transaction, bytes, serialized: `0x${toHex(bytes)}`, hash: `0x${toHex(settlementTxHash(bytes))}` };
}
