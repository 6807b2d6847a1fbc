import { BitlayerError } from "../errors.ts";

/**
 * A block the STF refuses to execute at all: its header contradicts the lane
 * state (wrong height, time going backwards, wrong base fee) or it exceeds a
 * structural bound. Executing it would be meaningless, so a checkpoint that
 * contains it is invalid as a whole.
 */
export type StfBlockErrorType = StfBlockError;
export class StfBlockError extends BitlayerError {
  override name = "StfBlockError" as const;
  constructor(shortMessage: string, details?: string) {
    super(shortMessage, { details, docsPath: "spec/lane-transactions.md#blocks" });
  }
}

/**
 * A broken invariant inside the STF (e.g. conservation of supply). Never a
 * user error: it means the STF has a bug, so execution stops.
 */
export type StfInvariantErrorType = StfInvariantError;
export class StfInvariantError extends BitlayerError {
  override name = "StfInvariantError" as const;
  constructor(shortMessage: string, details?: string) {
    super(shortMessage, { details, docsPath: "spec/lane-transactions.md#conservation" });
  }
}
