/**
 * What the indexer projects: one committed block after the ledger applied it.
 * The node builds it at commit; reindexing builds it by replaying the block
 * store through a fresh ledger (LedgerFactory), since only the node knows its
 * block encoding.
 */
import type { StateReader } from "../../shared/state.ts";
import type { LedgerBlockResult } from "../ledger/apply.ts";
import type { VerifiedTx } from "../ledger/tx.ts";
import type { StoredBlock } from "../storage/block-store.ts";

export type CommittedBlock = {
  height: bigint;
  hash: Uint8Array;
  timeMs: bigint;
  /** The proposer's public key. */
  proposer: Uint8Array;
  /** In block order; receipts in `result` are index-aligned with them. */
  txs: readonly VerifiedTx[];
  result: LedgerBlockResult;
  /**
   * Ledger state right after this block (before the next one). Used only to
   * enumerate validators and lanes whose records the block may have changed;
   * row values come from `result.writes`.
   */
  state: StateReader;
};

/** Replays stored blocks in height order from genesis. */
export interface LedgerReplayer {
  apply(stored: StoredBlock): CommittedBlock | Promise<CommittedBlock>;
}

/** A fresh ledger at genesis, for reindexing from the block store. */
export type LedgerFactory = () => LedgerReplayer;
