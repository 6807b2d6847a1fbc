import {
  getWithdrawalProof as getWithdrawalProofFromEdge,
  type GetWithdrawalProofErrorType as SharedErrorType,
  type WithdrawalProof,
} from "../../shared/sdk/getWithdrawalProof.ts";
import { WithdrawalNotFoundError } from "../../shared/sdk/withdrawalErrors.ts";
import type { BitlayerClientBase } from "../client.ts";

export type { WithdrawalProof };
export type GetWithdrawalProofActionParameters = { withdrawalId: bigint | number | string };
export type GetWithdrawalProofActionReturnType = WithdrawalProof;
export type GetWithdrawalProofActionErrorType = SharedErrorType;

/**
 * A lane withdrawal's leaf and its Merkle proof against the root of the
 * checkpoint that holds it (null until that checkpoint is built), checked
 * locally, with the lane's view of its finality: shared/sdk
 * getWithdrawalProof bound to this client's edge, lane and fetch.
 * WithdrawalNotFoundError if the lane has no such withdrawal.
 *
 * @example
 * const { leaf, proof, checkpoint, finality } = await client.getWithdrawalProof({ withdrawalId: 0n });
 */
export function getWithdrawalProof(
  client: BitlayerClientBase,
  p: GetWithdrawalProofActionParameters,
): Promise<GetWithdrawalProofActionReturnType> {
  return getWithdrawalProofFromEdge({
    url: client.edgeUrl,
    lane: client.lane,
    withdrawalId: BigInt(p.withdrawalId),
    fetch: client.transport.fetch,
  });
}

/** As getWithdrawalProof, null when the lane has no such withdrawal (yet). */
export async function getWithdrawalProofOrNull(
  client: BitlayerClientBase,
  withdrawalId: bigint,
): Promise<WithdrawalProof | null> {
  try {
    return await getWithdrawalProof(client, { withdrawalId });
  } catch (error) {
    if (error instanceof WithdrawalNotFoundError) return null;
    throw error;
  }
}
