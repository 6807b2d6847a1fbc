/**
 * The validator's PGlite database on a thread of its own (node:worker_threads).
 *
 * PGlite is PostgreSQL compiled to WebAssembly, running in the process that
 * opens it: every statement runs synchronously on the calling thread, and a
 * transaction's statements follow one another as microtasks, so on the
 * consensus thread one block's indexing held up votes, timers and API
 * requests for tens of milliseconds (docs/operations-settlement.md, "Where
 * the time goes"). Here the database lives on this worker; the node's thread
 * sends it each committed block's projection (plain rows, built at commit
 * from the ledger state) and the API's read queries (the drizzle pg-proxy
 * driver, db-index.ts), and never waits for it on the commit path.
 *
 * Messages (structured clone): in `index` {projections}, `query` {id, sql,
 * params, method}, `close`; out `ready` {heightIndexed} or `failed`
 * {message}, `indexed` {heights, workMs} or `indexFailed` {heights, message},
 * `result` {id, rows} or {id, error}, `closed`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type PGlite, types } from "@electric-sql/pglite";
import { openDatabase } from "../db/open-database.ts";
import { heightIndexed } from "../db/reindex.ts";
import type { BlockProjection } from "../indexer/project-block.ts";
import { projectionStatements } from "../indexer/projection-sql.ts";

/** Blocks written per database transaction when the worker is behind. */
export const INDEX_BLOCKS_PER_TRANSACTION_MAX = 256;

export type DbWorkerData = { dataDir: string };

export type DbWorkerRequest =
  | { type: "index"; projections: BlockProjection[] }
  | { type: "query"; id: number; sql: string; params: unknown[]; method: "all" | "execute" }
  | { type: "close" };

export type DbWorkerReply =
  | { type: "ready"; heightIndexed: bigint | null }
  | { type: "failed"; message: string }
  | { type: "indexed"; heights: bigint[]; workMs: number }
  | { type: "indexFailed"; heights: bigint[]; message: string }
  | { type: "result"; id: number; rows: unknown[] }
  | { type: "result"; id: number; error: string }
  | { type: "closed" };

/** The value parsers drizzle's PGlite driver uses (drizzle-orm/pglite/session.js): dates stay text. */
const PARSERS = {
  [types.TIMESTAMP]: (v: string) => v,
  [types.TIMESTAMPTZ]: (v: string) => v,
  [types.INTERVAL]: (v: string) => v,
  [types.DATE]: (v: string) => v,
  1231: (v: string) => v,
  1115: (v: string) => v,
  1185: (v: string) => v,
  1187: (v: string) => v,
  1182: (v: string) => v,
};

/**
 * indexProjections (indexer.ts) for PGlite: heights at or below
 * `heightIndexed` (this worker is the database's only writer, so it knows)
 * are skipped, and the rest is written as one script in one call, BEGIN to
 * COMMIT (the simple query protocol: PGlite parses and runs it without a
 * round trip per statement). Measured on PGlite: client.transaction() and a
 * query for the heights present cost ~0.9 ms before the first row; a
 * ten-statement script inside BEGIN/COMMIT costs 0.3 ms in all.
 */
async function indexBatch(
  client: PGlite,
  projections: readonly BlockProjection[],
  heightIndexed: bigint,
): Promise<void> {
  const statements = projectionStatements(projections.filter((p) => p.height > heightIndexed));
  if (statements.length === 0) return;
  try {
    await client.exec(`begin;\n${statements.join(";\n")};\ncommit`);
  } catch (e) {
    // The script stopped at the failing statement, inside the transaction: nothing of it stays.
    await client.exec("rollback").catch(() => {});
    throw e;
  }
}

const port = parentPort;
if (port) {
  const reply = (m: DbWorkerReply) => port.postMessage(m);
  const { dataDir } = workerData as DbWorkerData;
  const queue: BlockProjection[] = [];
  let draining: Promise<void> | null = null;
  let database: Awaited<ReturnType<typeof openDatabase>>;
  let client: PGlite;
  /** The last height in the database: index_progress when opened, then each batch written. */
  let indexedThrough = 0n;

  const drain = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, INDEX_BLOCKS_PER_TRANSACTION_MAX);
      const heights = batch.map((p) => p.height);
      const t0 = performance.now();
      try {
        await indexBatch(client, batch, indexedThrough);
        for (const h of heights) if (h > indexedThrough) indexedThrough = h;
        reply({ type: "indexed", heights, workMs: performance.now() - t0 });
      } catch (e) {
        reply({ type: "indexFailed", heights, message: (e as Error).message });
      }
    }
    draining = null;
  };

  try {
    database = await openDatabase({ dataDir });
    client = (database.db as unknown as { $client: PGlite }).$client;
    const stored = await heightIndexed(database.db);
    indexedThrough = stored ?? 0n;
    reply({ type: "ready", heightIndexed: stored });
  } catch (e) {
    reply({ type: "failed", message: (e as Error).message });
    process.exit(1);
  }

  port.on("message", (m: DbWorkerRequest) => {
    switch (m.type) {
      case "index":
        queue.push(...m.projections);
        draining ??= drain();
        return;
      case "query":
        client
          .query(m.sql, m.params, { rowMode: m.method === "all" ? "array" : "object", parsers: PARSERS })
          .then(
            (r) => reply({ type: "result", id: m.id, rows: r.rows }),
            (e: Error) => reply({ type: "result", id: m.id, error: e.message }),
          );
        return;
      case "close":
        void (async () => {
          await draining;
          await database.close();
          reply({ type: "closed" });
          port.close();
        })();
        return;
    }
  });
}
