import type { SettlementPayload } from "../../settlement-node/ledger/tx.ts";
import type { Account } from "../../shared/sdk/secretKeyToAccount.ts";
import { signSettlementTransaction } from "../../shared/sdk/signSettlementTransaction.ts";
import type { BitlayerClientBase } from "../client.ts";
import {
  ConflictError,
  type RequestRefusedErrorType,
  type SettlementUnavailableErrorType,
  TransactionRejectedError,
  type TransactionRejectedErrorType,
} from "../errors.ts";
import { settlementRequest } from "../request.ts";
import { getSettlementAccount } from "./getSettlementAccount.ts";
import { getSettlementHeight } from "./getSettlementHeight.ts";

/** The devnet's minimum settlement fee; pass `fee` for a chain with another minimum. */
export const SETTLEMENT_FEE_DEFAULT = 10n;

export type SendSettlementTransactionParameters = {
  account: Account;
  payload: SettlementPayload;
  /** Default 10 (the devnet's minimum). */
  fee?: bigint;
  /** Default: the account's next nonce on settlement (re-read once if a validator says it is stale). */
  nonce?: bigint;
};
export type SendSettlementTransactionReturnType = {
  /** "0x…" transaction hash, as settlement blocks list it. */
  hash: string;
  nonce: bigint;
  /** Settlement height when the transaction was admitted: it lands in a later block. */
  submittedAtHeight: bigint;
};
export type SendSettlementTransactionErrorType =
  | TransactionRejectedErrorType
  | RequestRefusedErrorType
  | SettlementUnavailableErrorType;

const STALE_NONCE = new Set(["nonce_replayed", "nonce_mismatch"]);

/**
 * Signs a settlement transaction and submits it to the first validator that
 * answers (failover across `settlementUrls`). Resolves once a validator
 * admitted it to its mempool (HTTP 202); waitForSettlementTransaction
 * follows it into a block.
 *
 * @example
 * const { hash, submittedAtHeight } = await sendSettlementTransaction(client, {
 *   account: alice,
 *   payload: { type: "transfer", to: parseAddress(bob.address), amount: 10n },
 * });
 */
export async function sendSettlementTransaction(
  client: BitlayerClientBase,
  p: SendSettlementTransactionParameters,
): Promise<SendSettlementTransactionReturnType> {
  const submittedAtHeight = await getSettlementHeight(client);
  for (let attempt = 0; ; attempt++) {
    const nonce = p.nonce ?? (await getSettlementAccount(client, { address: p.account })).nonce;
    const signed = signSettlementTransaction({
      chainId: client.chainId,
      account: p.account,
      nonce,
      fee: p.fee ?? SETTLEMENT_FEE_DEFAULT,
      payload: p.payload,
    });
    try {
      await settlementRequest(client, "/v1/txs", { method: "POST", body: { tx: signed.serialized } });
      return { hash: signed.hash, nonce, submittedAtHeight };
    } catch (error) {
      const stale =
        (error instanceof ConflictError || error instanceof TransactionRejectedError) &&
        STALE_NONCE.has(error.code);
      // Another transaction of this account took the nonce between our read and our submit: read again once.
      if (stale && p.nonce === undefined && attempt === 0) continue;
      throw error;
    }
  }
}
