/**
 * The proof a withdrawal claim on settlement needs (settlement-node/ledger
 * claimWithdrawal): the withdrawal leaf as the lane state holds it and an
 * SMT inclusion proof of it against the newRoot of the first checkpoint
 * whose blocks include it. Read from the Sequencer's own tree: every root
 * the lane ever had stays readable (nodes are content addressed, never
 * deleted).
 */
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { eq } from "drizzle-orm";
import { settlementPayloadCodec } from "../../../settlement-node/ledger/tx.ts";
import { toHex } from "../../../shared/bytes.ts";
import { decode } from "../../../shared/codec/index.ts";
import type { LaneExecutor } from "../../../shared/lane/index.ts";
import { encodeSmtProof } from "../../../shared/smt/index.ts";
import { keys, withdrawalCodec } from "../../../shared/stf/records.ts";
import * as schema from "./schema.ts";
import type { FinalityStatus } from "./types.ts";

type Db = DrizzleSqliteDODatabase<typeof schema>;

export type WithdrawalProofView = {
  lane: number;
  withdrawalId: string;
  withdrawal: { id: string; lane: number; recipient: string; asset: string; amount: string; height: string };
  /** The leaf bytes (shared/stf withdrawalCodec), hex: claimWithdrawal's `withdrawal`. */
  leaf: string;
  finality: FinalityStatus;
  /** Null until a checkpoint holding the withdrawal's block is built. */
  checkpoint: { index: number; root: string; status: FinalityStatus } | null;
  /** shared/smt encodeSmtProof of the leaf against checkpoint.root, hex; null with checkpoint. */
  proof: string | null;
};

const FINALITY: Record<string, FinalityStatus> = {
  built: "soft",
  posted: "checkpointed",
  settled: "settled",
  final: "final",
};

/** undefined when the lane has no withdrawal `id`. */
export function withdrawalProof(executor: LaneExecutor, db: Db, id: bigint): WithdrawalProofView | undefined {
  const tree = executor.tree;
  const key = keys.withdrawal(id);
  const leaf = tree.getAt(executor.head.root, key);
  if (!leaf) return undefined;
  const w = decode(withdrawalCodec, leaf);
  const view: WithdrawalProofView = {
    lane: w.lane,
    withdrawalId: String(id),
    withdrawal: {
      id: String(w.id),
      lane: w.lane,
      recipient: toHex(w.recipient),
      asset: toHex(w.asset),
      amount: String(w.amount),
      height: String(w.height),
    },
    leaf: toHex(leaf),
    finality: "soft",
    checkpoint: null,
    proof: null,
  };
  const block = db
    .select()
    .from(schema.blocks)
    .where(eq(schema.blocks.height, Number(w.height)))
    .get();
  if (!block || block.checkpointIndex === null) return view;
  const row = db
    .select()
    .from(schema.checkpoints)
    .where(eq(schema.checkpoints.index, block.checkpointIndex))
    .get();
  if (!row) return view;
  const payload = decode(settlementPayloadCodec, u8(row.payload));
  if (payload.type !== "postCheckpoint")
    throw new Error("BUG: a checkpoint row holds a non-checkpoint payload");
  const status = FINALITY[row.status] ?? "soft";
  view.finality = status;
  view.checkpoint = { index: row.index, root: toHex(payload.newRoot), status };
  view.proof = toHex(encodeSmtProof(tree.prove(key, payload.newRoot)));
  return view;
}

function u8(b: ArrayBuffer | Uint8Array): Uint8Array {
  return b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}
