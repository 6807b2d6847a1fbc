/**
 * Validator bookkeeping that runs once per block, outside any transaction:
 * downtime tracking over the signed-blocks window (begin of block), rewards
 * on the published schedule and the next validator set (end of block).
 */
import { compareBytes, equalBytes, toHex } from "../../shared/bytes.ts";
import { accountAddressOf } from "./address.ts";
import type { Books } from "./books.ts";
import { BPS_DENOMINATOR } from "./limits.ts";
import { type LedgerParams, rewardAtHeight } from "./params.ts";
import {
  ledgerKeys,
  type SetMember,
  type SigningInfo,
  signingInfoCodec,
  type ValidatorRecord,
} from "./records.ts";
import type { LedgerEvent } from "./events.ts";

/** A change for consensus: power 0 removes the validator from the set. */
export type ValidatorUpdate = { publicKey: Uint8Array; power: bigint };

export function inMaintenance(v: ValidatorRecord, height: bigint): boolean {
  return v.maintenanceToHeight > 0n && height >= v.maintenanceFromHeight && height <= v.maintenanceToHeight;
}

/** Counts as active: bonded at or above the minimum, neither jailed nor tombstoned. */
export function isEligible(v: ValidatorRecord, p: LedgerParams): boolean {
  return !v.jailed && !v.tombstoned && v.stake >= p.bondMin;
}

/**
 * Records, for each validator of the set that signed block `height - 1`'s
 * commit, whether it signed; jails (without slashing) one that missed more
 * than missedBlocksMax of its last signedBlocksWindow counted blocks. Blocks
 * inside an announced maintenance window are not counted at all.
 */
export function trackDowntime(
  books: Books,
  height: bigint,
  lastCommitSigners: readonly Uint8Array[],
  events: LedgerEvent[],
): void {
  if (height <= 1n) return; // block 1 has no previous commit
  const p = books.params();
  const signed = new Set(lastCommitSigners.map(toHex));
  const window = p.signedBlocksWindow;
  for (const member of books.validatorSet().previous) {
    const v = books.validator(member.publicKey);
    if (!v || v.jailed || v.tombstoned || inMaintenance(v, height - 1n)) continue;
    const key = ledgerKeys.signingInfo(v.publicKey);
    const info: SigningInfo = books.read(signingInfoCodec, key) ?? {
      offset: 0n,
      missedCount: 0,
      bitmap: new Uint8Array(Math.ceil(window / 8)),
    };
    const bit = Number(info.offset % BigInt(window));
    const byte = bit >> 3;
    const mask = 1 << (bit & 7);
    const wasMissed = (info.bitmap[byte]! & mask) !== 0;
    const missed = !signed.has(toHex(v.publicKey));
    const bitmap = info.bitmap.slice();
    if (missed) bitmap[byte] = bitmap[byte]! | mask;
    else bitmap[byte] = bitmap[byte]! & ~mask;
    const missedCount = info.missedCount + (missed ? 1 : 0) - (wasMissed ? 1 : 0);
    if (missedCount > p.missedBlocksMax) {
      books.setValidator({ ...v, jailed: true, jailedUntilHeight: height + p.jailDurationBlocks });
      books.state.set(key, null); // a fresh window after unjail
      events.push({
        type: "validatorJailed",
        publicKey: v.publicKey,
        untilHeight: height + p.jailDurationBlocks,
      });
      continue;
    }
    books.write(signingInfoCodec, key, { offset: info.offset + 1n, missedCount, bitmap });
  }
}

/**
 * Mints the scheduled reward of `height`, adds the validators' share of the
 * block's fees and pays the pool pro rata by stake to the eligible members of
 * the set that voted on this height; the rounding remainder, the treasury's
 * fee share, and the whole pool when no member is eligible, go to the treasury.
 */
export function distributeRewards(
  books: Books,
  height: bigint,
  feesTotal: bigint,
  events: LedgerEvent[],
): void {
  const p = books.params();
  const reward = rewardAtHeight(p, height);
  books.mint(reward);
  const feesValidators = (feesTotal * BigInt(p.feeShareValidatorsBps)) / BPS_DENOMINATOR;
  const pool = reward + feesValidators;
  const payees: ValidatorRecord[] = [];
  let stakeTotal = 0n;
  for (const member of books.validatorSet().current) {
    const v = books.validator(member.publicKey);
    if (v && isEligible(v, p)) {
      payees.push(v);
      stakeTotal += v.stake;
    }
  }
  let paid = 0n;
  if (stakeTotal > 0n) {
    for (const v of payees) {
      const share = (pool * v.stake) / stakeTotal;
      if (share === 0n) continue;
      books.credit(accountAddressOf(v.publicKey), share);
      books.setValidator({ ...v, rewardsTotal: v.rewardsTotal + share });
      paid += share;
    }
  }
  const toTreasury = feesTotal + reward - paid;
  if (toTreasury > 0n) books.credit(p.treasury, toTreasury);
  events.push({ type: "rewardsPaid", height, minted: reward, feesTotal, toValidators: paid, toTreasury });
}

/** The set for the next height: eligible validators by stake (ties by key), at most validatorsMax. */
export function computeValidatorSet(books: Books): SetMember[] {
  const p = books.params();
  const members: SetMember[] = [];
  for (const pk of books.registry()) {
    const v = books.validator(pk);
    if (v && isEligible(v, p)) members.push({ publicKey: v.publicKey, power: v.stake });
  }
  members.sort((a, b) =>
    a.power === b.power ? compareBytes(a.publicKey, b.publicKey) : a.power > b.power ? -1 : 1,
  );
  return members.slice(0, p.validatorsMax).sort((a, b) => compareBytes(a.publicKey, b.publicKey));
}

/** The changes from `before` to `after`, sorted by public key. */
export function diffValidatorSets(
  before: readonly SetMember[],
  after: readonly SetMember[],
): ValidatorUpdate[] {
  const updates: ValidatorUpdate[] = [];
  const afterByKey = new Map(after.map((m) => [toHex(m.publicKey), m]));
  for (const m of before) {
    if (!afterByKey.has(toHex(m.publicKey))) updates.push({ publicKey: m.publicKey, power: 0n });
  }
  for (const m of after) {
    const old = before.find((b) => equalBytes(b.publicKey, m.publicKey));
    if (!old || old.power !== m.power) updates.push({ publicKey: m.publicKey, power: m.power });
  }
  return updates.sort((a, b) => compareBytes(a.publicKey, b.publicKey));
}
