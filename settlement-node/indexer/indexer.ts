/**
 * The settlement indexer: keeps the database's derived tables in step with
 * committed blocks (indexCommittedBlock, one DB transaction per block), and
 * rebuilds them from the block store (reindex).
 */
import type { SettlementDb } from "../db/open-database.ts";
import { type RebuildOptions, type RebuildResult, rebuildFrom } from "../db/reindex.ts";
import type { BlockStore } from "../storage/block-store.ts";
import type { CommittedBlock, LedgerFactory } from "./committed-block.ts";
import { projectBlock } from "./project-block.ts";

/** Indexes one committed block atomically; false if that height was already indexed. */
export function indexCommittedBlock(db: SettlementDb, block: CommittedBlock): Promise<boolean> {
  return db.transaction((tx) => projectBlock(tx, block));
}

/**
 * Truncates the derived tables and replays the whole block store through a
 * fresh ledger from `ledgerFactory` (genesis), projecting every block. The
 * result equals indexing the same blocks one by one as they committed.
 */
export async function reindex(
  blockStore: BlockStore,
  db: SettlementDb,
  ledgerFactory: LedgerFactory,
  options?: RebuildOptions,
): Promise<RebuildResult> {
  const ledger = ledgerFactory();
  async function* committed(): AsyncGenerator<CommittedBlock> {
    for await (const stored of blockStore.blocksFrom(blockStore.baseHeight() ?? 1n))
      yield ledger.apply(stored);
  }
  return rebuildFrom(
    db,
    committed(),
    async (tx, block) => {
      await projectBlock(tx, block);
    },
    options,
  );
}
