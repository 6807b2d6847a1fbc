import { buildWithdrawalClaim } from "../../shared/sdk/buildWithdrawalClaim.ts";
import type { Account } from "../../shared/sdk/secretKeyToAccount.ts";
import {
  WithdrawalNotFinalError,
  type WithdrawalNotFinalErrorType,
} from "../../shared/sdk/withdrawalErrors.ts";
import { toHex } from "../../shared/bytes.ts";
import type { BitlayerClientBase } from "../client.ts";
import { VerificationError, type VerificationErrorType } from "../errors.ts";
import { strip0x } from "../internal.ts";
import { settlementRequest } from "../request.ts";
import type { SettlementCheckpoint } from "../types.ts";
import { getWithdrawalProof } from "./getWithdrawalProof.ts";
import {
  type SendSettlementTransactionErrorType,
  sendSettlementTransaction,
} from "./sendSettlementTransaction.ts";
import {
  type WaitForSettlementTransactionErrorType,
  waitForSettlementTransaction,
} from "./waitForSettlementTransaction.ts";

export type ClaimWithdrawalParameters = {
  /** Signs and pays the settlement fee; the payout goes to the withdrawal's recipient whoever claims. */
  account: Account;
  withdrawalId: bigint;
  fee?: bigint;
  timeoutMs?: number;
};
export type ClaimWithdrawalReturnType = {
  /** The claim's settlement transaction ("0x…") and the block that paid it. */
  hash: string;
  height: bigint;
  checkpointIndex: bigint;
  amount: bigint;
};
export type ClaimWithdrawalErrorType =
  | SendSettlementTransactionErrorType
  | WaitForSettlementTransactionErrorType
  | VerificationErrorType
  | WithdrawalNotFinalErrorType;

/**
 * Claims a lane withdrawal on settlement once its checkpoint is final there:
 * reads the leaf and proof from the lane (checked against the lane's
 * checkpoint root), checks that *settlement* holds that same root for the
 * checkpoint and calls it final (the lane learns finality later, at its next
 * poll), then sends `claimWithdrawal` (shared/sdk buildWithdrawalClaim) and
 * follows it into a block. Settlement pays each withdrawal once: a second
 * claim fails with SettlementTransactionFailedError "WithdrawalAlreadyPaid".
 * WithdrawalNotFinalError while the checkpoint is not final yet.
 *
 * @example
 * const { hash, amount } = await client.claimWithdrawal({ account: alice, withdrawalId: 0n });
 */
export async function claimWithdrawal(
  client: BitlayerClientBase,
  p: ClaimWithdrawalParameters,
): Promise<ClaimWithdrawalReturnType> {
  const proof = await getWithdrawalProof(client, { withdrawalId: p.withdrawalId });
  if (!proof.checkpoint || !proof.proof)
    throw new WithdrawalNotFinalError(client.lane, p.withdrawalId, proof.finality);
  const held = await settlementRequest<SettlementCheckpoint>(
    client,
    `/v1/lanes/${client.lane}/checkpoints/${proof.checkpoint.index}`,
  );
  if (held.finality.status !== "final")
    throw new WithdrawalNotFinalError(client.lane, p.withdrawalId, held.finality.status);
  if (strip0x(held.newRoot) !== toHex(proof.checkpoint.root))
    throw new VerificationError(
      "withdrawal.checkpoint",
      `The lane proves withdrawal ${p.withdrawalId} against root ${toHex(proof.checkpoint.root)}, but settlement holds ${held.newRoot} for checkpoint ${held.index}.`,
    );
  // Settlement, not the lane, decides finality: build the claim with settlement's answer.
  const payload = buildWithdrawalClaim({ proof: { ...proof, finality: "final" } });
  const sent = await sendSettlementTransaction(client, {
    account: p.account,
    payload,
    ...(p.fee === undefined ? {} : { fee: p.fee }),
  });
  const included = await waitForSettlementTransaction(client, {
    hash: sent.hash,
    fromHeight: sent.submittedAtHeight,
    ...(p.timeoutMs === undefined ? {} : { timeoutMs: p.timeoutMs }),
  });
  return {
    hash: sent.hash,
    height: included.height,
    checkpointIndex: proof.checkpoint.index,
    amount: proof.withdrawal.amount,
  };
}
