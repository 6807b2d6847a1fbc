/**
 * The Sequencer's per-step queries as fixed SQL strings on the Durable
 * Object's SqlStorage: the tables are drizzle's (schema.ts), but building a
 * drizzle query costs tens of microseconds per call, and a step runs these
 * once or more per transaction (profiled with bench/edge/profile.ts: drizzle's
 * query builder was a third of a batch step). Constant strings also let
 * workerd reuse its prepared statements. Keep the column names in step with
 * schema.ts; test/workerd/worker-lane.test.ts reads everything written here
 * back through drizzle.
 */
import { toArrayBuffer } from "./sql-node-store.ts";

export type ReceiptRowRaw = { height: number; signed: ArrayBuffer };

export type BlockInsert = {
  height: number;
  encoded: Uint8Array;
  stateRoot: Uint8Array;
  txCount: number;
  sealedAtMs: number;
};

export type ReceiptInsert = {
  txHash: string;
  height: number;
  index: number;
  signed: Uint8Array;
  idempotencyKey: string | null;
};

/** Rows per multi-row INSERT: 5 columns × 20 = 100 bound parameters, the platform's limit per query. */
const RECEIPT_ROWS_PER_INSERT = 20;

const receiptInsertSql = (rows: number) =>
  `INSERT INTO receipts (tx_hash, height, idx, signed, idempotency_key) VALUES ${Array.from(
    { length: rows },
    () => "(?, ?, ?, ?, ?)",
  ).join(", ")}`;
const RECEIPT_INSERT_FULL = receiptInsertSql(RECEIPT_ROWS_PER_INSERT);

export class StepSql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * Blocks no checkpoint holds yet (back-pressure), asked on every step. The
   * alarm gives checkpoints contiguous height ranges, oldest first, so these are
   * exactly the blocks above the last checkpoint's last height: two index
   * lookups, where counting the NULL rows cost a row per pending block
   * (profiled at 6% of a single-transaction step under load).
   */
  pendingBlocks(): number {
    return this.#sql
      .exec<{ n: number }>(
        `SELECT coalesce((SELECT max(height) FROM blocks), 0)
              - coalesce((SELECT last_height FROM checkpoints ORDER BY idx DESC LIMIT 1), 0) AS n`,
      )
      .one().n;
  }

  /**
   * The status of the checkpoint holding the block at `height` (null: no
   * block there, or no checkpoint holds it yet), in one query that reads no
   * block or payload bytes. Asked for every receipt served: a duplicate
   * submit, a read by hash or idempotency key, the feed.
   */
  checkpointStatusOfHeight(height: number): string | null {
    for (const row of this.#sql.exec<{ status: string | null }>(
      "SELECT c.status AS status FROM blocks b LEFT JOIN checkpoints c ON c.idx = b.checkpoint_index WHERE b.height = ?",
      height,
    ))
      return row.status;
    return null;
  }

  /**
   * The stored receipts of a step's transactions, by hash and by idempotency
   * id (sender ‖ key hex), in two queries whatever the step's size: the ids
   * go in as one JSON array each (json_each), so the platform's 100-parameter
   * bound does not split them, and each id is a primary-key or index lookup.
   */
  knownReceipts(
    txHashesHex: readonly string[],
    idempotencyIds: readonly string[],
  ): { byHash: Map<string, ReceiptRowRaw>; byIdempotencyId: Map<string, ReceiptRowRaw> } {
    const byHash = new Map<string, ReceiptRowRaw>();
    const byIdempotencyId = new Map<string, ReceiptRowRaw>();
    if (txHashesHex.length > 0)
      for (const row of this.#sql.exec<ReceiptRowRaw & { tx_hash: string }>(
        "SELECT tx_hash, height, signed FROM receipts WHERE tx_hash IN (SELECT value FROM json_each(?))",
        JSON.stringify(txHashesHex),
      ))
        byHash.set(row.tx_hash, { height: row.height, signed: row.signed });
    if (idempotencyIds.length > 0)
      for (const row of this.#sql.exec<ReceiptRowRaw & { idempotency_key: string }>(
        "SELECT idempotency_key, height, signed FROM receipts WHERE idempotency_key IN (SELECT value FROM json_each(?))",
        JSON.stringify(idempotencyIds),
      ))
        byIdempotencyId.set(row.idempotency_key, { height: row.height, signed: row.signed });
    return { byHash, byIdempotencyId };
  }

  insertBlock(b: BlockInsert): void {
    this.#sql.exec(
      "INSERT INTO blocks (height, encoded, state_root, tx_count, sealed_at_ms, checkpoint_index) VALUES (?, ?, ?, ?, ?, NULL)",
      b.height,
      toArrayBuffer(b.encoded),
      toArrayBuffer(b.stateRoot),
      b.txCount,
      b.sealedAtMs,
    );
  }

  /** All rows in as few statements as the parameter limit allows. */
  insertReceipts(rows: readonly ReceiptInsert[]): void {
    for (let at = 0; at < rows.length; at += RECEIPT_ROWS_PER_INSERT) {
      const chunk = rows.slice(at, at + RECEIPT_ROWS_PER_INSERT);
      const params: (string | number | ArrayBuffer | null)[] = [];
      for (const r of chunk)
        params.push(r.txHash, r.height, r.index, toArrayBuffer(r.signed), r.idempotencyKey);
      this.#sql.exec(
        chunk.length === RECEIPT_ROWS_PER_INSERT ? RECEIPT_INSERT_FULL : receiptInsertSql(chunk.length),
        ...params,
      );
    }
  }

  updateHead(
    id: number,
    h: { stateRoot: Uint8Array; treeVersion: number; lastReceiptHash: Uint8Array },
  ): void {
    this.#sql.exec(
      "UPDATE head SET state_root = ?, tree_version = ?, last_receipt_hash = ? WHERE id = ?",
      toArrayBuffer(h.stateRoot),
      h.treeVersion,
      toArrayBuffer(h.lastReceiptHash),
      id,
    );
  }
}
