/**
 * Governance parameters of the settlement ledger: one record in state, set at
 * genesis (the governance issue adds proposals that change it after a
 * timelock). validateParams states every cross-field rule, so genesis and a
 * future parameter change enforce the same ones.
 */
import { fixedBytes, type Infer, struct, u16, u32, u64, u128 } from "../../shared/codec/index.ts";
import {
  ACCOUNT_ADDRESS_BYTES,
  BATCH_DATA_BYTES_MAX,
  BPS_DENOMINATOR,
  SIGNED_BLOCKS_WINDOW_MAX,
  VALIDATORS_MAX,
} from "./limits.ts";

export const paramsCodec = struct({
  /** Smallest fee a settlement transaction may offer. */
  txFeeMin: u128,
  /** Share of each block's fees added to the validators' reward pool; the treasury gets the rest. */
  feeShareValidatorsBps: u16,
  treasury: fixedBytes(ACCOUNT_ADDRESS_BYTES),
  /** Published schedule: reward(h) = rewardPerBlockInitial >> floor((h - 1) / rewardHalvingIntervalBlocks). */
  rewardPerBlockInitial: u128,
  rewardHalvingIntervalBlocks: u64,
  /** Smallest stake of a bonded validator. */
  bondMin: u128,
  validatorsMax: u16,
  /** Must exceed challengeWindowBlocksMax, so stake can never leave before a fraud proof could slash it. */
  unbondingPeriodBlocks: u64,
  slashFractionDoubleSignBps: u16,
  /** Share of a double-sign slash paid to the reporter; the rest is burned. */
  evidenceRewardBps: u16,
  evidenceAgeBlocksMax: u64,
  signedBlocksWindow: u32,
  /** Jailed when more than this many of the last signedBlocksWindow blocks were missed. */
  missedBlocksMax: u32,
  jailDurationBlocks: u64,
  maintenanceBlocksMax: u64,
  laneBondMin: u128,
  challengeWindowBlocksMin: u64,
  challengeWindowBlocksMax: u64,
  batchDataBytesMax: u32,
});
export type LedgerParams = Infer<typeof paramsCodec>;

export type ParamsProblem = { field: keyof LedgerParams; problem: string };

/** The first rule `p` breaks, or null. */
export function validateParams(p: LedgerParams): ParamsProblem | null {
  const bps = BPS_DENOMINATOR;
  if (BigInt(p.feeShareValidatorsBps) > bps)
    return { field: "feeShareValidatorsBps", problem: "must be ≤ 10000" };
  if (p.rewardHalvingIntervalBlocks < 1n)
    return { field: "rewardHalvingIntervalBlocks", problem: "must be ≥ 1" };
  if (p.bondMin < 1n) return { field: "bondMin", problem: "must be ≥ 1" };
  if (p.validatorsMax < 1 || p.validatorsMax > VALIDATORS_MAX)
    return { field: "validatorsMax", problem: `must be in [1, ${VALIDATORS_MAX}]` };
  if (BigInt(p.slashFractionDoubleSignBps) > bps)
    return { field: "slashFractionDoubleSignBps", problem: "must be ≤ 10000" };
  if (BigInt(p.evidenceRewardBps) > bps) return { field: "evidenceRewardBps", problem: "must be ≤ 10000" };
  if (p.evidenceAgeBlocksMax < 1n) return { field: "evidenceAgeBlocksMax", problem: "must be ≥ 1" };
  if (p.signedBlocksWindow < 1 || p.signedBlocksWindow > SIGNED_BLOCKS_WINDOW_MAX)
    return { field: "signedBlocksWindow", problem: `must be in [1, ${SIGNED_BLOCKS_WINDOW_MAX}]` };
  if (p.missedBlocksMax >= p.signedBlocksWindow)
    return { field: "missedBlocksMax", problem: "must be below signedBlocksWindow" };
  if (p.jailDurationBlocks < 1n) return { field: "jailDurationBlocks", problem: "must be ≥ 1" };
  if (p.laneBondMin < 1n) return { field: "laneBondMin", problem: "must be ≥ 1" };
  if (p.challengeWindowBlocksMin < 1n) return { field: "challengeWindowBlocksMin", problem: "must be ≥ 1" };
  if (p.challengeWindowBlocksMax < p.challengeWindowBlocksMin)
    return { field: "challengeWindowBlocksMax", problem: "must be ≥ challengeWindowBlocksMin" };
  if (p.unbondingPeriodBlocks <= p.challengeWindowBlocksMax)
    return { field: "unbondingPeriodBlocks", problem: "must exceed challengeWindowBlocksMax" };
  if (p.batchDataBytesMax > BATCH_DATA_BYTES_MAX)
    return { field: "batchDataBytesMax", problem: `must be ≤ ${BATCH_DATA_BYTES_MAX}` };
  return null;
}

/** The block reward minted at `height` (≥ 1): halves every rewardHalvingIntervalBlocks. */
export function rewardAtHeight(p: LedgerParams, height: bigint): bigint {
  if (height < 1n) return 0n;
  const halvings = (height - 1n) / p.rewardHalvingIntervalBlocks;
  return halvings >= 128n ? 0n : p.rewardPerBlockInitial >> halvings;
}
