/**
 * Every settlement rejection code, each provoked by the smallest scenario
 * that reaches it. Each case runs twice from the same history: once with the
 * rejected transaction and once with a transaction that only pays the same
 * fee (a self-transfer, or nothing for codes that charge nothing). Equal app
 * hashes prove that a rejection changes nothing beyond its documented fee.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { NATIVE_ASSET, type WithdrawalRecord } from "../../shared/stf/records.ts";
import {
  checkpointPayload,
  laneBatch,
  laneDepositOf,
  LaneWithdrawalTree,
  laneTxBytes,
  LedgerHarness,
  testGenesis,
  testKey,
} from "../../settlement-node/ledger/harness.ts";
import {
  accountAddressOf,
  depositCodec,
  FEE_CHARGED_FROM,
  FORCED_OPEN_PER_LANE_MAX,
  ledgerKeys,
  LedgerStatus,
  ledgerStatusName,
  type VerifiedTx,
} from "../../settlement-node/ledger/index.ts";

const a0 = testKey("a0");
const a1 = testKey("a1");
const v0 = testKey("v0");
const v1 = testKey("v1");
const v3 = testKey("v3");
const sequencer = testKey("sequencer");
const ZERO_ROOT = new Uint8Array(32);

type Case = { setup: (h: LedgerHarness) => VerifiedTx; genesis?: Parameters<typeof testGenesis>[0] };

function leaf(id: bigint, amount: bigint, extra: Partial<WithdrawalRecord> = {}): WithdrawalRecord {
  return { id, lane: 1, recipient: a1, asset: NATIVE_ASSET, amount, height: 1n, ...extra };
}

/** Lane 1 (challenge window 3) with `deposit` in escrow and one checkpoint holding `leaves`. */
function laneWithCheckpoint(h: LedgerHarness, leaves: WithdrawalRecord[], deposit = 10_000n) {
  const lane = new LaneWithdrawalTree();
  h.block([
    h.tx(a0, {
      type: "openLane",
      sequencer,
      bond: 500n,
      challengeWindowBlocks: 3n,
      genesisRoot: ZERO_ROOT,
      forcedInclusionBlocks: 3n,
      genesisEscrow: 0n,
    }),
    h.tx(a0, { type: "depositToLane", lane: 1, recipient: a1, amount: deposit }),
  ]);
  const root = lane.add(leaves);
  h.block([
    h.tx(
      a0,
      checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: root,
        sequencer,
        withdrawalCount: BigInt(leaves.length),
      }),
    ),
  ]);
  return lane;
}

function openLane(h: LedgerHarness): void {
  h.block([
    h.tx(a0, {
      type: "openLane",
      sequencer,
      bond: 500n,
      challengeWindowBlocks: 3n,
      genesisRoot: ZERO_ROOT,
      forcedInclusionBlocks: 3n,
      genesisEscrow: 0n,
    }),
  ]);
}

/** Lane 1 with `n` forced transactions queued in one block. */
function laneWithForced(h: LedgerHarness, n: number): void {
  openLane(h);
  h.block(
    Array.from({ length: n }, (_, i) =>
      h.tx(a0, { type: "forceLaneTx", lane: 1, tx: laneTxBytes(1, BigInt(i)) }),
    ),
  );
}

const cases: Record<Exclude<keyof typeof LedgerStatus, "Ok">, Case> = {
  SignatureInvalid: {
    setup: (h) => h.tx(a0, { type: "transfer", to: accountAddressOf(a1), amount: 1n }, { sigValid: false }),
  },
  NonceMismatch: {
    setup: (h) => h.tx(a0, { type: "transfer", to: accountAddressOf(a1), amount: 1n }, { nonce: 5n }),
  },
  FeeBelowMinimum: {
    setup: (h) => h.tx(a0, { type: "transfer", to: accountAddressOf(a1), amount: 1n }, { fee: 0n }),
  },
  FeeUnaffordable: {
    setup: (h) => h.tx(testKey("poor"), { type: "transfer", to: accountAddressOf(a1), amount: 1n }),
  },
  AmountZero: { setup: (h) => h.tx(a0, { type: "transfer", to: accountAddressOf(a1), amount: 0n }) },
  BalanceInsufficient: {
    setup: (h) => h.tx(a0, { type: "transfer", to: accountAddressOf(a1), amount: 2_000_000n }),
  },
  EvidenceInvalid: { setup: (h) => h.tx(a0, { type: "reportDoubleSign", evidence: new Uint8Array(8) }) },
  EvidenceTooOld: {
    setup: (h) => {
      h.advanceTo(60n);
      return h.tx(
        a0,
        { type: "reportDoubleSign", evidence: new Uint8Array(8) },
        { evidence: { validatorPublicKey: v1, height: 5n } },
      );
    },
  },
  ValidatorUnknown: { setup: (h) => h.tx(a0, { type: "unbond", amount: 1n }) },
  ValidatorTombstoned: {
    setup: (h) => {
      h.advanceTo(3n);
      h.block([
        h.tx(
          a0,
          { type: "reportDoubleSign", evidence: new Uint8Array(8) },
          { evidence: { validatorPublicKey: v1, height: 2n } },
        ),
      ]);
      return h.tx(v1, { type: "bond", amount: 1_000n });
    },
  },
  ValidatorSetFull: { genesis: { validators: 8 }, setup: (h) => h.tx(a0, { type: "bond", amount: 5_000n }) },
  StakeInsufficient: { setup: (h) => h.tx(v0, { type: "unbond", amount: 10_001n }) },
  StakeBelowMinimum: { setup: (h) => h.tx(v0, { type: "unbond", amount: 9_500n }) },
  UnbondingQueueFull: {
    setup: (h) => {
      h.block(Array.from({ length: 16 }, () => h.tx(v0, { type: "unbond", amount: 1n })));
      return h.tx(v0, { type: "unbond", amount: 1n });
    },
  },
  NothingMatured: {
    setup: (h) => {
      h.block([h.tx(v0, { type: "unbond", amount: 10n })]);
      return h.tx(v0, { type: "withdrawUnbonded" });
    },
  },
  ValidatorNotJailed: { setup: (h) => h.tx(v0, { type: "unjail" }) },
  JailPeriodActive: {
    setup: (h) => {
      const others = [testKey("v0"), testKey("v1"), testKey("v2")];
      for (let i = 0; i < 8; i++) h.block([], { signers: others });
      expect(h.validator(v3)?.jailed).toBe(true);
      return h.tx(v3, { type: "unjail" });
    },
  },
  MaintenanceWindowInvalid: {
    setup: (h) => h.tx(v0, { type: "announceMaintenance", fromHeight: h.height + 1n, toHeight: h.height }),
  },
  MaintenanceTooLong: {
    setup: (h) =>
      h.tx(v0, { type: "announceMaintenance", fromHeight: h.height + 2n, toHeight: h.height + 30n }),
  },
  MaintenanceActive: {
    setup: (h) => {
      h.block([h.tx(v0, { type: "announceMaintenance", fromHeight: 2n, toHeight: 10n })]);
      h.advanceTo(3n);
      return h.tx(v0, { type: "announceMaintenance", fromHeight: 12n, toHeight: 14n });
    },
  },
  ChallengeWindowOutOfBounds: {
    setup: (h) =>
      h.tx(a0, {
        type: "openLane",
        sequencer,
        bond: 500n,
        challengeWindowBlocks: 11n,
        genesisRoot: ZERO_ROOT,
        forcedInclusionBlocks: 3n,
        genesisEscrow: 0n,
      }),
  },
  LaneBondBelowMinimum: {
    setup: (h) =>
      h.tx(a0, {
        type: "openLane",
        sequencer,
        bond: 499n,
        challengeWindowBlocks: 3n,
        genesisRoot: ZERO_ROOT,
        forcedInclusionBlocks: 3n,
        genesisEscrow: 0n,
      }),
  },
  ForcedInclusionBlocksOutOfBounds: {
    setup: (h) =>
      h.tx(a0, {
        type: "openLane",
        sequencer,
        bond: 500n,
        challengeWindowBlocks: 3n,
        genesisRoot: ZERO_ROOT,
        forcedInclusionBlocks: 0n,
        genesisEscrow: 0n,
      }),
  },
  LaneFrozen: {
    setup: (h) => {
      laneWithForced(h, 1);
      // Deadline = forced height + 3; the lane freezes at the start of the block after it.
      h.advanceTo(h.height + 4n);
      expect(h.lane(1)!.frozenHeight).toBe(h.height);
      return h.tx(a0, { type: "depositToLane", lane: 1, recipient: a1, amount: 5n });
    },
  },
  ForcedTxMalformed: {
    setup: (h) => {
      openLane(h);
      return h.tx(a0, { type: "forceLaneTx", lane: 1, tx: laneTxBytes(2, 0n) });
    },
  },
  ForcedQueueFull: {
    setup: (h) => {
      laneWithForced(h, FORCED_OPEN_PER_LANE_MAX);
      return h.tx(a0, { type: "forceLaneTx", lane: 1, tx: laneTxBytes(1, 99n) });
    },
  },
  BatchDataMalformed: {
    setup: (h) => {
      openLane(h);
      const p = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: ZERO_ROOT,
        sequencer,
        batchData: new Uint8Array([1, 2, 3]),
      });
      return h.tx(a0, p);
    },
  },
  DepositCursorInvalid: {
    setup: (h) => {
      openLane(h);
      const p = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: ZERO_ROOT,
        sequencer,
        depositCursor: 1n,
      });
      return h.tx(a0, p);
    },
  },
  DepositsOutOfOrder: {
    setup: (h) => {
      openLane(h);
      h.block([
        h.tx(a0, { type: "depositToLane", lane: 1, recipient: a1, amount: 5n }),
        h.tx(a0, { type: "depositToLane", lane: 1, recipient: a1, amount: 6n }),
      ]);
      // Deposit 1 without deposit 0: a skipped deposit.
      const second = h.books().read(depositCodec, ledgerKeys.deposit(1, 1n))!;
      const p = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: ZERO_ROOT,
        sequencer,
        depositCursor: 1n,
        batchData: laneBatch(1, [{ deposits: [laneDepositOf(second)] }]),
      });
      return h.tx(a0, p);
    },
  },
  ForcedCursorInvalid: {
    setup: (h) => {
      openLane(h);
      const p = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: ZERO_ROOT,
        sequencer,
        forcedCursor: 1n,
      });
      return h.tx(a0, p);
    },
  },
  ForcedTxsOutOfOrder: {
    setup: (h) => {
      laneWithForced(h, 2);
      // Claims forced tx 0 covered, but the batch carries forced tx 1 first.
      const p = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: ZERO_ROOT,
        sequencer,
        forcedCursor: 1n,
        batchData: laneBatch(1, [{ txs: [laneTxBytes(1, 1n), laneTxBytes(1, 0n)] }]),
      });
      return h.tx(a0, p);
    },
  },
  LaneUnknown: { setup: (h) => h.tx(a0, { type: "depositToLane", lane: 9, recipient: a1, amount: 5n }) },
  CheckpointSignatureInvalid: {
    setup: (h) => {
      openLane(h);
      const p = checkpointPayload({ lane: 1, index: 0n, prevRoot: ZERO_ROOT, newRoot: ZERO_ROOT, sequencer });
      return h.tx(a0, p, { checkpointSigValid: false });
    },
  },
  CheckpointNotFromSequencer: {
    setup: (h) => {
      openLane(h);
      const p = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: ZERO_ROOT,
        sequencer: testKey("impostor"),
      });
      return h.tx(a0, p);
    },
  },
  CheckpointIndexMismatch: {
    setup: (h) => {
      openLane(h);
      return h.tx(
        a0,
        checkpointPayload({ lane: 1, index: 1n, prevRoot: ZERO_ROOT, newRoot: ZERO_ROOT, sequencer }),
      );
    },
  },
  CheckpointPrevRootMismatch: {
    setup: (h) => {
      openLane(h);
      const p = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: testKey("x"),
        newRoot: ZERO_ROOT,
        sequencer,
      });
      return h.tx(a0, p);
    },
  },
  StfVersionDowngrade: {
    setup: (h) => {
      openLane(h);
      const r1 = testKey("r1");
      h.block([
        h.tx(
          a0,
          checkpointPayload({
            lane: 1,
            index: 0n,
            prevRoot: ZERO_ROOT,
            newRoot: r1,
            sequencer,
            stfVersion: 2,
          }),
        ),
      ]);
      return h.tx(
        a0,
        checkpointPayload({ lane: 1, index: 1n, prevRoot: r1, newRoot: r1, sequencer, stfVersion: 1 }),
      );
    },
  },
  BatchDataTooLarge: {
    setup: (h) => {
      openLane(h);
      const p = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: ZERO_ROOT,
        newRoot: ZERO_ROOT,
        sequencer,
        batchData: new Uint8Array(4097),
      });
      return h.tx(a0, p);
    },
  },
  BatchHashMismatch: {
    setup: (h) => {
      openLane(h);
      const p = checkpointPayload({ lane: 1, index: 0n, prevRoot: ZERO_ROOT, newRoot: ZERO_ROOT, sequencer });
      return h.tx(a0, { ...p, batchHash: testKey("wrong") });
    },
  },
  WithdrawalCountRegressed: {
    setup: (h) => {
      openLane(h);
      const r1 = testKey("r1");
      h.block([
        h.tx(
          a0,
          checkpointPayload({
            lane: 1,
            index: 0n,
            prevRoot: ZERO_ROOT,
            newRoot: r1,
            sequencer,
            withdrawalCount: 2n,
          }),
        ),
      ]);
      return h.tx(
        a0,
        checkpointPayload({ lane: 1, index: 1n, prevRoot: r1, newRoot: r1, sequencer, withdrawalCount: 1n }),
      );
    },
  },
  CheckpointUnknown: {
    setup: (h) => {
      const lane = laneWithCheckpoint(h, [leaf(0n, 10n)]);
      return h.tx(a0, { type: "claimWithdrawal", lane: 1, checkpointIndex: 5n, ...lane.claim(0n) });
    },
  },
  CheckpointNotFinal: {
    setup: (h) => {
      const lane = laneWithCheckpoint(h, [leaf(0n, 10n)]);
      return h.tx(a0, { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...lane.claim(0n) });
    },
  },
  WithdrawalMalformed: {
    setup: (h) => {
      const lane = laneWithCheckpoint(h, [leaf(0n, 10n)]);
      h.advanceTo(h.height + 3n);
      const { proof } = lane.claim(0n);
      return h.tx(a0, {
        type: "claimWithdrawal",
        lane: 1,
        checkpointIndex: 0n,
        withdrawal: new Uint8Array(3),
        proof,
      });
    },
  },
  WithdrawalLaneMismatch: {
    setup: (h) => {
      const lane = laneWithCheckpoint(h, [leaf(0n, 10n, { lane: 2 })]);
      h.advanceTo(h.height + 3n);
      return h.tx(a0, { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...lane.claim(0n) });
    },
  },
  WithdrawalAssetNotNative: {
    setup: (h) => {
      const lane = laneWithCheckpoint(h, [leaf(0n, 10n, { asset: testKey("token") })]);
      h.advanceTo(h.height + 3n);
      return h.tx(a0, { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...lane.claim(0n) });
    },
  },
  WithdrawalProofInvalid: {
    setup: (h) => {
      const lane = laneWithCheckpoint(h, [leaf(0n, 10n), leaf(1n, 20n)]);
      h.advanceTo(h.height + 3n);
      // Leaf 1's value with leaf 0's proof: a proof for another key.
      const claim = { withdrawal: lane.claim(1n).withdrawal, proof: lane.claim(0n).proof };
      return h.tx(a0, { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...claim });
    },
  },
  WithdrawalAlreadyPaid: {
    setup: (h) => {
      const lane = laneWithCheckpoint(h, [leaf(0n, 10n)]);
      h.advanceTo(h.height + 3n);
      const claim = { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...lane.claim(0n) } as const;
      expect(h.block([h.tx(a0, claim)]).receipts[0]!.status).toBe(LedgerStatus.Ok);
      return h.tx(a0, claim);
    },
  },
  WithdrawalExceedsEscrow: {
    setup: (h) => {
      const lane = laneWithCheckpoint(h, [leaf(0n, 10_001n)], 10_000n);
      h.advanceTo(h.height + 3n);
      return h.tx(a0, { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...lane.claim(0n) });
    },
  },
};

describe("settlement ledger rejection codes", () => {
  it("has a case for every code", () => {
    expect(Object.keys(cases).sort()).toEqual(
      Object.keys(LedgerStatus)
        .filter((k) => k !== "Ok")
        .sort(),
    );
  });

  for (const [name, c] of Object.entries(cases)) {
    const code = LedgerStatus[name as keyof typeof LedgerStatus];
    it(`${code} ${name}: rejected, and state changes only by the documented fee`, () => {
      const rejected = new LedgerHarness(testGenesis(c.genesis));
      const vtx = c.setup(rejected);
      const result = rejected.block([vtx]);
      expect(ledgerStatusName(result.receipts[0]!.status)).toBe(name);

      const twin = new LedgerHarness(testGenesis(c.genesis));
      const twinTx = c.setup(twin);
      const sender = twinTx.tx.body.sender;
      const charged = code >= FEE_CHARGED_FROM;
      const control = charged
        ? [
            twin.tx(
              sender,
              { type: "transfer", to: accountAddressOf(sender), amount: 1n },
              { nonce: twinTx.tx.body.nonce, fee: twinTx.tx.body.fee },
            ),
          ]
        : [];
      const twinResult = twin.block(control);
      if (charged) expect(twinResult.receipts[0]!.status).toBe(LedgerStatus.Ok);
      expect(result.receipts[0]!.feePaid).toBe(charged ? vtx.tx.body.fee : 0n);
      expect(toHex(rejected.appHash)).toBe(toHex(twin.appHash));
    });
  }
});
