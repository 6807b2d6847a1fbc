/**
 * Checkpoints as settlement's postCheckpoint expects them (docs/spec/
 * settlement-transactions.md): the body, batch hash and sign-bytes come from
 * settlement-node/ledger/tx.ts itself, so the two sides cannot drift apart.
 */
import {
  batchHashOf,
  type CheckpointBody,
  checkpointSignBytes,
  type PayloadOf,
} from "../../settlement-node/ledger/tx.ts";
import { STF_VERSION } from "../stf/limits.ts";
import { BATCH_DATA_BYTES_MAX, batchDataBytes, batchDataOf } from "./batch.ts";
import { LaneCheckpointError } from "./errors.ts";
import type { Signer } from "./signer.ts";

export type PostCheckpoint = Omit<PayloadOf<"postCheckpoint">, "type">;

export type BuildCheckpointParameters = {
  chainId: string;
  lane: number;
  /** Settlement's checkpoint index for this lane (0 for the first). */
  index: bigint;
  prevRoot: Uint8Array;
  newRoot: Uint8Array;
  /** The lane record's withdrawal counter after the last block. */
  withdrawalCount: bigint;
  /** Settlement deposits of the lane consumed through the last block (see settlement-node/ledger/inbox.ts). */
  depositCursor?: bigint;
  /** Forced transactions of the lane included through the last block. */
  forcedCursor?: bigint;
  /** Canonical bytes of the sealed blocks, in height order. */
  encodedBlocks: readonly Uint8Array[];
  signer: Signer;
  stfVersion?: number;
};

export async function buildCheckpoint(p: BuildCheckpointParameters): Promise<PostCheckpoint> {
  if (p.encodedBlocks.length === 0) throw new LaneCheckpointError("A checkpoint needs at least one block.");
  const batchData = batchDataOf(p.encodedBlocks);
  if (batchData.length > BATCH_DATA_BYTES_MAX)
    throw new LaneCheckpointError(
      `Batch data is ${batchData.length} bytes; settlement accepts at most ${BATCH_DATA_BYTES_MAX}.`,
    );
  const body: CheckpointBody = {
    lane: p.lane,
    index: p.index,
    prevRoot: p.prevRoot,
    newRoot: p.newRoot,
    withdrawalCount: p.withdrawalCount,
    depositCursor: p.depositCursor ?? 0n,
    forcedCursor: p.forcedCursor ?? 0n,
    batchHash: batchHashOf(batchData),
    stfVersion: p.stfVersion ?? STF_VERSION,
  };
  const [sequencerSignature] = await p.signer.signMany([checkpointSignBytes(p.chainId, body)]);
  return { ...body, batchData, sequencer: p.signer.publicKey, sequencerSignature: sequencerSignature! };
}

export type CheckpointPolicy = {
  /** Seal once the oldest unsealed block is this old. */
  ageMsMax: number;
  /** Seal once this many bytes of batch data are waiting (≤ BATCH_DATA_BYTES_MAX). */
  bytesTarget: number;
};

export const CHECKPOINT_POLICY_DEFAULT: CheckpointPolicy = { ageMsMax: 2_000, bytesTarget: 96 * 1024 };

/**
 * How many of the pending blocks (oldest first) the next checkpoint takes, or
 * 0 if it should wait: full when the next block would not fit, or due by age.
 */
export function blocksForNextCheckpoint(
  pending: readonly { bytes: number; sealedAtMs: number }[],
  nowMs: number,
  policy: CheckpointPolicy = CHECKPOINT_POLICY_DEFAULT,
): number {
  let take = 0;
  const sizes: number[] = [];
  for (const block of pending) {
    if (batchDataBytes([...sizes, block.bytes]) > BATCH_DATA_BYTES_MAX) break;
    sizes.push(block.bytes);
    take++;
  }
  if (take === 0) return 0;
  const full = take < pending.length || batchDataBytes(sizes) >= policy.bytesTarget;
  const due = nowMs - pending[0]!.sealedAtMs >= policy.ageMsMax;
  return full || due ? take : 0;
}
