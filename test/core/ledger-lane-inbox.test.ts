/**
 * A lane's inbox on settlement: deposits and forced transactions are
 * consumed by checkpoints in order, none skipped (the cursors in the
 * checkpoint body must match the batch data), and a forced transaction not
 * covered by its deadline freezes the lane. Properties compare the ledger
 * with a one-line model of each rule over random batches.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkpointPayload,
  laneBatch,
  laneDepositOf,
  LaneWithdrawalTree,
  laneTxBytes,
  LedgerHarness,
  testKey,
} from "../../settlement-node/ledger/harness.ts";
import {
  depositCodec,
  forcedWatchCodec,
  LedgerStatus,
  ledgerKeys,
  type VerifiedTx,
} from "../../settlement-node/ledger/index.ts";
import { NATIVE_ASSET } from "../../shared/stf/records.ts";

const a0 = testKey("a0");
const a1 = testKey("a1");
const seq = testKey("seq");
const ZERO = new Uint8Array(32);

function openLane(h: LedgerHarness, forcedInclusionBlocks = 3n): number {
  const r = h.block([
    h.tx(a0, {
      type: "openLane",
      sequencer: seq,
      bond: 500n,
      challengeWindowBlocks: 2n,
      genesisRoot: ZERO,
      forcedInclusionBlocks,
      genesisEscrow: 0n,
    }),
  ]);
  expect(r.receipts[0]!.status).toBe(LedgerStatus.Ok);
  return h.chain().laneCount;
}

function deposit(h: LedgerHarness, lane: number, amounts: bigint[]): void {
  const r = h.block(
    amounts.map((amount) => h.tx(a0, { type: "depositToLane", lane, recipient: a1, amount })),
  );
  expect(r.receipts.every((x) => x.status === LedgerStatus.Ok)).toBe(true);
}

function force(h: LedgerHarness, lane: number, count: number, from = 0): Uint8Array[] {
  const txs = Array.from({ length: count }, (_, i) => laneTxBytes(lane, BigInt(from + i)));
  const r = h.block(txs.map((tx) => h.tx(a0, { type: "forceLaneTx", lane, tx })));
  expect(r.receipts.map((x) => x.status)).toEqual(txs.map(() => LedgerStatus.Ok));
  return txs;
}

/** Posts checkpoint `index` of `lane` (roots chained by index) and returns its status. */
function post(
  h: LedgerHarness,
  lane: number,
  index: bigint,
  o: { batch: Uint8Array; depositCursor?: bigint; forcedCursor?: bigint },
): number {
  const tx: VerifiedTx = h.tx(
    a0,
    checkpointPayload({
      lane,
      index,
      prevRoot: index === 0n ? ZERO : testKey(`root-${index - 1n}`),
      newRoot: testKey(`root-${index}`),
      sequencer: seq,
      batchData: o.batch,
      depositCursor: o.depositCursor ?? 0n,
      forcedCursor: o.forcedCursor ?? 0n,
    }),
  );
  return h.block([tx]).receipts[0]!.status;
}

const depositsOf = (h: LedgerHarness, lane: number, ids: number[]) =>
  ids.map((id) => laneDepositOf(h.books().read(depositCodec, ledgerKeys.deposit(lane, BigInt(id)))!));

describe("deposit cursor", () => {
  it("accepts deposits consumed in order across checkpoints, and records the cursor", () => {
    const h = new LedgerHarness();
    const lane = openLane(h);
    deposit(h, lane, [10n, 20n, 30n]);
    const batch = laneBatch(lane, [{ deposits: depositsOf(h, lane, [0, 1]) }]);
    expect(post(h, lane, 0n, { batch, depositCursor: 2n })).toBe(LedgerStatus.Ok);
    expect(h.lane(lane)!.depositsConsumed).toBe(2n);
    expect(h.checkpoint(lane, 0n)!.depositCursor).toBe(2n);
    // The next checkpoint starts at deposit 2: repeating deposit 1 is out of order.
    const again = laneBatch(lane, [{ deposits: depositsOf(h, lane, [1, 2]) }]);
    expect(post(h, lane, 1n, { batch: again, depositCursor: 3n })).toBe(LedgerStatus.DepositsOutOfOrder);
    const rest = laneBatch(lane, [{}, { deposits: depositsOf(h, lane, [2]) }]);
    expect(post(h, lane, 1n, { batch: rest, depositCursor: 3n })).toBe(LedgerStatus.Ok);
    expect(h.lane(lane)!.depositsConsumed).toBe(3n);
  });

  it("rejects a deposit with a changed amount or recipient", () => {
    const h = new LedgerHarness();
    const lane = openLane(h);
    deposit(h, lane, [10n]);
    const [d] = depositsOf(h, lane, [0]);
    for (const bad of [
      { ...d!, amount: 11n },
      { ...d!, recipient: testKey("thief") },
    ]) {
      const batch = laneBatch(lane, [{ deposits: [bad] }]);
      expect(post(h, lane, 0n, { batch, depositCursor: 1n })).toBe(LedgerStatus.DepositsOutOfOrder);
    }
    expect(h.lane(lane)!.depositsConsumed).toBe(0n);
  });

  it("property: a checkpoint is accepted iff its batch's deposits are exactly deposits [0, cursor) in order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), { maxLength: 3 }),
        fc.integer({ min: 0, max: 5 }),
        (count, blocks, cursor) => {
          const h = new LedgerHarness();
          const lane = openLane(h);
          deposit(
            h,
            lane,
            Array.from({ length: count }, (_, i) => BigInt(i + 1)),
          );
          const kept = blocks.map((ids) => ids.filter((i) => i < count));
          const flat = kept.flat();
          const batch = laneBatch(
            lane,
            kept.map((ids) => ({ deposits: depositsOf(h, lane, ids) })),
          );
          const exact = cursor <= count && flat.length === cursor && flat.every((id, k) => id === k);
          const status = post(h, lane, 0n, { batch, depositCursor: BigInt(cursor) });
          if (exact) expect(status).toBe(LedgerStatus.Ok);
          else expect(status).not.toBe(LedgerStatus.Ok);
          expect(h.lane(lane)!.depositsConsumed).toBe(exact ? BigInt(cursor) : 0n);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("forced inclusion", () => {
  it("queues a forced lane transaction with a deadline the lane's parameter sets", () => {
    const h = new LedgerHarness();
    const lane = openLane(h, 5n);
    force(h, lane, 1);
    expect(h.lane(lane)).toMatchObject({ forcedCount: 1n, forcedConsumed: 0n, frozenHeight: 0n });
    expect(h.books().read(forcedWatchCodec, ledgerKeys.forcedWatch())?.lanes).toEqual([lane]);
  });

  it("counts forced transactions covered when they lead the batch's blocks, in order", () => {
    const h = new LedgerHarness();
    const lane = openLane(h);
    const [f0, f1, f2] = force(h, lane, 3) as [Uint8Array, Uint8Array, Uint8Array];
    const user = laneTxBytes(lane, 77n);
    // A user tx before a forced one: the forced one is not at the front of its block.
    const late = laneBatch(lane, [{ txs: [user, f0] }]);
    expect(post(h, lane, 0n, { batch: late, forcedCursor: 1n })).toBe(LedgerStatus.ForcedTxsOutOfOrder);
    const ok = laneBatch(lane, [{ txs: [f0, user] }, { txs: [f1] }]);
    expect(post(h, lane, 0n, { batch: ok, forcedCursor: 2n })).toBe(LedgerStatus.Ok);
    expect(h.lane(lane)!.forcedConsumed).toBe(2n);
    expect(post(h, lane, 1n, { batch: laneBatch(lane, [{ txs: [f2] }]), forcedCursor: 3n })).toBe(
      LedgerStatus.Ok,
    );
    // Nothing left waiting: the next block stops watching the lane.
    h.block();
    expect(h.books().read(forcedWatchCodec, ledgerKeys.forcedWatch())).toBeUndefined();
  });

  it("property: accepted iff the leading txs of the blocks, walked in order, reach the cursor", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), { maxLength: 3 }),
        fc.integer({ min: 0, max: 4 }),
        (count, blocks, cursor) => {
          const h = new LedgerHarness();
          const lane = openLane(h);
          const forced = force(h, lane, count);
          // Index ≥ count stands for an ordinary user transaction.
          const txOf = (i: number) => (i < count ? forced[i]! : laneTxBytes(lane, BigInt(100 + i)));
          const batch = laneBatch(
            lane,
            blocks.map((ids) => ({ txs: ids.map(txOf) })),
          );
          // Model: the walk of the rule, written independently over indices.
          let reached = 0;
          for (const ids of blocks)
            for (const id of ids) {
              if (reached >= cursor || id !== reached) break;
              reached++;
            }
          const ok = cursor <= count && reached === cursor;
          const status = post(h, lane, 0n, { batch, forcedCursor: BigInt(cursor) });
          if (ok) expect(status).toBe(LedgerStatus.Ok);
          else expect(status).not.toBe(LedgerStatus.Ok);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a checkpoint covering the forced tx by its deadline keeps the lane live; one block later it is frozen", () => {
    for (const coverAt of [1n, 3n, 4n]) {
      const h = new LedgerHarness();
      const lane = openLane(h, 3n);
      const [f0] = force(h, lane, 1);
      const deadline = h.height + 3n;
      h.advanceTo(h.height + coverAt - 1n);
      const status = post(h, lane, 0n, { batch: laneBatch(lane, [{ txs: [f0!] }]), forcedCursor: 1n });
      if (h.height <= deadline) {
        expect(status).toBe(LedgerStatus.Ok);
        h.advanceTo(h.height + 5n);
        expect(h.lane(lane)!.frozenHeight).toBe(0n);
      } else {
        expect(status).toBe(LedgerStatus.LaneFrozen);
        expect(h.lane(lane)!.frozenHeight).toBe(deadline + 1n);
      }
    }
  });

  it("a frozen lane accepts no checkpoint, deposit or forced tx, but final withdrawals are still paid", () => {
    const h = new LedgerHarness();
    const lane = openLane(h, 2n);
    deposit(h, lane, [1_000n]);
    const tree = new LaneWithdrawalTree();
    const root = tree.add([{ id: 0n, lane, recipient: a1, asset: NATIVE_ASSET, amount: 400n, height: 1n }]);
    const cp = checkpointPayload({ lane, index: 0n, prevRoot: ZERO, newRoot: root, sequencer: seq });
    expect(h.block([h.tx(a0, { ...cp, withdrawalCount: 1n })]).receipts[0]!.status).toBe(LedgerStatus.Ok);
    force(h, lane, 1);
    h.advanceTo(h.height + 3n);
    expect(h.lane(lane)!.frozenHeight).not.toBe(0n);
    const r = h.block([
      h.tx(a0, checkpointPayload({ lane, index: 1n, prevRoot: root, newRoot: root, sequencer: seq })),
      h.tx(a0, { type: "depositToLane", lane, recipient: a1, amount: 5n }),
      h.tx(a0, { type: "forceLaneTx", lane, tx: laneTxBytes(lane, 9n) }),
      h.tx(a0, { type: "claimWithdrawal", lane, checkpointIndex: 0n, ...tree.claim(0n) }),
    ]);
    expect(r.receipts.map((x) => x.status)).toEqual([
      LedgerStatus.LaneFrozen,
      LedgerStatus.LaneFrozen,
      LedgerStatus.LaneFrozen,
      LedgerStatus.Ok,
    ]);
    expect(h.lane(lane)).toMatchObject({ escrow: 600n, paidTotal: 400n });
  });

  it("a lane that never gets a forced tx is never frozen, and other lanes are unaffected", () => {
    const h = new LedgerHarness();
    const quiet = openLane(h, 1n);
    const busy = openLane(h, 1n);
    force(h, busy, 1);
    h.advanceTo(h.height + 3n);
    expect(h.lane(busy)!.frozenHeight).not.toBe(0n);
    expect(h.lane(quiet)!.frozenHeight).toBe(0n);
    expect(post(h, quiet, 0n, { batch: laneBatch(quiet, [{}]) })).toBe(LedgerStatus.Ok);
  });
});
