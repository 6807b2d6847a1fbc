/**
 * Validator lifecycle on the settlement ledger: set updates at height
 * boundaries, downtime jailing (no slash) and its pause under an announced
 * maintenance window, double-sign slashing and tombstoning, unbonding
 * maturity, and rewards on the published schedule, pro rata by stake.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { LedgerHarness, testKey } from "../../settlement-node/ledger/harness.ts";
import {
  accountAddressOf,
  LedgerStatus,
  rewardAtHeight,
  type ValidatorUpdate,
} from "../../settlement-node/ledger/index.ts";

const [v0, v1, v2, v3] = [0, 1, 2, 3].map((i) => testKey(`v${i}`)) as [
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
];
const a0 = testKey("a0");
const hex = (updates: ValidatorUpdate[]) => updates.map((u) => [toHex(u.publicKey), u.power]);

describe("validator-set updates", () => {
  it("a bond in block h is returned as an update by block h and votes from h + 1", () => {
    const h = new LedgerHarness();
    h.advanceTo(2n);
    const r = h.block([h.tx(a0, { type: "bond", amount: 5_000n })]);
    expect(h.height).toBe(3n);
    expect(hex(r.validatorUpdates)).toEqual([[toHex(a0), 5_000n]]);
    expect(h.currentSet().map(toHex)).toContain(toHex(a0));
    expect(
      h
        .books()
        .validatorSet()
        .previous.map((m) => toHex(m.publicKey)),
    ).not.toContain(toHex(a0));
    expect(h.block().validatorUpdates).toEqual([]);
  });

  it("unbonding all stake removes the validator with a power-0 update; partial unbond lowers its power", () => {
    const h = new LedgerHarness();
    const r1 = h.block([
      h.tx(v1, { type: "unbond", amount: 10_000n }),
      h.tx(v2, { type: "unbond", amount: 4_000n }),
    ]);
    expect(hex(r1.validatorUpdates)).toEqual(
      [
        [toHex(v1), 0n],
        [toHex(v2), 6_000n],
      ].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
    );
    expect(h.currentSet().map(toHex)).not.toContain(toHex(v1));
  });
});

describe("downtime", () => {
  const others = [v0, v1, v2];

  it("jails without slashing once more than missedBlocksMax of the window are missed, and removes it from the set", () => {
    const h = new LedgerHarness();
    const max = h.params().missedBlocksMax; // 5
    h.block(); // block 1: no previous commit to count
    let jailedAt = 0n;
    for (let i = 0; i < max + 1; i++) {
      const r = h.block([], { signers: others });
      if (r.validatorUpdates.length > 0) {
        jailedAt = h.height;
        expect(hex(r.validatorUpdates)).toEqual([[toHex(v3), 0n]]);
      }
    }
    expect(jailedAt).toBe(BigInt(max) + 2n);
    const v = h.validator(v3)!;
    expect(v.jailed).toBe(true);
    expect(v.stake).toBe(10_000n);
    expect(v.slashedTotal).toBe(0n);
    expect(h.currentSet().map(toHex)).not.toContain(toHex(v3));
  });

  it("does not jail at exactly missedBlocksMax misses, and signing again slides misses out of the window", () => {
    const h = new LedgerHarness();
    h.block();
    for (let i = 0; i < 5; i++) h.block([], { signers: others });
    for (let i = 0; i < 10; i++) h.block();
    for (let i = 0; i < 5; i++) h.block([], { signers: others });
    expect(h.validator(v3)!.jailed).toBe(false);
  });

  it("unjail after the jail period restores the validator with an update carrying its stake", () => {
    const h = new LedgerHarness();
    h.block();
    for (let i = 0; i < 6; i++) h.block([], { signers: others });
    const until = h.validator(v3)!.jailedUntilHeight;
    h.advanceTo(until - 2n);
    expect(h.block([h.tx(v3, { type: "unjail" })]).receipts[0]!.status).toBe(LedgerStatus.JailPeriodActive);
    const r = h.block([h.tx(v3, { type: "unjail" })]);
    expect(r.receipts[0]!.status).toBe(LedgerStatus.Ok);
    expect(hex(r.validatorUpdates)).toEqual([[toHex(v3), 10_000n]]);
  });

  it("pauses counting inside an announced maintenance window", () => {
    const outage = (announce: boolean) => {
      const h = new LedgerHarness();
      h.block(announce ? [h.tx(v3, { type: "announceMaintenance", fromHeight: 2n, toHeight: 12n })] : []);
      // Blocks 3..12 carry the commits of blocks 2..11, all inside the window when announced.
      for (let i = 0; i < 10; i++) h.block([], { signers: others });
      return h;
    };
    expect(outage(true).validator(v3)!.jailed).toBe(false);
    expect(outage(false).validator(v3)!.jailed).toBe(true);
  });

  it("counts again after the maintenance window ends", () => {
    const h = new LedgerHarness();
    h.block([h.tx(v3, { type: "announceMaintenance", fromHeight: 2n, toHeight: 4n })]);
    for (let i = 0; i < 10; i++) h.block([], { signers: others });
    expect(h.validator(v3)!.jailed).toBe(true);
  });
});

describe("double-sign evidence", () => {
  it("slashes the stake and unbonding entries created after the infraction, rewards the reporter, burns the rest and tombstones", () => {
    const h = new LedgerHarness();
    h.block([h.tx(v1, { type: "unbond", amount: 2_000n })]); // height 1: before the infraction
    h.advanceTo(4n);
    h.block([h.tx(v1, { type: "unbond", amount: 1_000n })]); // height 5: after it
    const supplyBefore = h.chain().supply;
    const reporterBefore = h.balanceOf(a0);
    const r = h.block([
      h.tx(
        a0,
        { type: "reportDoubleSign", evidence: new Uint8Array(1) },
        { evidence: { validatorPublicKey: v1, height: 3n } },
      ),
    ]);
    expect(r.receipts[0]!.status).toBe(LedgerStatus.Ok);
    // 5% of the 7,000 stake and of the 1,000 entry created at height 5; the height-1 entry is untouched.
    const slashed = 350n + 50n;
    const reward = slashed / 10n;
    const v = h.validator(v1)!;
    expect(v.stake).toBe(6_650n);
    expect(v.tombstoned).toBe(true);
    expect(v.slashedTotal).toBe(slashed);
    expect(h.unbonding(v1).map((e) => e.amount)).toEqual([2_000n, 950n]);
    expect(h.balanceOf(a0)).toBe(reporterBefore - 1n + reward);
    expect(r.burned).toBe(slashed - reward);
    expect(h.chain().supply).toBe(supplyBefore + r.minted - (slashed - reward));
    expect(hex(r.validatorUpdates)).toEqual([[toHex(v1), 0n]]);
    // A tombstoned validator can still take out what is left.
    expect(h.block([h.tx(v1, { type: "unbond", amount: 6_650n })]).receipts[0]!.status).toBe(LedgerStatus.Ok);
  });
});

describe("unbonding", () => {
  it("matures after unbondingPeriodBlocks, which exceeds every lane's challenge window", () => {
    const h = new LedgerHarness();
    const p = h.params();
    expect(p.unbondingPeriodBlocks).toBeGreaterThan(p.challengeWindowBlocksMax);
    h.block([h.tx(v2, { type: "unbond", amount: 3_000n })]);
    const matures = h.unbonding(v2)[0]!.maturesAtHeight;
    expect(matures).toBe(1n + p.unbondingPeriodBlocks);
    h.advanceTo(matures - 2n);
    expect(h.block([h.tx(v2, { type: "withdrawUnbonded" })]).receipts[0]!.status).toBe(
      LedgerStatus.NothingMatured,
    );
    const before = h.balanceOf(v2);
    const r = h.block([h.tx(v2, { type: "withdrawUnbonded" })]);
    expect(r.receipts[0]!.status).toBe(LedgerStatus.Ok);
    expect(h.height).toBe(matures);
    expect(h.unbonding(v2)).toEqual([]);
    const withdrawn = r.events.find((e) => e.type === "unbondedWithdrawn");
    expect(withdrawn).toMatchObject({ amount: 3_000n });
    const rewards = h.validator(v2)!.rewardsTotal;
    expect(rewards).toBeGreaterThan(0n);
    expect(h.balanceOf(v2)).toBeGreaterThan(before + 3_000n - 1n);
  });
});

describe("rewards", () => {
  it("mints the published per-block reward, halving every rewardHalvingIntervalBlocks", () => {
    const h = new LedgerHarness();
    const p = h.params();
    expect(rewardAtHeight(p, 1n)).toBe(100n);
    expect(rewardAtHeight(p, p.rewardHalvingIntervalBlocks)).toBe(100n);
    expect(rewardAtHeight(p, p.rewardHalvingIntervalBlocks + 1n)).toBe(50n);
    expect(rewardAtHeight(p, p.rewardHalvingIntervalBlocks * 200n)).toBe(0n);
    expect(h.block().minted).toBe(100n);
  });

  it("pays the pool pro rata by stake and the remainder and the treasury's fee share to the treasury", () => {
    const h = new LedgerHarness();
    h.block([h.tx(v0, { type: "bond", amount: 20_000n }, { fee: 0n })]); // rejected: fee below minimum
    h.block([h.tx(v0, { type: "bond", amount: 20_000n })]); // v0 now 30,000 of 60,000
    const balances = [v0, v1, v2, v3].map((k) => h.balanceOf(k));
    const treasury = h.account(h.params().treasury).balance;
    const r = h.block([h.tx(a0, { type: "transfer", to: accountAddressOf(a0), amount: 1n }, { fee: 41n })]);
    // pool = 100 reward + 50% of 41 fee = 120: v0 gets 60, the others 20 each; treasury 21 fee share + 0 dust.
    expect([v0, v1, v2, v3].map((k, i) => h.balanceOf(k) - balances[i]!)).toEqual([60n, 20n, 20n, 20n]);
    expect(h.account(h.params().treasury).balance - treasury).toBe(21n);
    expect(r.minted).toBe(100n);
  });
});
