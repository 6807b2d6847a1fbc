/**
 * Typed errors of the withdrawal actions (getWithdrawalProof,
 * buildWithdrawalClaim). Each has a literal `name` to switch on.
 */
import { BitlayerError, type BitlayerErrorOptions } from "../errors.ts";

export type WithdrawalFinalityStatus = "soft" | "checkpointed" | "settled" | "final";

export type WithdrawalNotFinalErrorType = WithdrawalNotFinalError;
/**
 * The withdrawal's checkpoint is not final yet: settlement would refuse the
 * claim (CheckpointNotFinal). Retry once `finality` reads "final".
 */
export class WithdrawalNotFinalError extends BitlayerError {
  override name = "WithdrawalNotFinalError" as const;
  readonly lane: number;
  readonly withdrawalId: bigint;
  /** Where the withdrawal stands on the finality ladder now. */
  readonly finality: WithdrawalFinalityStatus;

  constructor(lane: number, withdrawalId: bigint, finality: WithdrawalFinalityStatus) {
    super(
      `Withdrawal ${withdrawalId} of lane ${lane} is ${finality}, not final: settlement pays it once its checkpoint's challenge window has passed.`,
      {
        details: "Fetch the proof again (getWithdrawalProof) and build the claim when finality is final.",
        docsPath: "spec/settlement-transactions.md#lanes-and-the-finality-ladder",
      },
    );
    this.lane = lane;
    this.withdrawalId = withdrawalId;
    this.finality = finality;
  }
}

export type WithdrawalNotFoundErrorType = WithdrawalNotFoundError;
/** The lane has no withdrawal with this id (yet). */
export class WithdrawalNotFoundError extends BitlayerError {
  override name = "WithdrawalNotFoundError" as const;
  constructor(lane: number, withdrawalId: bigint) {
    super(`Lane ${lane} has no withdrawal ${withdrawalId}.`, {
      details: "Withdrawal ids count from 0 per lane in execution order.",
    });
  }
}

export type WithdrawalProofRequestErrorType = WithdrawalProofRequestError;
/** The edge answered the proof request with something other than a proof (HTTP error, bad JSON). */
export class WithdrawalProofRequestError extends BitlayerError {
  override name = "WithdrawalProofRequestError" as const;
  readonly status: number;
  constructor(url: string, status: number, body: string, options: BitlayerErrorOptions = {}) {
    super(`GET ${url} answered HTTP ${status}.`, { details: body.slice(0, 300), ...options });
    this.status = status;
  }
}

export type InvalidWithdrawalProofErrorType = InvalidWithdrawalProofError;
/** The proof does not verify against the checkpoint root it names: do not claim with it. */
export class InvalidWithdrawalProofError extends BitlayerError {
  override name = "InvalidWithdrawalProofError" as const;
}
