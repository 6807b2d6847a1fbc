/**
 * Property tests of the settlement ledger's money rules over random blocks of
 * transfers, bonds, unbonds, withdrawals of unbonded stake, double-sign
 * slashes, missed blocks, lane deposits, checkpoints and withdrawal claims:
 * - conservation: the native token held by every account, validator,
 *   unbonding queue, lane escrow and lane bond equals the chain's supply,
 *   and supply moves only by minted rewards and burned slashes;
 * - a lane withdrawal is paid at most once and never beyond the lane's escrow
 *   (its genesis escrow plus its deposits, less what was paid).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { NATIVE_ASSET } from "../../shared/stf/records.ts";
import {
  checkpointPayload,
  LaneWithdrawalTree,
  LedgerHarness,
  TEST_LEDGER_PARAMS,
  testGenesis,
  testKey,
} from "../../settlement-node/ledger/harness.ts";
import {
  accountAddressOf,
  LedgerStatus,
  parseGenesis,
  type SettlementPayload,
  type VerifiedTx,
} from "../../settlement-node/ledger/index.ts";

const ACCOUNTS = [0, 1, 2, 3].map((i) => testKey(`a${i}`));
const VALIDATORS = [0, 1, 2, 3].map((i) => testKey(`v${i}`));
const KEYS = [...ACCOUNTS, ...VALIDATORS];
const SEQUENCER = testKey("sequencer");
const ZERO_ROOT = new Uint8Array(32);
const GENESIS_ESCROW = 3_000n;
// Short unbonding (still above the longest challenge window) so stake matures within a run.
const GENESIS = {
  ...testGenesis({ balance: 50_000n }),
  params: { ...TEST_LEDGER_PARAMS, unbondingPeriodBlocks: "4", challengeWindowBlocksMax: "3" },
};

const key = fc.integer({ min: 0, max: KEYS.length - 1 });
const validator = fc.integer({ min: 0, max: VALIDATORS.length - 1 });
const amount = fc.oneof(fc.bigInt({ min: 0n, max: 2_000n }), fc.bigInt({ min: 0n, max: 60_000n }));

const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("transfer" as const), from: key, to: key, amount }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("bond" as const), who: key, amount }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("unbond" as const), who: validator, amount }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdrawUnbonded" as const), who: validator }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("slash" as const),
      reporter: key,
      who: validator,
      age: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("deposit" as const), from: key, amount }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("checkpoint" as const),
      withdrawals: fc.array(fc.record({ to: key, amount: fc.bigInt({ min: 1n, max: 8_000n }) }), {
        maxLength: 3,
      }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("claim" as const),
      from: key,
      pick: fc.nat(),
      checkpointPick: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("endBlock" as const), missing: fc.subarray(VALIDATORS) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("outage" as const),
      who: validator,
      blocks: fc.integer({ min: 1, max: 8 }),
    }),
  },
);

/** Outcomes seen across runs, so a test can prove the generators reach the interesting paths. */
const seen = new Map<string, number>();
const note = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

type Checkpoint = { index: bigint; root: Uint8Array; withdrawalCount: bigint };

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function run(ops: readonly Op[]) {
  const h = new LedgerHarness(GENESIS);
  const genesisSupply = parseGenesis(GENESIS).accounts.reduce((s, a) => s + a.balance, 0n) + 40_000n;
  expect(h.chain().supply).toBe(genesisSupply);
  h.block([
    h.tx(ACCOUNTS[0]!, {
      type: "openLane",
      sequencer: SEQUENCER,
      bond: 500n,
      challengeWindowBlocks: 2n,
      genesisRoot: ZERO_ROOT,
      forcedInclusionBlocks: 3n,
      // The lane's genesis supply, backed from the start: withdrawals may draw on it as on deposits.
      genesisEscrow: GENESIS_ESCROW,
    }),
  ]);
  const lane = new LaneWithdrawalTree();
  const checkpoints: Checkpoint[] = [];
  const paidIds = new Map<bigint, number>();
  const paidAmounts = new Map<bigint, bigint>();
  let pending: { vtx: VerifiedTx; after?: (status: number) => void }[] = [];
  let pendingCheckpoint = false;

  const endBlock = (missing: Uint8Array[] = []) => {
    const supplyBefore = h.chain().supply;
    const signers = h
      .books()
      .validatorSet()
      .previous.map((m) => m.publicKey)
      .filter((k) => !missing.some((x) => toHex(x) === toHex(k)));
    const result = h.block(
      pending.map((p) => p.vtx),
      { signers },
    );
    result.receipts.forEach((r, i) => {
      note(`${pending[i]!.vtx.tx.body.payload.type}:${r.status}`);
      pending[i]!.after?.(r.status);
    });
    for (const e of result.events) note(e.type);
    pending = [];
    pendingCheckpoint = false;

    const chain = h.chain();
    expect(h.holdings(KEYS)).toBe(chain.supply);
    expect(chain.supply).toBe(supplyBefore + result.minted - result.burned);
    expect(chain.supply).toBe(genesisSupply + chain.mintedTotal - chain.burnedTotal);
    const l = h.lane(1)!;
    expect(l.genesisEscrow).toBe(GENESIS_ESCROW);
    expect(l.escrow).toBe(l.genesisEscrow + l.depositedTotal - l.paidTotal);
    expect(l.paidTotal).toBeLessThanOrEqual(l.genesisEscrow + l.depositedTotal);
    for (const e of result.events) {
      if (e.type !== "withdrawalPaid") continue;
      paidIds.set(e.id, (paidIds.get(e.id) ?? 0) + 1);
      paidAmounts.set(e.id, e.amount);
      expect(e.amount).toBe(lane.leaves[Number(e.id)]!.amount);
      expect(e.recipient).toEqual(accountAddressOf(lane.leaves[Number(e.id)]!.recipient));
    }
    for (const count of paidIds.values()) expect(count).toBe(1);
  };

  const submit = (sender: Uint8Array, payload: SettlementPayload, after?: (status: number) => void) =>
    pending.push({ vtx: h.tx(sender, payload), after });

  for (const o of ops) {
    switch (o.kind) {
      case "transfer":
        submit(KEYS[o.from]!, { type: "transfer", to: accountAddressOf(KEYS[o.to]!), amount: o.amount });
        break;
      case "bond":
        submit(KEYS[o.who]!, { type: "bond", amount: o.amount });
        break;
      case "unbond":
        submit(VALIDATORS[o.who]!, { type: "unbond", amount: o.amount });
        break;
      case "withdrawUnbonded":
        submit(VALIDATORS[o.who]!, { type: "withdrawUnbonded" });
        break;
      case "slash": {
        const height = h.height + 1n - BigInt(o.age);
        if (height < 1n) break;
        const vtx = h.tx(
          KEYS[o.reporter]!,
          { type: "reportDoubleSign", evidence: new Uint8Array(1) },
          { evidence: { validatorPublicKey: VALIDATORS[o.who]!, height } },
        );
        pending.push({ vtx });
        break;
      }
      case "deposit":
        submit(KEYS[o.from]!, { type: "depositToLane", lane: 1, recipient: KEYS[o.from]!, amount: o.amount });
        break;
      case "checkpoint": {
        if (pendingCheckpoint) break; // one per block keeps the client-side chain of roots simple
        const prev = checkpoints.at(-1);
        const first = BigInt(lane.leaves.length);
        const root = lane.add(
          o.withdrawals.map((w, i) => ({
            id: first + BigInt(i),
            lane: 1,
            recipient: KEYS[w.to]!,
            asset: NATIVE_ASSET,
            amount: w.amount,
            height: h.height,
          })),
        );
        const cp: Checkpoint = {
          index: BigInt(checkpoints.length),
          root,
          withdrawalCount: BigInt(lane.leaves.length),
        };
        pendingCheckpoint = true;
        submit(
          ACCOUNTS[1]!,
          checkpointPayload({
            lane: 1,
            index: cp.index,
            prevRoot: prev?.root ?? ZERO_ROOT,
            newRoot: root,
            sequencer: SEQUENCER,
            withdrawalCount: cp.withdrawalCount,
          }),
          (status) => {
            expect(status).toBe(LedgerStatus.Ok);
            checkpoints.push(cp);
          },
        );
        break;
      }
      case "claim": {
        const containing = checkpoints.filter((c) => c.withdrawalCount > 0n);
        if (containing.length === 0) break;
        const cp = containing[o.checkpointPick % containing.length]!;
        const id = BigInt(o.pick % Number(cp.withdrawalCount));
        submit(
          KEYS[o.from]!,
          { type: "claimWithdrawal", lane: 1, checkpointIndex: cp.index, ...lane.claim(id, cp.root) },
          (status) => {
            if (paidIds.has(id)) expect(status).not.toBe(LedgerStatus.Ok);
          },
        );
        break;
      }
      case "endBlock":
        endBlock(o.missing);
        break;
      case "outage":
        for (let i = 0; i < o.blocks; i++) endBlock([VALIDATORS[o.who]!]);
        break;
    }
  }
  endBlock();
  return { h, paidAmounts };
}

describe("settlement ledger conservation (property)", () => {
  it("holdings equal supply, and supply moves only by minted rewards and burned slashes, after every block", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 60 }), (ops) => {
        run(ops);
      }),
      { numRuns: 40 },
    );
  });

  it("pays each lane withdrawal at most once and never more than the lane's escrow", () => {
    const claimHeavy = fc.array<Op>(
      fc.oneof(
        { weight: 2, arbitrary: op },
        {
          weight: 3,
          arbitrary: fc.record({
            kind: fc.constant("claim" as const),
            from: key,
            pick: fc.nat(),
            checkpointPick: fc.nat(),
          }),
        },
        {
          weight: 2,
          arbitrary: fc.record({
            kind: fc.constant("endBlock" as const),
            missing: fc.constant<Uint8Array[]>([]),
          }),
        },
      ),
      { minLength: 10, maxLength: 80 },
    );
    fc.assert(
      fc.property(claimHeavy, (ops) => {
        const { h, paidAmounts } = run(ops);
        const l = h.lane(1)!;
        expect(l.paidTotal).toBeLessThanOrEqual(l.genesisEscrow + l.depositedTotal);
        let sum = 0n;
        for (const amount of paidAmounts.values()) sum += amount;
        expect(sum).toBe(l.paidTotal);
      }),
      { numRuns: 30 },
    );
  });

  it("reaches paid, double-claimed and over-escrow withdrawals, slashes, jailing and unbonding", () => {
    seen.clear();
    for (const ops of fc.sample(fc.array(op, { minLength: 40, maxLength: 60 }), { seed: 7, numRuns: 30 }))
      run(ops);
    const claim = (code: number) => `claimWithdrawal:${code}`;
    for (const what of [
      claim(LedgerStatus.Ok),
      claim(LedgerStatus.WithdrawalAlreadyPaid),
      claim(LedgerStatus.WithdrawalExceedsEscrow),
      claim(LedgerStatus.CheckpointNotFinal),
      "validatorSlashed",
      "validatorJailed",
      "unbondedWithdrawn",
      "checkpointed",
    ])
      expect(seen.get(what) ?? 0, what).toBeGreaterThan(0);
  });
});
