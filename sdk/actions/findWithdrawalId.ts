import { fromHex, toHex } from "../../shared/bytes.ts";
import { decodeBlock } from "../../shared/lane/batch.ts";
import { decodeSignedTx } from "../../shared/stf/index.ts";
import type { BitlayerClientBase } from "../client.ts";
import { WithdrawalError, type WithdrawalErrorType } from "../errors.ts";
import { strip0x } from "../internal.ts";
import { edgeRequest } from "../request.ts";
import type { ReceiptView } from "../types.ts";
import { getWithdrawalProofOrNull, type WithdrawalProof } from "./getWithdrawalProof.ts";

export type FindWithdrawalIdParameters = {
  /** The signed receipt of the lane `withdraw` transaction. */
  receipt: ReceiptView;
};
export type FindWithdrawalIdReturnType = { withdrawalId: bigint; proof: WithdrawalProof };
export type FindWithdrawalIdErrorType = WithdrawalErrorType;

type BlockRow = { height: number; encoded: string };

/**
 * The lane-wide id of the withdrawal a `withdraw` transaction created. Ids
 * are assigned in execution order, so it is (first id of the receipt's
 * block) + (withdraw transactions before it in the block): the block comes
 * from the lane, the first id by a binary search over the withdrawal leaves
 * (ordered by height), and the leaf found is checked against the transaction.
 *
 * @example
 * const { receipt } = await client.sendTransaction({ account, payload: withdrawPayload({ ... }) });
 * const { withdrawalId } = await client.findWithdrawalId({ receipt });
 */
export async function findWithdrawalId(
  client: BitlayerClientBase,
  p: FindWithdrawalIdParameters,
): Promise<FindWithdrawalIdReturnType> {
  const height = BigInt(p.receipt.receipt.height);
  const { blocks } = await edgeRequest<{ blocks: BlockRow[] }>(
    client,
    `/v1/lanes/${client.lane}/blocks?from=${height}&limit=1`,
  );
  const row = blocks[0];
  if (!row || BigInt(row.height) !== height)
    throw new WithdrawalError("locate", `The lane does not serve block ${height} of the withdrawal.`);
  const block = decodeBlock(fromHex(strip0x(row.encoded)));
  const index = p.receipt.receipt.index;
  const mine = block.txs[index] ? decodeSignedTx(block.txs[index]!) : null;
  if (mine?.body.payload.type !== "withdraw")
    throw new WithdrawalError("locate", `Transaction ${index} of block ${height} is not a withdrawal.`);
  const before = block.txs
    .slice(0, index)
    .filter((t) => decodeSignedTx(t).body.payload.type === "withdraw").length;

  // First id whose leaf is at this height or later: leaves are ordered by height.
  const heightOf = async (id: bigint): Promise<bigint | null> => {
    const v = await getWithdrawalProofOrNull(client, id);
    return v ? v.withdrawal.height : null;
  };
  let hi = 1n;
  for (;;) {
    const h = await heightOf(hi - 1n);
    if (h === null || h >= height) break;
    hi *= 2n;
  }
  let lo = hi === 1n ? 0n : hi / 2n; // ids below lo are at lower heights
  hi -= 1n; // heightOf(hi) is null or ≥ height
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    const h = await heightOf(mid);
    if (h !== null && h < height) lo = mid + 1n;
    else hi = mid;
  }
  const withdrawalId = lo + BigInt(before);
  const proof = await getWithdrawalProofOrNull(client, withdrawalId);
  const w = mine.body.payload;
  if (
    !proof ||
    proof.withdrawal.height !== height ||
    proof.withdrawal.amount !== w.amount ||
    toHex(proof.withdrawal.recipient) !== toHex(w.recipient)
  )
    throw new WithdrawalError(
      "locate",
      `Withdrawal ${withdrawalId} on the lane does not match the transaction.`,
    );
  return { withdrawalId, proof };
}
