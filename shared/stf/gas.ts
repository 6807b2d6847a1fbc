/**
 * The lane gas market: an EIP-1559 base fee in integer math, a tip on top,
 * and the split of every fee between sequencer, validators and treasury.
 */
import type { LaneParams } from "./records.ts";
import { BPS_DENOMINATOR, U64_MAX } from "./limits.ts";

/**
 * Base fee of the next block (EIP-1559): moves toward the target by at most
 * 1/denominator of itself per block, rises by at least 1 when over target,
 * never falls below the floor nor exceeds u64.
 */
export function nextBaseFeePerGas(baseFeePerGas: bigint, gasUsed: bigint, params: LaneParams): bigint {
  const target = params.gasTargetPerBlock;
  const denominator = BigInt(params.baseFeeChangeDenominator);
  let next = baseFeePerGas;
  if (gasUsed > target) {
    const delta = (baseFeePerGas * (gasUsed - target)) / target / denominator;
    next = baseFeePerGas + (delta > 0n ? delta : 1n);
  } else if (gasUsed < target) {
    next = baseFeePerGas - (baseFeePerGas * (target - gasUsed)) / target / denominator;
  }
  if (next < params.baseFeeMinPerGas) next = params.baseFeeMinPerGas;
  if (next > U64_MAX) next = U64_MAX;
  return next;
}

/** Price actually paid per gas: base fee plus the tip, capped by maxFeePerGas. Assumes maxFee ≥ base. */
export function effectiveGasPrice(baseFeePerGas: bigint, maxFeePerGas: bigint, tipPerGas: bigint): bigint {
  const tipRoom = maxFeePerGas - baseFeePerGas;
  return baseFeePerGas + (tipPerGas < tipRoom ? tipPerGas : tipRoom);
}

export type FeeSplit = { sequencer: bigint; validators: bigint; treasury: bigint };

/** Splits by basis points, rounding down; the treasury takes the remainder so the parts sum to `fee`. */
export function splitFee(fee: bigint, params: LaneParams): FeeSplit {
  const sequencer = (fee * BigInt(params.feeShareSequencerBps)) / BPS_DENOMINATOR;
  const validators = (fee * BigInt(params.feeShareValidatorsBps)) / BPS_DENOMINATOR;
  return { sequencer, validators, treasury: fee - sequencer - validators };
}
