/**
 * Rebuilds the derived tables from the source of truth (the block store):
 * truncate, then replay every block through `apply`. The ledger application
 * that turns a block into rows comes later; this owns the truncation, the
 * batching into transactions and the progress marker.
 */
import { getTableName, sql } from "drizzle-orm";
import type { SettlementDb } from "./open-database.ts";
import { DERIVED_TABLES, indexProgress } from "./schema.ts";

/** A transaction handle with the same query API as the database. */
export type SettlementTx = Parameters<Parameters<SettlementDb["transaction"]>[0]>[0];

export type ApplyBlock<B> = (tx: SettlementTx, block: B) => Promise<void>;

export type RebuildOptions = {
  /** Blocks applied per database transaction: bigger is faster, smaller loses less on a crash. */
  blocksPerTransaction?: number;
};

export type RebuildResult = { countBlocks: number; heightLast: bigint | null };

export async function truncateDerivedTables(db: SettlementDb | SettlementTx): Promise<void> {
  const names = DERIVED_TABLES.map((t) => `"${getTableName(t)}"`).join(", ");
  await db.execute(sql.raw(`truncate table ${names}`));
}

/**
 * Truncates every derived table and applies `blocks` in order. Each batch of
 * blocks commits together with index_progress, so after a crash the database
 * says how far it got (and a rebuild can simply start over).
 */
export async function rebuildFrom<B extends { height: bigint }>(
  db: SettlementDb,
  blocks: AsyncIterable<B>,
  apply: ApplyBlock<B>,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const perTransaction = options.blocksPerTransaction ?? 256;
  await truncateDerivedTables(db);
  let countBlocks = 0;
  let heightLast: bigint | null = null;
  let batch: B[] = [];
  const commit = async () => {
    if (batch.length === 0) return;
    const applying = batch;
    batch = [];
    await db.transaction(async (tx) => {
      for (const block of applying) await apply(tx, block);
      const heightIndexed = applying[applying.length - 1]!.height;
      await tx
        .insert(indexProgress)
        .values({ id: 1, heightIndexed })
        .onConflictDoUpdate({ target: indexProgress.id, set: { heightIndexed } });
    });
  };
  for await (const block of blocks) {
    if (heightLast !== null && block.height <= heightLast) {
      throw new RangeError(
        `Blocks must come in increasing height order: ${block.height} after ${heightLast}.`,
      );
    }
    batch.push(block);
    heightLast = block.height;
    countBlocks++;
    if (batch.length >= perTransaction) await commit();
  }
  await commit();
  return { countBlocks, heightLast };
}

/** The last height applied to the derived tables, or null if none. */
export async function heightIndexed(db: SettlementDb): Promise<bigint | null> {
  const rows = await db.select().from(indexProgress).limit(1);
  return rows[0]?.heightIndexed ?? null;
}
