/**
 * Projects committed blocks into the derived tables (db/schema.ts): blocks,
 * transactions, and the accounts, validators, lanes, checkpoints, deposits
 * and withdrawals they changed. Row values come from each block's state
 * writes and events, so replaying the same blocks always gives the same rows.
 * State keys are hashes, so the projection names the records a block may
 * have touched (senders, event parties, validators, lanes) and keeps those
 * whose key the block wrote.
 *
 * Two halves: blockProjection (pure, from the committed block and the ledger
 * state pinned to it: plain rows that can cross to a worker thread) and
 * writeProjections (the SQL of projection-sql.ts: a few multi-row statements
 * for a whole run of blocks, the last write of a record winning, as applying
 * them one by one would leave it).
 */
import { inArray } from "drizzle-orm";
import { bigintToBytesBE, concatBytes, toHex } from "../../shared/bytes.ts";
import { decode } from "../../shared/codec/index.ts";
import { accountAddressOf } from "../ledger/address.ts";
import { Books } from "../ledger/books.ts";
import { LedgerStatus } from "../ledger/codes.ts";
import {
  accountCodec,
  depositCodec,
  laneCodec,
  ledgerKeys,
  type ValidatorRecord,
  validatorCodec,
} from "../ledger/records.ts";
import type { SettlementTx } from "../db/reindex.ts";
import * as t from "../db/schema.ts";
import type { CommittedBlock } from "./committed-block.ts";
import { projectionStatements, runStatements } from "./projection-sql.ts";

/** The withdrawals table id: lane u32 BE ‖ withdrawal id u64 BE (the API writes it "<lane>-<id>"). */
export function withdrawalRowId(lane: number, id: bigint): Uint8Array {
  return concatBytes(bigintToBytesBE(BigInt(lane), 4), bigintToBytesBE(id, 8));
}

export function validatorStatus(v: ValidatorRecord): (typeof t.VALIDATOR_STATUSES)[number] {
  if (v.tombstoned) return "tombstoned";
  if (v.jailed) return "jailed";
  return v.stake === 0n ? "unbonding" : "active";
}

/** Keyed by hex so byte arrays dedupe. */
class ByHex {
  readonly items = new Map<string, Uint8Array>();
  add(b: Uint8Array): void {
    this.items.set(toHex(b), b);
  }
  values(): Uint8Array[] {
    return [...this.items.keys()].sort().map((k) => this.items.get(k)!);
  }
}

/** The rows one committed block puts in the derived tables (structured-cloneable plain data). */
export type BlockProjection = {
  height: bigint;
  block: typeof t.blocks.$inferInsert;
  transactions: (typeof t.transactions.$inferInsert)[];
  /** Accounts the block wrote, in address order: the new row, or null when the record was deleted. */
  accounts: { address: Uint8Array; row: typeof t.accounts.$inferInsert | null }[];
  validators: (typeof t.validators.$inferInsert)[];
  lanes: (typeof t.lanes.$inferInsert)[];
  checkpoints: (typeof t.checkpoints.$inferInsert)[];
  deposits: (typeof t.deposits.$inferInsert)[];
  withdrawals: (typeof t.withdrawals.$inferInsert)[];
};

/** What `block` changes in the derived tables; reads the ledger state pinned to it, writes nothing. */
export function blockProjection(block: CommittedBlock): BlockProjection {
  const { result } = block;
  const written = new Map(result.writes.map((w) => [toHex(w.key), w.value]));
  const writtenValue = (key: Uint8Array) => written.get(toHex(key));
  const wasWritten = (key: Uint8Array) => written.has(toHex(key));

  const transactions = block.txs.map((vtx, i) => {
    const status = result.receipts[i]?.status ?? LedgerStatus.SignatureInvalid;
    return {
      hash: vtx.hash,
      height: block.height,
      indexInBlock: i,
      kind: vtx.tx.body.payload.type,
      sender: accountAddressOf(vtx.tx.body.sender),
      status: status === LedgerStatus.Ok ? ("applied" as const) : ("rejected" as const),
      codeRejection: status === LedgerStatus.Ok ? null : status,
    };
  });

  // Who the block may have touched.
  const books = new Books(block.state);
  const publicKeys = new ByHex();
  const addresses = new ByHex();
  for (const pk of books.registry()) publicKeys.add(pk);
  const set = books.validatorSet();
  for (const m of [...set.current, ...set.previous]) publicKeys.add(m.publicKey);
  addresses.add(books.params().treasury);
  for (const vtx of block.txs) {
    publicKeys.add(vtx.tx.body.sender);
    const p = vtx.tx.body.payload;
    if (p.type === "transfer") addresses.add(p.to);
  }
  for (const e of result.events) {
    if ("publicKey" in e) publicKeys.add(e.publicKey);
    if (e.type === "transfer") {
      addresses.add(e.from);
      addresses.add(e.to);
    }
    if (e.type === "withdrawalPaid") addresses.add(e.recipient);
  }
  for (const pk of publicKeys.values()) addresses.add(accountAddressOf(pk));

  const accounts: BlockProjection["accounts"] = [];
  for (const address of addresses.values()) {
    const key = ledgerKeys.account(address);
    if (!wasWritten(key)) continue;
    const value = writtenValue(key);
    if (!value) {
      accounts.push({ address, row: null });
      continue;
    }
    const a = decode(accountCodec, value);
    accounts.push({ address, row: { address, balance: a.balance, nonce: a.nonce } });
  }

  const validators: BlockProjection["validators"] = [];
  for (const pk of publicKeys.values()) {
    const value = writtenValue(ledgerKeys.validator(pk));
    if (!value) continue;
    const v = decode(validatorCodec, value);
    validators.push({
      address: accountAddressOf(pk),
      publicKey: pk,
      stake: v.stake,
      status: validatorStatus(v),
    });
  }

  const lanes: BlockProjection["lanes"] = [];
  const laneCount = books.chain().laneCount;
  for (let id = 1; id <= laneCount; id++) {
    const value = writtenValue(ledgerKeys.lane(id));
    if (!value) continue;
    const l = decode(laneCodec, value);
    lanes.push({
      id,
      sequencer: l.sequencer,
      escrow: l.escrow,
      bond: l.bond,
      challengeWindowBlocks: l.challengeWindowBlocks,
    });
  }

  const checkpoints: BlockProjection["checkpoints"] = [];
  const deposits: BlockProjection["deposits"] = [];
  const withdrawals: BlockProjection["withdrawals"] = [];
  for (const e of result.events) {
    if (e.type === "checkpointed") {
      const payload = block.txs
        .map((vtx) => vtx.tx.body.payload)
        .find((p) => p.type === "postCheckpoint" && p.lane === e.lane && p.index === e.index);
      if (payload?.type !== "postCheckpoint") continue;
      checkpoints.push({
        lane: e.lane,
        indexInLane: e.index,
        rootPrevious: payload.prevRoot,
        rootNew: e.newRoot,
        batchHash: payload.batchHash,
        status: e.finalHeight <= block.height ? "final" : "settled",
        heightSettled: block.height,
        heightFinal: e.finalHeight,
      });
    } else if (e.type === "deposit") {
      const value = writtenValue(ledgerKeys.deposit(e.lane, e.id));
      if (!value) continue;
      const d = decode(depositCodec, value);
      deposits.push({
        id: d.laneDepositId,
        lane: d.lane,
        sender: d.sender,
        recipient: d.recipient,
        amount: d.amount,
        status: "pending",
        height: d.height,
      });
    } else if (e.type === "withdrawalPaid") {
      withdrawals.push({
        id: withdrawalRowId(e.lane, e.id),
        lane: e.lane,
        recipient: e.recipient,
        amount: e.amount,
        status: "paid",
        heightRequested: block.height,
      });
    }
  }
  return {
    height: block.height,
    block: {
      height: block.height,
      hash: block.hash,
      timeMs: block.timeMs,
      proposer: accountAddressOf(block.proposer),
      countTransactions: block.txs.length,
    },
    transactions,
    accounts,
    validators,
    lanes,
    checkpoints,
    deposits,
    withdrawals,
  };
}

/**
 * Writes consecutive blocks' projections (increasing heights, none already
 * indexed) and index_progress in the caller's transaction: a few multi-row
 * statements for the whole run (projection-sql.ts), the same rows as
 * writing each block in turn.
 */
export async function writeProjections(
  tx: SettlementTx,
  projections: readonly BlockProjection[],
): Promise<void> {
  await runStatements(tx, projectionStatements(projections));
}

/** Of `heights`, those whose block is already in the derived tables. */
export async function heightsPresent(tx: SettlementTx, heights: readonly bigint[]): Promise<Set<bigint>> {
  const present = new Set<bigint>();
  for (let i = 0; i < heights.length; i += 1000)
    for (const r of await tx
      .select({ height: t.blocks.height })
      .from(t.blocks)
      .where(inArray(t.blocks.height, heights.slice(i, i + 1000))))
      present.add(r.height);
  return present;
}

/**
 * Inserts the block's rows; a height already in `blocks` is a no-op
 * (returns false), which makes replays after a crash harmless.
 */
export async function projectBlock(tx: SettlementTx, block: CommittedBlock): Promise<boolean> {
  if ((await heightsPresent(tx, [block.height])).size > 0) return false;
  await writeProjections(tx, [blockProjection(block)]);
  return true;
}
