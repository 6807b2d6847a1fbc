/**
 * Where a checkpoint stands on the finality ladder (DESIGN.md, "One finality
 * ladder"), read from committed ledger state. The challenge window is counted
 * in settlement blocks, not wall time: block heights are what every validator
 * agrees on, and a stalled chain must not let a window expire unobserved.
 */
import type { StateReader } from "../../shared/state.ts";
import { Books } from "./books.ts";
import { type CheckpointRecord, checkpointCodec, ledgerKeys } from "./records.ts";

export type CheckpointStatus = "checkpointed" | "settled" | "final";

/**
 * `committedHeight` is the last block consensus committed. A checkpoint in a
 * block above it (a proposal being executed) is only `checkpointed`; once its
 * block commits it is `settled`; from finalHeight on it is `final`.
 */
export function checkpointStatusAt(checkpoint: CheckpointRecord, committedHeight: bigint): CheckpointStatus {
  if (checkpoint.postedHeight > committedHeight) return "checkpointed";
  if (committedHeight < checkpoint.finalHeight) return "settled";
  return "final";
}

export type CheckpointView = {
  checkpoint: CheckpointRecord;
  status: CheckpointStatus;
  /** Blocks until `final` (0 when final). */
  blocksUntilFinal: bigint;
};

/** Reads a checkpoint and its status; undefined if the lane has no such checkpoint. */
export function checkpointView(
  state: StateReader,
  lane: number,
  index: bigint,
  committedHeight: bigint,
): CheckpointView | undefined {
  const checkpoint = new Books(state).read(checkpointCodec, ledgerKeys.checkpoint(lane, index));
  if (!checkpoint) return undefined;
  const status = checkpointStatusAt(checkpoint, committedHeight);
  const blocksUntilFinal = status === "final" ? 0n : checkpoint.finalHeight - committedHeight;
  return { checkpoint, status, blocksUntilFinal };
}
