/**
 * Lanes on the settlement ledger: the genesis escrow an opener puts up for
 * the lane's genesis supply, deposits into escrow with sequential ids,
 * checkpoints accepted only from the lane's sequencer and only when they link
 * to the last accepted root, the finality ladder over heights, and
 * withdrawals paid against a final checkpoint exactly once.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { NATIVE_ASSET } from "../../shared/stf/records.ts";
import {
  checkpointPayload,
  laneBatch,
  LaneWithdrawalTree,
  laneTxBytes,
  LedgerHarness,
  TEST_CHAIN_ID,
  testKey,
} from "../../settlement-node/ledger/harness.ts";
import {
  accountAddressOf,
  type AccountRecord,
  batchDataCodec,
  checkpointBodyOf,
  checkpointSignBytes,
  checkpointView,
  depositCodec,
  encodeSettlementTx,
  laneDepositIdOf,
  LedgerStatus,
  ledgerKeys,
  type PayloadOf,
  type SettlementPayload,
  settlementTxSignBytes,
  U128_MAX,
  verifySettlementTx,
} from "../../settlement-node/ledger/index.ts";

const a0 = testKey("a0");
const a1 = testKey("a1");
const ZERO_ROOT = new Uint8Array(32);
const verify = (pk: Uint8Array, msg: Uint8Array, sig: Uint8Array) => ed25519.verify(sig, msg, pk);

function openLane(h: LedgerHarness, sequencer: Uint8Array, challengeWindowBlocks = 3n): number {
  const r = h.block([
    h.tx(a0, {
      type: "openLane",
      sequencer,
      bond: 500n,
      challengeWindowBlocks,
      genesisRoot: ZERO_ROOT,
      forcedInclusionBlocks: 3n,
      genesisEscrow: 0n,
    }),
  ]);
  expect(r.receipts[0]!.status).toBe(LedgerStatus.Ok);
  return h.chain().laneCount;
}

/** testGenesis's balance of a0, the opener below. */
const OPENER_BALANCE = 1_000_000n;

function openLanePayload(o: Partial<PayloadOf<"openLane">> = {}): PayloadOf<"openLane"> {
  return {
    type: "openLane",
    sequencer: testKey("seq"),
    bond: 500n,
    challengeWindowBlocks: 3n,
    genesisRoot: ZERO_ROOT,
    forcedInclusionBlocks: 3n,
    genesisEscrow: 0n,
    ...o,
  };
}

describe("genesis escrow", () => {
  it("moves from the opener into the lane's escrow with the bond; supply is unchanged", () => {
    const h = new LedgerHarness();
    const supply = h.chain().supply;
    const r = h.block([h.tx(a0, openLanePayload({ genesisEscrow: 8_000n }), { fee: 3n })]);
    expect(r.receipts[0]!.status).toBe(LedgerStatus.Ok);
    expect(h.balanceOf(a0)).toBe(OPENER_BALANCE - 500n - 8_000n - 3n);
    expect(h.lane(1)).toMatchObject({
      bond: 500n,
      escrow: 8_000n,
      genesisEscrow: 8_000n,
      depositedTotal: 0n,
      paidTotal: 0n,
      depositCount: 0n,
    });
    expect(r.events.find((e) => e.type === "laneOpened")).toMatchObject({
      genesisEscrow: 8_000n,
      bond: 500n,
    });
    expect(h.chain().supply).toBe(supply + r.minted - r.burned);
    expect(h.holdings([a0, a1, ...["a2", "a3", "v0", "v1", "v2", "v3"].map(testKey)])).toBe(h.chain().supply);
  });

  it("can take every coin the opener has left after the fee and the bond", () => {
    const h = new LedgerHarness();
    const escrow = OPENER_BALANCE - 1n - 500n;
    expect(h.block([h.tx(a0, openLanePayload({ genesisEscrow: escrow }))]).receipts[0]!.status).toBe(
      LedgerStatus.Ok,
    );
    expect(h.balanceOf(a0)).toBe(0n);
    expect(h.lane(1)).toMatchObject({ escrow, genesisEscrow: escrow });
  });

  const refused: { name: string; payload: PayloadOf<"openLane">; status: LedgerStatus }[] = [
    {
      name: "bond + escrow one above the balance after the fee",
      payload: openLanePayload({ genesisEscrow: OPENER_BALANCE - 1n - 500n + 1n }),
      status: LedgerStatus.BalanceInsufficient,
    },
    {
      name: "escrow alone above the balance",
      payload: openLanePayload({ genesisEscrow: OPENER_BALANCE }),
      status: LedgerStatus.BalanceInsufficient,
    },
    {
      name: "bond + escrow above u128",
      payload: openLanePayload({ genesisEscrow: U128_MAX }),
      status: LedgerStatus.BalanceInsufficient,
    },
    // Affordable, but refused by a later check: the escrow debited first is rolled back with the bond.
    {
      name: "affordable escrow, bond below the minimum",
      payload: openLanePayload({ bond: 499n, genesisEscrow: 9_000n }),
      status: LedgerStatus.LaneBondBelowMinimum,
    },
    {
      name: "affordable escrow, challenge window out of bounds",
      payload: openLanePayload({ challengeWindowBlocks: 11n, genesisEscrow: 9_000n }),
      status: LedgerStatus.ChallengeWindowOutOfBounds,
    },
    {
      name: "affordable escrow, forced-inclusion bound out of bounds",
      payload: openLanePayload({ forcedInclusionBlocks: 0n, genesisEscrow: 9_000n }),
      status: LedgerStatus.ForcedInclusionBlocksOutOfBounds,
    },
  ];
  for (const c of refused) {
    it(`is refused (${c.name}) and then nothing changes but the fee`, () => {
      const h = new LedgerHarness();
      const r = h.block([h.tx(a0, c.payload, { fee: 7n })]);
      expect(r.receipts[0]).toMatchObject({ status: c.status, feePaid: 7n });
      expect(h.account(accountAddressOf(a0))).toEqual<AccountRecord>({
        nonce: 1n,
        balance: OPENER_BALANCE - 7n,
      });
      expect(h.chain().laneCount).toBe(0);
      expect(h.lane(1)).toBeUndefined();
      expect(r.events.some((e) => e.type === "laneOpened")).toBe(false);
      // The same history with a self-transfer paying the same fee ends in the same state.
      const twin = new LedgerHarness();
      const t = twin.block([
        twin.tx(a0, { type: "transfer", to: accountAddressOf(a0), amount: 1n }, { fee: 7n }),
      ]);
      expect(t.receipts[0]!.status).toBe(LedgerStatus.Ok);
      expect(toHex(h.appHash)).toBe(toHex(twin.appHash));
    });
  }

  it("pays withdrawals of genesis funds up to the genesis escrow and refuses one above it", () => {
    const h = new LedgerHarness();
    const seq = testKey("seq");
    expect(
      h.block([h.tx(a0, openLanePayload({ sequencer: seq, genesisEscrow: 1_000n }))]).receipts[0]!.status,
    ).toBe(LedgerStatus.Ok);
    // No deposits: the lane's genesis balances are all the escrow holds.
    const tree = new LaneWithdrawalTree();
    const leaf = (id: bigint, amount: bigint) => ({
      id,
      lane: 1,
      recipient: a1,
      asset: NATIVE_ASSET,
      amount,
      height: 1n,
    });
    const root = tree.add([leaf(0n, 600n), leaf(1n, 401n), leaf(2n, 400n)]);
    h.block([
      h.tx(
        a0,
        checkpointPayload({
          lane: 1,
          index: 0n,
          prevRoot: ZERO_ROOT,
          newRoot: root,
          sequencer: seq,
          withdrawalCount: 3n,
        }),
      ),
    ]);
    h.advanceTo(h.height + 3n);
    const claim = (id: bigint) =>
      h.tx(a0, { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...tree.claim(id) });
    const before = h.balanceOf(a1);
    const r = h.block([claim(0n), claim(1n), claim(2n)]);
    expect(r.receipts.map((x) => x.status)).toEqual([
      LedgerStatus.Ok,
      LedgerStatus.WithdrawalExceedsEscrow,
      LedgerStatus.Ok,
    ]);
    expect(h.balanceOf(a1)).toBe(before + 1_000n);
    expect(h.lane(1)).toMatchObject({
      escrow: 0n,
      genesisEscrow: 1_000n,
      depositedTotal: 0n,
      paidTotal: 1_000n,
    });
    // Refused, not lost: once a deposit grows the escrow, the same claim is paid.
    h.block([h.tx(a0, { type: "depositToLane", lane: 1, recipient: a1, amount: 401n })]);
    expect(h.block([claim(1n)]).receipts[0]!.status).toBe(LedgerStatus.Ok);
    expect(h.lane(1)).toMatchObject({ escrow: 0n, depositedTotal: 401n, paidTotal: 1_401n });
  });
});

describe("deposits", () => {
  it("move the amount into the lane's escrow under sequential deposit ids the lane can credit once", () => {
    const h = new LedgerHarness();
    const lane = openLane(h, testKey("seq"));
    const before = h.balanceOf(a0);
    const r = h.block([
      h.tx(a0, { type: "depositToLane", lane, recipient: a1, amount: 700n }),
      h.tx(a0, { type: "depositToLane", lane, recipient: a0, amount: 300n }),
    ]);
    expect(r.receipts.map((x) => x.status)).toEqual([LedgerStatus.Ok, LedgerStatus.Ok]);
    expect(h.balanceOf(a0)).toBe(before - 1_000n - 2n);
    expect(h.lane(lane)).toMatchObject({ escrow: 1_000n, depositCount: 2n, depositedTotal: 1_000n });
    const second = h.books().read(depositCodec, ledgerKeys.deposit(lane, 1n))!;
    expect(second).toMatchObject({ id: 1n, lane, amount: 300n, height: h.height });
    expect(toHex(second.laneDepositId)).toBe(toHex(laneDepositIdOf(lane, 1n)));
    expect(toHex(laneDepositIdOf(lane, 0n))).not.toBe(toHex(laneDepositIdOf(lane, 1n)));
  });
});

describe("checkpoints", () => {
  it("accept a chain of checkpoints that link root to root, and refuse a fork from an older root", () => {
    const h = new LedgerHarness();
    const seq = testKey("seq");
    const lane = openLane(h, seq);
    const roots = [ZERO_ROOT, testKey("r1"), testKey("r2"), testKey("r3")];
    for (let i = 0; i < 3; i++) {
      const p = checkpointPayload({
        lane,
        index: BigInt(i),
        prevRoot: roots[i]!,
        newRoot: roots[i + 1]!,
        sequencer: seq,
      });
      expect(h.block([h.tx(a0, p)]).receipts[0]!.status).toBe(LedgerStatus.Ok);
    }
    expect(toHex(h.lane(lane)!.lastRoot)).toBe(toHex(roots[3]!));
    const fork = checkpointPayload({
      lane,
      index: 3n,
      prevRoot: roots[1]!,
      newRoot: testKey("fork"),
      sequencer: seq,
    });
    expect(h.block([h.tx(a0, fork)]).receipts[0]!.status).toBe(LedgerStatus.CheckpointPrevRootMismatch);
    const replay = checkpointPayload({
      lane,
      index: 2n,
      prevRoot: roots[2]!,
      newRoot: roots[3]!,
      sequencer: seq,
    });
    expect(h.block([h.tx(a0, replay)]).receipts[0]!.status).toBe(LedgerStatus.CheckpointIndexMismatch);
  });

  it("keep the batch data for data availability", () => {
    const h = new LedgerHarness();
    const seq = testKey("seq");
    const lane = openLane(h, seq);
    const batchData = laneBatch(lane, [{ txs: [laneTxBytes(lane, 0n)] }, {}, {}, {}]);
    h.block([
      h.tx(
        a0,
        checkpointPayload({
          lane,
          index: 0n,
          prevRoot: ZERO_ROOT,
          newRoot: testKey("r"),
          sequencer: seq,
          batchData,
        }),
      ),
    ]);
    const kept = h.books().read(batchDataCodec, ledgerKeys.batchData(lane, 0n));
    expect(kept?.data).toEqual(batchData);
  });

  it("are accepted only with a valid signature of the lane's sequencer key (real Ed25519, any relayer)", () => {
    const h = new LedgerHarness();
    const seqSecret = ed25519.utils.randomSecretKey();
    const seq = ed25519.getPublicKey(seqSecret);
    const impostorSecret = ed25519.utils.randomSecretKey();
    const relayerSecret = ed25519.utils.randomSecretKey();
    const relayer = ed25519.getPublicKey(relayerSecret);
    const lane = openLane(h, seq);
    h.block([h.tx(a0, { type: "transfer", to: accountAddressOf(relayer), amount: 100n })]);

    let nonce = 0n;
    const relay = (payload: SettlementPayload) => {
      const body = { sender: relayer, nonce: nonce++, fee: 1n, payload };
      const signature = ed25519.sign(settlementTxSignBytes(TEST_CHAIN_ID, body), relayerSecret);
      return verifySettlementTx(encodeSettlementTx({ body, signature }), TEST_CHAIN_ID, verify);
    };
    const signed = (secret: Uint8Array, claimed: Uint8Array) => {
      const p = checkpointPayload({
        lane,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: testKey("r1"),
        sequencer: claimed,
      });
      return {
        ...p,
        sequencerSignature: ed25519.sign(checkpointSignBytes(TEST_CHAIN_ID, checkpointBodyOf(p)), secret),
      };
    };

    const forged = relay(signed(impostorSecret, seq));
    expect(forged.sigValid).toBe(true);
    expect(forged.checkpointSigValid).toBe(false);
    const impostor = relay(signed(impostorSecret, ed25519.getPublicKey(impostorSecret)));
    expect(impostor.checkpointSigValid).toBe(true);
    const genuine = relay(signed(seqSecret, seq));
    const r = h.block([forged, impostor, genuine]);
    expect(r.receipts.map((x) => x.status)).toEqual([
      LedgerStatus.CheckpointSignatureInvalid,
      LedgerStatus.CheckpointNotFromSequencer,
      LedgerStatus.Ok,
    ]);
    // The checkpoint signature covers the lane: the same body signed for another lane does not verify.
    const other = signed(seqSecret, seq);
    expect(
      verify(
        seq,
        checkpointSignBytes(TEST_CHAIN_ID, { ...checkpointBodyOf(other), lane: lane + 1 }),
        other.sequencerSignature,
      ),
    ).toBe(false);
  });
});

describe("finality ladder", () => {
  it("climbs checkpointed → settled → final over settlement heights, and withdrawals wait for final", () => {
    const h = new LedgerHarness();
    const seq = testKey("seq");
    const lane = openLane(h, seq, 3n);
    h.block([h.tx(a0, { type: "depositToLane", lane, recipient: a1, amount: 1_000n })]);
    const tree = new LaneWithdrawalTree();
    const root = tree.add([{ id: 0n, lane, recipient: a1, asset: NATIVE_ASSET, amount: 400n, height: 9n }]);
    h.block([
      h.tx(
        a0,
        checkpointPayload({
          lane,
          index: 0n,
          prevRoot: ZERO_ROOT,
          newRoot: root,
          sequencer: seq,
          withdrawalCount: 1n,
        }),
      ),
    ]);
    const posted = h.height;

    const at = (committed: bigint) => checkpointView(h.tree, lane, 0n, committed);
    expect(at(posted - 1n)?.status).toBe("checkpointed");
    expect(at(posted)).toMatchObject({ status: "settled", blocksUntilFinal: 3n });
    expect(at(posted + 2n)).toMatchObject({ status: "settled", blocksUntilFinal: 1n });
    expect(at(posted + 3n)).toMatchObject({ status: "final", blocksUntilFinal: 0n });
    expect(checkpointView(h.tree, lane, 1n, posted)).toBeUndefined();

    const claim = { type: "claimWithdrawal", lane, checkpointIndex: 0n, ...tree.claim(0n) } as const;
    h.advanceTo(posted + 1n);
    expect(h.block([h.tx(a0, claim)]).receipts[0]!.status).toBe(LedgerStatus.CheckpointNotFinal);
    expect(h.height).toBe(posted + 2n);
    const before = h.balanceOf(a1);
    const r = h.block([h.tx(a0, claim)]);
    expect(r.receipts[0]!.status).toBe(LedgerStatus.Ok);
    expect(h.balanceOf(a1)).toBe(before + 400n);
    expect(h.lane(lane)).toMatchObject({ escrow: 600n, paidTotal: 400n });
    expect(h.block([h.tx(a0, claim)]).receipts[0]!.status).toBe(LedgerStatus.WithdrawalAlreadyPaid);
  });

  it("a withdrawal proven in a later checkpoint is still paid once, by id", () => {
    const h = new LedgerHarness();
    const seq = testKey("seq");
    const lane = openLane(h, seq, 2n);
    h.block([h.tx(a0, { type: "depositToLane", lane, recipient: a1, amount: 1_000n })]);
    const tree = new LaneWithdrawalTree();
    const r1 = tree.add([{ id: 0n, lane, recipient: a1, asset: NATIVE_ASSET, amount: 100n, height: 1n }]);
    h.block([
      h.tx(
        a0,
        checkpointPayload({
          lane,
          index: 0n,
          prevRoot: ZERO_ROOT,
          newRoot: r1,
          sequencer: seq,
          withdrawalCount: 1n,
        }),
      ),
    ]);
    const r2 = tree.add([{ id: 1n, lane, recipient: a1, asset: NATIVE_ASSET, amount: 200n, height: 2n }]);
    h.block([
      h.tx(
        a0,
        checkpointPayload({
          lane,
          index: 1n,
          prevRoot: r1,
          newRoot: r2,
          sequencer: seq,
          withdrawalCount: 2n,
        }),
      ),
    ]);
    h.advanceTo(h.height + 2n);
    const claim = (cp: bigint, root: Uint8Array) =>
      h.tx(a0, { type: "claimWithdrawal", lane, checkpointIndex: cp, ...tree.claim(0n, root) });
    const r = h.block([claim(0n, r1), claim(1n, r2)]);
    expect(r.receipts.map((x) => x.status)).toEqual([LedgerStatus.Ok, LedgerStatus.WithdrawalAlreadyPaid]);
    expect(h.lane(lane)!.paidTotal).toBe(100n);
  });
});
