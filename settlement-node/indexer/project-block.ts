/**
 * Projects one committed block into the derived tables (db/schema.ts):
 * blocks, transactions, and the accounts, validators, lanes, checkpoints,
 * deposits and withdrawals it changed. Row values come from the block's state
 * writes and events, so replaying the same blocks always gives the same rows.
 * State keys are hashes, so the projection names the records a block may
 * have touched (senders, event parties, validators, lanes) and keeps those
 * whose key the block wrote.
 */
import { eq, and, lte, sql } from "drizzle-orm";
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

/**
 * Inserts the block's rows; a height already in `blocks` is a no-op
 * (returns false), which makes replays after a crash harmless.
 */
export async function projectBlock(tx: SettlementTx, block: CommittedBlock): Promise<boolean> {
  const existing = await tx
    .select({ height: t.blocks.height })
    .from(t.blocks)
    .where(eq(t.blocks.height, block.height));
  if (existing.length > 0) return false;
  const { result } = block;
  const written = new Map(result.writes.map((w) => [toHex(w.key), w.value]));
  const writtenValue = (key: Uint8Array) => written.get(toHex(key));
  const wasWritten = (key: Uint8Array) => written.has(toHex(key));

  await tx.insert(t.blocks).values({
    height: block.height,
    hash: block.hash,
    timeMs: block.timeMs,
    proposer: accountAddressOf(block.proposer),
    countTransactions: block.txs.length,
  });
  if (block.txs.length > 0) {
    await tx
      .insert(t.transactions)
      .values(
        block.txs.map((vtx, i) => {
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
        }),
      )
      .onConflictDoNothing();
  }

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

  for (const address of addresses.values()) {
    const key = ledgerKeys.account(address);
    if (!wasWritten(key)) continue;
    const value = writtenValue(key);
    if (!value) {
      await tx.delete(t.accounts).where(eq(t.accounts.address, address));
      continue;
    }
    const a = decode(accountCodec, value);
    await tx
      .insert(t.accounts)
      .values({ address, balance: a.balance, nonce: a.nonce })
      .onConflictDoUpdate({ target: t.accounts.address, set: { balance: a.balance, nonce: a.nonce } });
  }

  for (const pk of publicKeys.values()) {
    const value = writtenValue(ledgerKeys.validator(pk));
    if (!value) continue;
    const v = decode(validatorCodec, value);
    const row = { address: accountAddressOf(pk), publicKey: pk, stake: v.stake, status: validatorStatus(v) };
    await tx
      .insert(t.validators)
      .values(row)
      .onConflictDoUpdate({ target: t.validators.address, set: { stake: row.stake, status: row.status } });
  }

  const laneCount = books.chain().laneCount;
  for (let id = 1; id <= laneCount; id++) {
    const value = writtenValue(ledgerKeys.lane(id));
    if (!value) continue;
    const l = decode(laneCodec, value);
    const row = {
      id,
      sequencer: l.sequencer,
      escrow: l.escrow,
      bond: l.bond,
      challengeWindowBlocks: l.challengeWindowBlocks,
    };
    await tx.insert(t.lanes).values(row).onConflictDoUpdate({ target: t.lanes.id, set: row });
  }

  for (const e of result.events) {
    if (e.type === "checkpointed") {
      const c = { lane: e.lane, index: e.index };
      const payload = block.txs
        .map((vtx) => vtx.tx.body.payload)
        .find((p) => p.type === "postCheckpoint" && p.lane === c.lane && p.index === c.index);
      if (payload?.type !== "postCheckpoint") continue;
      await tx.insert(t.checkpoints).values({
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
      await tx.insert(t.deposits).values({
        id: d.laneDepositId,
        lane: d.lane,
        sender: d.sender,
        recipient: d.recipient,
        amount: d.amount,
        status: "pending",
        height: d.height,
      });
    } else if (e.type === "withdrawalPaid") {
      await tx.insert(t.withdrawals).values({
        id: withdrawalRowId(e.lane, e.id),
        lane: e.lane,
        recipient: e.recipient,
        amount: e.amount,
        status: "paid",
        heightRequested: block.height,
      });
    }
  }
  // Challenge windows are counted in blocks: every settled checkpoint whose window ended is now final.
  await tx
    .update(t.checkpoints)
    .set({ status: "final" })
    .where(and(eq(t.checkpoints.status, "settled"), lte(t.checkpoints.heightFinal, block.height)));

  await tx
    .insert(t.indexProgress)
    .values({ id: 1, heightIndexed: block.height })
    .onConflictDoUpdate({ target: t.indexProgress.id, set: { heightIndexed: sql`excluded.height_indexed` } });
  return true;
}
