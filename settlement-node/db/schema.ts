/**
 * The settlement database: derived state and indexes only. Everything here is
 * rebuilt from the block store by `rebuildFrom` (reindex.ts), so a lost or
 * damaged database costs a reindex, never funds (DESIGN.md, Storage).
 *
 * One schema for PGlite and PostgreSQL; the SQL migrations in
 * migrations/settlement/ are generated from it with drizzle-kit
 * (drizzle.settlement.config.ts). Rules, so the same SQL runs in any schema
 * (tests use one schema per run): no pgEnum and no foreign keys (drizzle-kit
 * qualifies both with "public"); statuses are text with a CHECK.
 *
 * Amounts are numeric(78, 0) read as bigint: 78 digits hold any u256, and a
 * float never touches a balance. Hashes, addresses and roots are bytea.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  customType,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
} from "drizzle-orm/pg-core";

/** bytea as Uint8Array on both drivers (postgres.js returns a Buffer, PGlite a Uint8Array). */
export const bytes = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => value,
  fromDriver: (value) =>
    new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)),
});

const amount = (name: string) => numeric(name, { precision: 78, scale: 0, mode: "bigint" });
const height = (name: string) => bigint(name, { mode: "bigint" });
const laneId = (name: string) => bigint(name, { mode: "number" });

/** The finality ladder (DESIGN.md), plus the dead end a fraud proof leads to. */
export const FINALITY_STATUSES = ["soft", "checkpointed", "settled", "final", "rejected"] as const;
export type FinalityStatus = (typeof FINALITY_STATUSES)[number];
export const VALIDATOR_STATUSES = ["active", "jailed", "unbonding", "tombstoned"] as const;
export const TRANSACTION_STATUSES = ["applied", "rejected"] as const;
export const WITHDRAWAL_STATUSES = ["pending", "provable", "paid", "rejected"] as const;
export const DEPOSIT_STATUSES = ["pending", "credited", "rejected"] as const;

const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`"${column}" in (${values.map((v) => `'${v}'`).join(", ")})`);

export const blocks = pgTable("blocks", {
  height: height("height").primaryKey(),
  hash: bytes("hash").notNull().unique(),
  timeMs: bigint("time_ms", { mode: "bigint" }).notNull(),
  proposer: bytes("proposer").notNull(),
  countTransactions: integer("count_transactions").notNull(),
});

export const transactions = pgTable(
  "transactions",
  {
    hash: bytes("hash").primaryKey(),
    height: height("height").notNull(),
    indexInBlock: integer("index_in_block").notNull(),
    kind: text("kind").notNull(),
    sender: bytes("sender").notNull(),
    status: text("status", { enum: TRANSACTION_STATUSES }).notNull(),
    /** The stable rejection code of the state transition function, when rejected. */
    codeRejection: integer("code_rejection"),
  },
  (t) => [
    index("transactions_height_index").on(t.height, t.indexInBlock),
    index("transactions_sender").on(t.sender),
    check("transactions_status_valid", oneOf("status", TRANSACTION_STATUSES)),
  ],
);

export const accounts = pgTable("accounts", {
  address: bytes("address").primaryKey(),
  balance: amount("balance").notNull(),
  nonce: bigint("nonce", { mode: "bigint" }).notNull(),
});

export const validators = pgTable(
  "validators",
  {
    address: bytes("address").primaryKey(),
    publicKey: bytes("public_key").notNull(),
    stake: amount("stake").notNull(),
    status: text("status", { enum: VALIDATOR_STATUSES }).notNull(),
  },
  () => [check("validators_status_valid", oneOf("status", VALIDATOR_STATUSES))],
);

export const lanes = pgTable("lanes", {
  id: laneId("id").primaryKey(),
  sequencer: bytes("sequencer").notNull(),
  escrow: amount("escrow").notNull(),
  bond: amount("bond").notNull(),
  challengeWindowBlocks: bigint("challenge_window_blocks", { mode: "bigint" }).notNull(),
  frozen: integer("frozen").notNull().default(0),
});

export const checkpoints = pgTable(
  "checkpoints",
  {
    lane: laneId("lane").notNull(),
    indexInLane: bigint("index_in_lane", { mode: "bigint" }).notNull(),
    rootPrevious: bytes("root_previous").notNull(),
    rootNew: bytes("root_new").notNull(),
    batchHash: bytes("batch_hash").notNull(),
    status: text("status", { enum: FINALITY_STATUSES }).notNull(),
    heightSettled: height("height_settled"),
    /** First settlement height at which the checkpoint is final if unchallenged. */
    heightFinal: height("height_final"),
  },
  (t) => [
    primaryKey({ columns: [t.lane, t.indexInLane] }),
    index("checkpoints_status").on(t.status),
    check("checkpoints_status_valid", oneOf("status", FINALITY_STATUSES)),
  ],
);

export const withdrawals = pgTable(
  "withdrawals",
  {
    id: bytes("id").primaryKey(),
    lane: laneId("lane").notNull(),
    recipient: bytes("recipient").notNull(),
    amount: amount("amount").notNull(),
    status: text("status", { enum: WITHDRAWAL_STATUSES }).notNull(),
    heightRequested: height("height_requested").notNull(),
  },
  (t) => [
    index("withdrawals_recipient").on(t.recipient),
    check("withdrawals_status_valid", oneOf("status", WITHDRAWAL_STATUSES)),
  ],
);

export const deposits = pgTable(
  "deposits",
  {
    id: bytes("id").primaryKey(),
    lane: laneId("lane").notNull(),
    sender: bytes("sender").notNull(),
    recipient: bytes("recipient").notNull(),
    amount: amount("amount").notNull(),
    status: text("status", { enum: DEPOSIT_STATUSES }).notNull(),
    height: height("height").notNull(),
  },
  (t) => [
    index("deposits_recipient").on(t.recipient),
    check("deposits_status_valid", oneOf("status", DEPOSIT_STATUSES)),
  ],
);

/** One row: the last block height applied to the derived tables, so indexing resumes after a restart. */
export const indexProgress = pgTable(
  "index_progress",
  {
    id: smallint("id").primaryKey().default(1),
    heightIndexed: height("height_indexed").notNull(),
  },
  () => [check("index_progress_single_row", sql`"id" = 1`)],
);

/** Tables that reindexing truncates and rebuilds. */
export const DERIVED_TABLES = [
  blocks,
  transactions,
  accounts,
  validators,
  lanes,
  checkpoints,
  withdrawals,
  deposits,
  indexProgress,
] as const;
