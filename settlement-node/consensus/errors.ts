import { BitlayerError } from "../../shared/errors.ts";

export type ConsensusInvariantErrorType = ConsensusInvariantError;
/** A broken invariant of the consensus core: a bug, never a peer's fault (peers' bad input is ignored). */
export class ConsensusInvariantError extends BitlayerError {
  override name = "ConsensusInvariantError" as const;
  constructor(shortMessage: string, details?: string) {
    super(shortMessage, { details, docsPath: "spec/consensus.md" });
  }
}

export type ValidatorSetErrorType = ValidatorSetError;
/** The application handed in a validator set the core cannot use. */
export class ValidatorSetError extends BitlayerError {
  override name = "ValidatorSetError" as const;
  constructor(shortMessage: string) {
    super(shortMessage, { docsPath: "spec/consensus.md#proposer-selection" });
  }
}
