/**
 * Stake-weighted validator sets: quorum thresholds by stake and the
 * deterministic weighted round-robin proposer (CometBFT's proposer-priority
 * algorithm, docs/spec/consensus.md#proposer-selection).
 */
import { compareBytes, equalBytes, toHex } from "../../shared/bytes.ts";
import { ValidatorSetError } from "./errors.ts";

export const VALIDATORS_MAX = 1024;

export type Validator = { publicKey: Uint8Array; power: bigint };

export type ValidatorSet = {
  /** Sorted by public key; a vote names its validator by index in this order. */
  readonly validators: readonly Validator[];
  readonly totalPower: bigint;
  /** Proposer priorities at round 0 of the height. */
  readonly priorities: readonly bigint[];
};

/** Canonical order, positive powers, no duplicate keys; fresh validators start at priority 0. */
export function makeValidatorSet(validators: readonly Validator[]): ValidatorSet {
  if (validators.length === 0) throw new ValidatorSetError("A validator set needs at least one validator.");
  if (validators.length > VALIDATORS_MAX)
    throw new ValidatorSetError(`A validator set holds at most ${VALIDATORS_MAX} validators.`);
  const sorted = [...validators].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
  let totalPower = 0n;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (v.power <= 0n)
      throw new ValidatorSetError(`Validator ${toHex(v.publicKey)} has power ${v.power}; it must be > 0.`);
    if (i > 0 && equalBytes(sorted[i - 1]!.publicKey, v.publicKey))
      throw new ValidatorSetError(`Validator ${toHex(v.publicKey)} appears twice.`);
    totalPower += v.power;
  }
  return { validators: sorted, totalPower, priorities: sorted.map(() => 0n) };
}

/** One step of weighted round robin: everyone gains its power, the richest proposes and pays the total. */
function incrementPriorities(set: ValidatorSet, priorities: bigint[]): number {
  let best = 0;
  for (let i = 0; i < priorities.length; i++) {
    priorities[i]! += set.validators[i]!.power;
    if (priorities[i]! > priorities[best]!) best = i; // ties go to the lower index
  }
  priorities[best]! -= set.totalPower;
  return best;
}

/** Index of proposer(h, r): r + 1 increments from the height's round-0 priorities. */
export function proposerIndex(set: ValidatorSet, round: number): number {
  const priorities = [...set.priorities];
  let index = 0;
  for (let r = 0; r <= round; r++) index = incrementPriorities(set, priorities);
  return index;
}

/**
 * The next height's set: priorities advance one increment per height
 * (independent of the deciding round, which nodes may not agree on),
 * continuing validators keep theirs, newcomers start at -total so they do not
 * jump the queue, and the result is re-centred on zero.
 */
export function nextValidatorSet(
  previous: ValidatorSet | null,
  validators: readonly Validator[],
): ValidatorSet {
  const fresh = makeValidatorSet(validators);
  if (previous === null) return fresh;
  const advanced = [...previous.priorities];
  incrementPriorities(previous, advanced);
  const carried = new Map<string, bigint>();
  previous.validators.forEach((v, i) => {
    carried.set(toHex(v.publicKey), advanced[i]!);
  });
  const priorities = fresh.validators.map((v) => carried.get(toHex(v.publicKey)) ?? -fresh.totalPower);
  const n = BigInt(priorities.length);
  const sum = priorities.reduce((a, b) => a + b, 0n);
  const mean = sum >= 0n ? sum / n : -((-sum + n - 1n) / n); // floor, for a deterministic centre
  return { ...fresh, priorities: priorities.map((p) => p - mean) };
}

/** More than 2/3 of stake: the paper's 2f+1. */
export function isQuorum(power: bigint, total: bigint): boolean {
  return 3n * power > 2n * total;
}

/** More than 1/3 of stake: the paper's f+1, at least one honest validator. */
export function isOneThird(power: bigint, total: bigint): boolean {
  return 3n * power > total;
}
