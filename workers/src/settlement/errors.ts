/** Typed errors of the edge's settlement client (the checkpoint poster's view of settlement). */
import { BitlayerError } from "../../../shared/errors.ts";

/** Every validator URL failed (network error, 5xx or 429): retry later with backoff. */
export class SettlementUnavailableError extends BitlayerError {
  override name = "SettlementUnavailableError" as const;
  readonly failures: readonly string[];
  constructor(path: string, failures: readonly string[]) {
    super(`No settlement validator answered ${path} (${failures.length} tried).`, {
      details: failures.join("; "),
      metaMessages: ["Check SETTLEMENT_URLS and that the validators are running (npm start runs a devnet)."],
      docsPath: "devnet.md",
    });
    this.failures = failures;
  }
}
export type SettlementUnavailableErrorType = SettlementUnavailableError;

/** A validator answered with a definite refusal (4xx with a stable error code). */
export class SettlementRefusedError extends BitlayerError {
  override name = "SettlementRefusedError" as const;
  readonly status: number;
  readonly code: string;
  constructor(path: string, status: number, code: string, message: string) {
    super(`Settlement refused ${path}: ${code} (${status}).`, {
      details: message,
      docsPath: "api-settlement.md",
    });
    this.status = status;
    this.code = code;
  }
}
export type SettlementRefusedErrorType = SettlementRefusedError;

/** Settlement holds a different checkpoint at an index this lane built: never overwrite, stop and alert. */
export class CheckpointConflictError extends BitlayerError {
  override name = "CheckpointConflictError" as const;
  constructor(lane: number, index: number, field: string) {
    super(`Settlement's checkpoint ${index} of lane ${lane} differs from the lane's own (${field}).`, {
      details:
        "The sequencer key signed two different checkpoints for one index, or the lane's storage was reset. Investigate before posting again.",
      docsPath: "devnet.md",
    });
  }
}
export type CheckpointConflictErrorType = CheckpointConflictError;

/**
 * Settlement says a checkpoint is settled or final, but no validator served
 * a checkpoint proof that verifies against the trusted set
 * (SETTLEMENT_VALIDATORS), or that set is unusable: the status is not
 * recorded; retry later with backoff.
 */
export class SettlementVerificationError extends BitlayerError {
  override name = "SettlementVerificationError" as const;
  readonly failures: readonly string[];
  constructor(lane: number, index: number, claimed: string, failures: readonly string[]) {
    super(`Checkpoint ${index} of lane ${lane}: settlement says ${claimed}, but no validator proved it.`, {
      details: failures.join("; "),
      metaMessages: [
        "The lane records settled/final only from a commit certificate of the trusted set (SETTLEMENT_VALIDATORS).",
      ],
      docsPath: "operations-edge.md",
    });
    this.failures = failures;
  }
}
export type SettlementVerificationErrorType = SettlementVerificationError;
