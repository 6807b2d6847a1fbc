/**
 * The Sequencer's SQLite schema (one database per lane, inside its Durable
 * Object). Regenerate migrations after a change:
 *   npx drizzle-kit generate --config drizzle.edge.config.ts && node workers/scripts/embed-migrations.ts
 */
import { sql } from "drizzle-orm";
import { blob, check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Sparse Merkle tree nodes, content addressed (shared/smt store.ts): one row per node. */
export const smtNodes = sqliteTable("smt_nodes", {
  hash: blob("hash", { mode: "buffer" }).primaryKey(),
  record: blob("record", { mode: "buffer" }).notNull(),
});

/** One row: the committed head of the lane. */
export const head = sqliteTable("head", {
  id: integer("id").primaryKey(),
  stateRoot: blob("state_root", { mode: "buffer" }).notNull(),
  treeVersion: integer("tree_version").notNull(),
  lastReceiptHash: blob("last_receipt_hash", { mode: "buffer" }).notNull(),
  /** Settlement checkpoint index of the next checkpoint to build. */
  nextCheckpointIndex: integer("next_checkpoint_index").notNull(),
  /** Root the next checkpoint starts from (the last checkpoint's newRoot, or genesis). */
  checkpointedRoot: blob("checkpointed_root", { mode: "buffer" }).notNull(),
});

export const blocks = sqliteTable(
  "blocks",
  {
    height: integer("height").primaryKey(),
    /** shared/lane laneBlockCodec bytes. */
    encoded: blob("encoded", { mode: "buffer" }).notNull(),
    stateRoot: blob("state_root", { mode: "buffer" }).notNull(),
    txCount: integer("tx_count").notNull(),
    sealedAtMs: integer("sealed_at_ms").notNull(),
    /** Null until a checkpoint takes the block. */
    checkpointIndex: integer("checkpoint_index"),
  },
  // Every step counts the blocks no checkpoint holds (back-pressure): without the index that
  // count scans every block the lane ever sealed.
  (t) => [index("blocks_checkpoint_index").on(t.checkpointIndex)],
);

export const receipts = sqliteTable(
  "receipts",
  {
    txHash: text("tx_hash").primaryKey(),
    height: integer("height").notNull(),
    index: integer("idx").notNull(),
    /** shared/lane signedLaneReceiptCodec bytes. */
    signed: blob("signed", { mode: "buffer" }).notNull(),
    /** Hex of sender ‖ idempotency key, when the transaction carried one. */
    idempotencyKey: text("idempotency_key"),
  },
  (t) => [index("receipts_idempotency").on(t.idempotencyKey), index("receipts_height").on(t.height)],
);

export const checkpoints = sqliteTable("checkpoints", {
  index: integer("idx").primaryKey(),
  firstHeight: integer("first_height").notNull(),
  lastHeight: integer("last_height").notNull(),
  /** Encoded postCheckpoint payload (settlement-node/ledger/tx.ts settlementPayloadCodec). */
  payload: blob("payload", { mode: "buffer" }).notNull(),
  /** checkpointed (built, being posted) → posted → settled → final. */
  status: text("status").notNull(),
  attempts: integer("attempts").notNull(),
  nextAttemptMs: integer("next_attempt_ms").notNull(),
});

/** The checkpoint poster's settlement account nonce (poster-store.ts): one row, absent until read from settlement. */
export const posterNonce = sqliteTable(
  "poster_nonce",
  {
    id: integer("id").primaryKey(),
    /** Decimal u64 (text: SQLite integers are signed 64-bit). */
    nonce: text("nonce").notNull(),
  },
  (t) => [check("poster_nonce_one_row", sql`${t.id} = 1`)],
);

/** Per posted checkpoint: the hash and time of its last post (poster-store.ts). */
export const posterPosts = sqliteTable("poster_posts", {
  index: integer("idx").primaryKey(),
  txHash: text("tx_hash").notNull(),
  postedAtMs: integer("posted_at_ms").notNull(),
});

export type BlockRow = typeof blocks.$inferSelect;
export type ReceiptRow = typeof receipts.$inferSelect;
export type CheckpointRow = typeof checkpoints.$inferSelect;
export type HeadRow = typeof head.$inferSelect;
