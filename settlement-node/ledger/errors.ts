import { BitlayerError } from "../../shared/errors.ts";

/**
 * A block the ledger refuses to apply at all: its height or time contradicts
 * the chain record, or it exceeds a structural bound. Consensus must never
 * commit such a block, so this is a bug in the caller, not a user error.
 */
export type LedgerBlockErrorType = LedgerBlockError;
export class LedgerBlockError extends BitlayerError {
  override name = "LedgerBlockError" as const;
  constructor(shortMessage: string, details?: string) {
    super(shortMessage, { details, docsPath: "spec/settlement-transactions.md#blocks" });
  }
}

/** A broken ledger invariant (conservation of the native token, a missing record): the ledger has a bug. */
export type LedgerInvariantErrorType = LedgerInvariantError;
export class LedgerInvariantError extends BitlayerError {
  override name = "LedgerInvariantError" as const;
  constructor(shortMessage: string, details?: string) {
    super(shortMessage, { details, docsPath: "spec/settlement-transactions.md#conservation" });
  }
}

/** A genesis file that does not describe a valid initial state; `field` is the JSON path of the first problem. */
export type GenesisErrorType = GenesisError;
export class GenesisError extends BitlayerError {
  override name = "GenesisError" as const;
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`Invalid genesis: ${field || "(root)"}: ${problem}`, {
      details: `Fix the field "${field}" in the genesis file.`,
      docsPath: "spec/settlement-transactions.md#genesis",
    });
    this.field = field;
  }
}
