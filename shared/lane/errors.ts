import { BitlayerError, type BitlayerErrorOptions } from "../errors.ts";

/** A checkpoint that settlement would reject by construction (empty, oversize). */
export class LaneCheckpointError extends BitlayerError {
  override name = "LaneCheckpointError" as const;
  constructor(message: string, options: BitlayerErrorOptions = {}) {
    super(message, { docsPath: "spec/settlement-transactions.md", ...options });
  }
}
export type LaneCheckpointErrorType = LaneCheckpointError & { name: "LaneCheckpointError" };

/** The executor was used out of order (a step while another is pending): a bug in the caller. */
export class LaneExecutorStateError extends BitlayerError {
  override name = "LaneExecutorStateError" as const;
}
export type LaneExecutorStateErrorType = LaneExecutorStateError & { name: "LaneExecutorStateError" };

/** The replayer was used out of order (two replays at once): a bug in the caller. */
export class LaneReplayStateError extends BitlayerError {
  override name = "LaneReplayStateError" as const;
}
export type LaneReplayStateErrorType = LaneReplayStateError & { name: "LaneReplayStateError" };
