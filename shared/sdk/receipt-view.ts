/**
 * A lane receipt as the edge's API returns it (the Sequencer builds it, the
 * SDK reads it): one definition of the wire shape for both. Hashes, keys and
 * roots are lowercase hex without "0x"; heights are decimal strings.
 */

/** The one finality ladder (DESIGN.md): soft → checkpointed → settled → final. */
export type FinalityStatus = "soft" | "checkpointed" | "settled" | "final";

export type ReceiptView = {
  receipt: {
    chainId: string;
    lane: number;
    height: string;
    index: number;
    txHash: string;
    prevReceiptHash: string;
    stateRoot: string;
    status: number;
  };
  signature: string;
  /** signedLaneReceiptCodec bytes (hex): keep them as evidence; a checkpoint that contradicts them slashes the sequencer. */
  encoded: string;
  finality: FinalityStatus;
};
