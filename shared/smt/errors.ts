import { BitlayerError } from "../errors.ts";

/** Why a proof was rejected. Stable: never renumber; a new reason gets a new code. */
export const SmtProofFailure = {
  RootMismatch: 1,
  ValueMismatch: 2,
  KeyNotCovered: 3,
  NonCanonicalShape: 4,
  Truncated: 5,
  TrailingNodes: 6,
  TooDeep: 7,
  DuplicateKey: 8,
  TooManyKeys: 9,
  MissingSiblingType: 10,
  WriteOutsideProof: 11,
  LeafOffPath: 12,
  TooManyNodes: 13,
} as const;
export type SmtProofFailure = (typeof SmtProofFailure)[keyof typeof SmtProofFailure];

export type SmtProofErrorType = SmtProofError;
/** A proof (or multiproof) does not establish what it is used for. A returned verdict, not a bug. */
export class SmtProofError extends BitlayerError {
  override name = "SmtProofError" as const;
  readonly code: SmtProofFailure;

  constructor(code: SmtProofFailure, message: string) {
    super(message, { details: `SMT proof failure code ${code}`, docsPath: "spec/merkle.md" });
    this.code = code;
  }
}

export type SmtKeyNotCoveredErrorType = SmtKeyNotCoveredError;
/** A stateless reader was asked for a key its multiproof does not cover: the witness is incomplete. */
export class SmtKeyNotCoveredError extends BitlayerError {
  override name = "SmtKeyNotCoveredError" as const;
  readonly key: Uint8Array;

  constructor(keyHex: string, key: Uint8Array) {
    super(`State key ${keyHex} is not covered by the multiproof.`, {
      details: "Include every key the batch reads or writes when building the witness.",
      docsPath: "spec/merkle.md",
    });
    this.key = key;
  }
}

export type SmtMissingNodeErrorType = SmtMissingNodeError;
/** The node store lacks a node a reachable root needs: the root was pruned or the store is corrupt. */
export class SmtMissingNodeError extends BitlayerError {
  override name = "SmtMissingNodeError" as const;

  constructor(hashHex: string) {
    super(`Node ${hashHex} is missing from the node store.`, {
      details: "Reading a root older than the oldest version kept by pruneStale, or a corrupt store.",
      docsPath: "spec/merkle.md",
    });
  }
}
