/**
 * Keeps the validator's database (derived state) in step with the block
 * store: every committed block is projected by the indexer
 * (settlement-node/indexer: blocks, transactions, accounts, validators,
 * lanes, checkpoints, deposits, withdrawals) off the consensus loop, in
 * commit order. The database is never the source of truth: after a crash it
 * resumes from index_progress, and `reindex` rebuilds it from the block
 * store.
 *
 * At commit the node's thread only turns the block into plain rows
 * (blockProjection, from the ledger state pinned to the block); writing them
 * happens elsewhere, in batches (one transaction for the blocks of up to
 * INDEX_WRITE_INTERVAL_MS):
 *
 * - PGlite, which runs its statements synchronously in this process, lives
 *   on a worker thread (db-worker.ts); the API reads it through drizzle's
 *   pg-proxy driver, each query answered by the worker.
 * - PostgreSQL is another process already: the writes are queued on this
 *   thread and its driver waits on the socket without blocking anything.
 */
import { Worker } from "node:worker_threads";
import { drizzle as drizzleProxy } from "drizzle-orm/pg-proxy";
import { openDatabase, type SettlementDatabase, type SettlementDb } from "../db/index.ts";
import { heightIndexed } from "../db/reindex.ts";
import * as schema from "../db/schema.ts";
import type { CommittedBlock, LedgerFactory } from "../indexer/committed-block.ts";
import { indexProjections } from "../indexer/indexer.ts";
import { type BlockProjection, blockProjection } from "../indexer/project-block.ts";
import type { Genesis } from "../ledger/index.ts";
import { SettlementChain } from "./chain.ts";
import type { DbWorkerData, DbWorkerReply, DbWorkerRequest } from "./db-worker.ts";
import type { NodeLogger } from "./node.ts";

export type DatabaseChoice =
  | { kind: "pglite"; dataDir: string }
  | { kind: "postgres"; url: string; schema: string }
  | { kind: "none" };

/** Opens the database on this thread (reindex, tools). The running node uses openIndexer. */
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

/** Where projections are written: answers each batch with done or failed, in order. */
type IndexWriter = {
  write(projections: BlockProjection[]): void;
  close(): Promise<void>;
};
type WriterEvents = {
  done(heights: bigint[], workMs: number): void;
  failed(heights: bigint[], message: string): void;
};

/** PostgreSQL: one transaction for every block queued while the previous one ran. */
function inProcessWriter(database: SettlementDatabase, events: WriterEvents): IndexWriter {
  const queue: BlockProjection[] = [];
  let running: Promise<void> | null = null;
  const run = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, 256);
      const heights = batch.map((p) => p.height);
      const t0 = performance.now();
      try {
        await indexProjections(database.db, batch);
        events.done(heights, performance.now() - t0);
      } catch (e) {
        events.failed(heights, (e as Error).message);
      }
    }
    running = null;
  };
  return {
    write(projections) {
      queue.push(...projections);
      running ??= run();
    },
    async close() {
      await running;
      await database.close();
    },
  };
}

/** PGlite on its worker thread, and a drizzle database (pg-proxy) whose queries the worker answers. */
async function startDbWorker(
  dataDir: string,
  events: WriterEvents,
  logger: NodeLogger,
): Promise<{ writer: IndexWriter; db: SettlementDb; heightIndexed: bigint }> {
  const worker = new Worker(new URL("./db-worker.ts", import.meta.url), {
    workerData: { dataDir } satisfies DbWorkerData,
  });
  const post = (m: DbWorkerRequest) => worker.postMessage(m);
  const queries = new Map<number, { resolve(rows: unknown[]): void; reject(e: Error): void }>();
  let queryNext = 0;
  let closing: Promise<void> | null = null;
  let exited = false;
  let onReady: ((m: DbWorkerReply) => void) | null = null;
  let onClosed: (() => void) | null = null;
  const gone = (why: string) => {
    exited = true;
    for (const q of queries.values()) q.reject(new Error(`The database worker ${why}.`));
    queries.clear();
  };
  worker.on("message", (m: DbWorkerReply) => {
    switch (m.type) {
      case "ready":
      case "failed":
        onReady?.(m);
        return;
      case "indexed":
        events.done(m.heights, m.workMs);
        return;
      case "indexFailed":
        events.failed(m.heights, m.message);
        return;
      case "result": {
        const q = queries.get(m.id);
        queries.delete(m.id);
        if ("error" in m) q?.reject(new Error(m.error));
        else q?.resolve(m.rows);
        return;
      }
      case "closed":
        onClosed?.();
        return;
    }
  });
  worker.on("error", (e) => {
    logger.error({ err: e.message }, "db: the database worker failed; run `reindex` after a restart");
    gone("failed");
  });
  worker.on("exit", (code) => {
    if (!closing) logger.error({ code }, "db: the database worker exited");
    gone("exited");
    onClosed?.();
  });
  const ready = await new Promise<DbWorkerReply>((resolve) => {
    onReady = resolve;
  });
  if (ready.type !== "ready") {
    await worker.terminate();
    throw new Error(ready.type === "failed" ? ready.message : "The database worker did not open.");
  }
  const db = drizzleProxy(
    (sql, params, method) =>
      new Promise<{ rows: unknown[] }>((resolve, reject) => {
        if (exited) return reject(new Error("The database worker is not running."));
        const id = queryNext++;
        queries.set(id, { resolve: (rows) => resolve({ rows }), reject });
        post({ type: "query", id, sql, params, method: method === "all" ? "all" : "execute" });
      }),
    { schema },
  ) as unknown as SettlementDb;
  const writer: IndexWriter = {
    write(projections) {
      if (exited)
        events.failed(
          projections.map((p) => p.height),
          "the database worker is not running",
        );
      else post({ type: "index", projections });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        onClosed = resolve;
        post({ type: "close" });
      });
      return closing;
    },
  };
  return { writer, db, heightIndexed: ready.heightIndexed ?? 0n };
}

/**
 * Index writes start at a commit (push), right after the node finished a
 * height, at most one per interval; the blocks in between wait, and are
 * written once no block has come for an interval. A write's fixed cost
 * (PGlite: ~4 ms of CPU on two loaded cores) outweighs its rows, and it
 * competes with consensus for the cores: with a block every ~35 ms, one
 * write per block doubled the validators' CPU per height and added 3-4 ms to
 * commit latency (bench/settlement/cluster.ts). The /v1/index views lag the
 * chain by at most an interval and a block.
 */
export const INDEX_WRITE_INTERVAL_MS = 250;

export class DatabaseIndexer {
  /** The database for reading (the API's /v1/index views). */
  readonly db: SettlementDb;
  private readonly logger: NodeLogger;
  private writer!: IndexWriter;
  /** The last height whose rows are in the database. */
  heightIndexed: bigint;
  /** The last height handed to the writer. */
  private heightQueued: bigint;
  /** Blocks whose projection failed (logged); `reindex` repairs the database. */
  countFailures = 0;
  /** After a failure every later block is left out too (the rows would be wrong): `reindex` repairs. */
  private broken = false;
  /** Called after each block is indexed with the time of the transaction that wrote it (phase timings). */
  onIndexed: ((height: bigint, workMs: number) => void) | null = null;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private outbox: BlockProjection[] = [];
  private writeIntervalMs = INDEX_WRITE_INTERVAL_MS;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Batches handed to the writer so far (each one database transaction). */
  countWrites = 0;
  /** When the last batch went to the writer (performance.now). */
  private writtenAtMs = -Infinity;

  private constructor(db: SettlementDb, heightIndexedStored: bigint, logger: NodeLogger) {
    this.db = db;
    this.heightIndexed = heightIndexedStored;
    this.heightQueued = heightIndexedStored;
    this.logger = logger;
  }

  /** Opens the database (PGlite on its worker thread) and reads how far it is indexed; null for none. */
  static async open(
    choice: DatabaseChoice,
    logger: NodeLogger,
    options: { writeIntervalMs?: number } = {},
  ): Promise<DatabaseIndexer | null> {
    if (choice.kind === "none") return null;
    let indexer: DatabaseIndexer | null = null;
    const events: WriterEvents = {
      done: (heights, workMs) => indexer!.done(heights, workMs),
      failed: (heights, message) => indexer!.failed(heights, message),
    };
    if (choice.kind === "pglite") {
      const { writer, db, heightIndexed } = await startDbWorker(choice.dataDir, events, logger);
      indexer = new DatabaseIndexer(db, heightIndexed, logger);
      indexer.writer = writer;
    } else {
      const database = (await openIndexDatabase(choice))!;
      indexer = new DatabaseIndexer(database.db, (await heightIndexed(database.db)) ?? 0n, logger);
      indexer.writer = inProcessWriter(database, events);
    }
    indexer.writeIntervalMs = options.writeIntervalMs ?? INDEX_WRITE_INTERVAL_MS;
    return indexer;
  }

  /** The last height whose rows are in the database, as read when it was opened. */
  async heightStored(): Promise<bigint> {
    return this.heightIndexed;
  }

  /**
   * Queues a block; blocks at or below the indexed height are skipped
   * (idempotent when the node replays its block store on start). A block
   * after a gap (the database lost blocks) is not indexed: the rows would be
   * wrong, so the gap is logged and `reindex` is the repair. Blocks queued in
   * one turn of the event loop go to the writer together.
   */
  push(b: CommittedBlock): void {
    if (b.height <= this.heightQueued) return;
    if (this.broken || b.height !== this.heightQueued + 1n) {
      if (this.countFailures++ === 0)
        this.logger.error(
          { heightIndexed: String(this.heightIndexed), height: String(b.height) },
          "db: the database is behind the block store by more than it can replay; run `reindex`",
        );
      return;
    }
    let projection: BlockProjection;
    try {
      projection = blockProjection(b);
    } catch (e) {
      this.failed([b.height], (e as Error).message);
      return;
    }
    this.heightQueued = b.height;
    this.pending++;
    this.outbox.push(projection);
    if (performance.now() - this.writtenAtMs >= this.writeIntervalMs) this.flush();
    else {
      if (this.flushTimer !== null) clearTimeout(this.flushTimer);
      this.flushTimer = setTimeout(() => this.flush(), this.writeIntervalMs);
    }
  }

  /** Hands every queued projection to the writer (one database transaction). */
  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.outbox.length === 0) return;
    const projections = this.outbox;
    this.outbox = [];
    this.writtenAtMs = performance.now();
    this.countWrites++;
    this.writer.write(projections);
  }

  private done(heights: bigint[], workMs: number): void {
    for (const h of heights) {
      if (h > this.heightIndexed) this.heightIndexed = h;
      this.onIndexed?.(h, workMs);
    }
    this.settle(heights.length);
  }

  private failed(heights: bigint[], message: string): void {
    this.countFailures += heights.length;
    this.broken = true;
    this.logger.warn(
      { heights: `${heights[0]}..${heights[heights.length - 1]}`, err: message },
      "db: indexing blocks failed; run `reindex`",
    );
    this.settle(heights.length);
  }

  private settle(count: number): void {
    this.pending -= count;
    if (this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once every block pushed so far is indexed (or failed); queued blocks are written now. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    this.flush();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.idle();
    await this.writer.close();
  }
}
