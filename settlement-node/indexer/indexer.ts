/**
 * The settlement indexer: keeps the database's derived tables in step with
 * committed blocks (indexCommittedBlock, one DB transaction per block), and
 * rebuilds them from the block store (reindex).
 */
import type { SettlementDb } from "../db/open-database.ts";
import { type RebuildOptions, type RebuildResult, rebuildFrom } from "../db/reindex.ts";
import type { BlockStore } from "../storage/block-store.ts";
import type { CommittedBlock, LedgerFactory } from "./committed-block.ts";
import { type BlockProjection, heightsPresent, projectBlock, writeProjections } from "./project-block.ts";

/** Indexes one committed block atomically; false if that height was already indexed. */
export function indexCommittedBlock(db: SettlementDb, block: CommittedBlock): Promise<boolean> {
  return db.transaction((tx) => projectBlock(tx, block));
}

/**
 * Indexes consecutive blocks' projections in one database transaction (a few
 * multi-row statements for all of them); heights already indexed are
 * skipped. Returns how many were written.
 */
export function indexProjections(db: SettlementDb, projections: readonly BlockProjection[]): Promise<number> {
  return db.transaction(async (tx) => {
    const present = await heightsPresent(
      tx,
      projections.map((p) => p.height),
    );
    const fresh = projections.filter((p) => !present.has(p.height));
    await writeProjections(tx, fresh);
    return fresh.length;
  });
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
