import type { PayloadOf } from "../../settlement-node/ledger/tx.ts";
import type { WithdrawalProof } from "./getWithdrawalProof.ts";
import { WithdrawalNotFinalError } from "./withdrawalErrors.ts";

export type BuildWithdrawalClaimParameters = { proof: WithdrawalProof };
/** A settlement payload: sign it with signSettlementTransaction and POST it to a validator. */
export type BuildWithdrawalClaimReturnType = PayloadOf<"claimWithdrawal">;
export type BuildWithdrawalClaimErrorType = WithdrawalNotFinalError;

/**
 * The claimWithdrawal settlement payload for a withdrawal whose checkpoint
 * is final. Settlement pays it once per (lane, withdrawal id), to the
 * settlement account of the leaf's recipient key, whoever sends it; a second
 * claim is rejected with code 66 (WithdrawalAlreadyPaid).
 *
 * @example
 * const proof = await getWithdrawalProof({ url: edgeUrl, lane: 1, withdrawalId: 0n, fetch });
 * const payload = buildWithdrawalClaim({ proof }); // throws WithdrawalNotFinalError before final
 * const { serialized } = signSettlementTransaction({ chainId, account, nonce, fee: 10n, payload });
 */
export function buildWithdrawalClaim({
  proof,
}: BuildWithdrawalClaimParameters): BuildWithdrawalClaimReturnType {
  if (proof.finality !== "final" || !proof.checkpoint || !proof.proof)
    throw new WithdrawalNotFinalError(proof.lane, proof.withdrawalId, proof.finality);
  return {
    type: "claimWithdrawal",
    lane: proof.lane,
    checkpointIndex: proof.checkpoint.index,
    withdrawal: proof.leaf,
    proof: proof.proof,
  };
}
