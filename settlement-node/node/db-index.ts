/**
 * Keeps the validator's database (derived state) in step with the block
 * store: every committed block is projected by the indexer
 * (settlement-node/indexer: blocks, transactions, accounts, validators,
 * lanes, checkpoints, deposits, withdrawals) off the consensus loop, in
 * commit order, one database transaction per block. The database is never
 * the source of truth: after a crash it resumes from index_progress, and
 * `reindex` rebuilds it from the block store.
 */
import { openDatabase, type SettlementDatabase } from "../db/index.ts";
import { heightIndexed } from "../db/reindex.ts";
import type { CommittedBlock, LedgerFactory } from "../indexer/committed-block.ts";
import { indexCommittedBlock } from "../indexer/indexer.ts";
import type { Genesis } from "../ledger/index.ts";
import { SettlementChain } from "./chain.ts";
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

/** A fresh ledger at `genesis` that replays stored blocks for `reindex` (the node's own block codec). */
export function nodeLedgerFactory(genesis: Genesis): LedgerFactory {
  return () => {
    const chain = new SettlementChain(genesis);
    return { apply: (stored) => chain.commit(stored.block) };
  };
}

export class DatabaseIndexer {
  readonly database: SettlementDatabase;
  private readonly logger: NodeLogger;
  private chain: Promise<void> = Promise.resolve();
  /** The last height whose rows are in the database. */
  heightIndexed: bigint = 0n;
  /** Blocks whose projection failed (logged); `reindex` repairs the database. */
  countFailures = 0;
  /** Called after each block is indexed with the time its database transaction took (phase timings). */
  onIndexed: ((height: bigint, workMs: number) => void) | null = null;

  constructor(database: SettlementDatabase, logger: NodeLogger) {
    this.database = database;
    this.logger = logger;
  }

  async heightStored(): Promise<bigint> {
    this.heightIndexed = (await heightIndexed(this.database.db)) ?? 0n;
    return this.heightIndexed;
  }

  /**
   * Queues a block; blocks at or below the indexed height are skipped
   * (idempotent when the node replays its block store on start). A block
   * after a gap (the database lost blocks) is not indexed: the rows would be
   * wrong, so the gap is logged and `reindex` is the repair.
   */
  push(b: CommittedBlock): void {
    this.chain = this.chain.then(async () => {
      if (b.height <= this.heightIndexed) return;
      if (b.height !== this.heightIndexed + 1n) {
        if (this.countFailures++ === 0)
          this.logger.error(
            { heightIndexed: String(this.heightIndexed), height: String(b.height) },
            "db: the database is behind the block store by more than it can replay; run `reindex`",
          );
        return;
      }
      try {
        const t0 = performance.now();
        await indexCommittedBlock(this.database.db, b);
        this.heightIndexed = b.height;
        this.onIndexed?.(b.height, performance.now() - t0);
      } catch (e) {
        this.countFailures++;
        this.logger.warn(
          { height: String(b.height), err: (e as Error).message },
          "db: indexing a block failed",
        );
      }
    });
  }

  /** Resolves once every block pushed so far is indexed (or failed). */
  async idle(): Promise<void> {
    await this.chain;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.database.close();
  }
}
