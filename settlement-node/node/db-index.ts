/**
 * Keeps the validator's database (derived state) in step with the block
 * store: one row per committed block and the index progress marker, written
 * off the consensus loop, in commit order. The database is never the source
 * of truth: after a crash it resumes from index_progress, and `reindex`
 * rebuilds it from the block store.
 */
import { openDatabase, type SettlementDatabase, type SettlementTx, schema } from "../db/index.ts";
import { heightIndexed } from "../db/reindex.ts";
import type { CommittedBlock } from "../indexer/committed-block.ts";
import type { NodeLogger } from "./node.ts";

export type DatabaseChoice =
  | { kind: "pglite"; dataDir: string }
  | { kind: "postgres"; url: string; schema: string }
  | { kind: "none" };

export async function openIndexDatabase(choice: DatabaseChoice): Promise<SettlementDatabase | null> {
  if (choice.kind === "none") return null;
  if (choice.kind === "pglite") return openDatabase({ dataDir: choice.dataDir });
  return openDatabase({ url: choice.url, schemaName: choice.schema, connectionsMax: 2 });
}

/** Rows for one committed block, in the caller's transaction. */
export async function indexBlock(tx: SettlementTx, b: CommittedBlock): Promise<void> {
  await tx
    .insert(schema.blocks)
    .values({
      height: b.height,
      hash: b.hash,
      timeMs: b.timeMs,
      proposer: b.proposer,
      countTransactions: b.txs.length,
    })
    .onConflictDoNothing();
  await tx
    .insert(schema.indexProgress)
    .values({ id: 1, heightIndexed: b.height })
    .onConflictDoUpdate({ target: schema.indexProgress.id, set: { heightIndexed: b.height } });
}

export class DatabaseIndexer {
  private readonly database: SettlementDatabase;
  private readonly logger: NodeLogger;
  private chain: Promise<void> = Promise.resolve();
  heightIndexed: bigint = 0n;

  constructor(database: SettlementDatabase, logger: NodeLogger) {
    this.database = database;
    this.logger = logger;
  }

  async heightStored(): Promise<bigint> {
    this.heightIndexed = (await heightIndexed(this.database.db)) ?? 0n;
    return this.heightIndexed;
  }

  /** Queues a block; blocks at or below the indexed height are skipped (idempotent after a restart). */
  push(b: CommittedBlock): void {
    this.chain = this.chain.then(async () => {
      if (b.height <= this.heightIndexed) return;
      try {
        await this.database.db.transaction((tx) => indexBlock(tx, b));
        this.heightIndexed = b.height;
      } catch (e) {
        this.logger.warn(
          { height: String(b.height), err: (e as Error).message },
          "db: indexing a block failed",
        );
      }
    });
  }

  async close(): Promise<void> {
    await this.chain;
    await this.database.close();
  }
}
