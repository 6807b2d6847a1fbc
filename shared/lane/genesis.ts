/**
 * Lane genesis and key derivation for devnets: one operator seed yields a
 * distinct sequencer key per lane, so a leaked lane key exposes one lane only
 * in as much as the seed itself stays secret.
 */
import { utf8 } from "../bytes.ts";
import { domainTag, hashTagged } from "../hash.ts";
import type { Genesis } from "../stf/genesis.ts";
import type { LaneParams } from "../stf/records.ts";

const SEED_TAG = domainTag("bitlayer/derived-seed/v1");

/** A 32-byte seed derived from `rootSeed` for one purpose (`label`, e.g. "sequencer/lane/1"). */
export function deriveSeed(rootSeed: Uint8Array, label: string): Uint8Array {
  return hashTagged(SEED_TAG, rootSeed, utf8(label));
}

export function sequencerSeedForLane(rootSeed: Uint8Array, lane: number): Uint8Array {
  return deriveSeed(rootSeed, `sequencer/lane/${lane}`);
}

/** Generous block gas so that the size bound (count, bytes) seals blocks, not gas. */
export function devnetLaneParams(feeAccounts: { validators: Uint8Array; treasury: Uint8Array }): LaneParams {
  return {
    gasLimitPerBlock: 20_000_000n,
    gasTargetPerBlock: 10_000_000n,
    baseFeeMinPerGas: 1n,
    baseFeeChangeDenominator: 8,
    feeShareSequencerBps: 5_000,
    feeShareValidatorsBps: 3_000,
    validatorsAccount: feeAccounts.validators,
    treasuryAccount: feeAccounts.treasury,
  };
}

export type DevnetGenesisParameters = {
  chainId: string;
  lane: number;
  timestampMs: bigint;
  allocations: readonly { owner: Uint8Array; amount: bigint }[];
};

export function devnetLaneGenesis(p: DevnetGenesisParameters): Genesis {
  return {
    chainId: p.chainId,
    lane: p.lane,
    params: devnetLaneParams({
      validators: hashTagged(SEED_TAG, utf8("fees/validators")),
      treasury: hashTagged(SEED_TAG, utf8("fees/treasury")),
    }),
    baseFeePerGas: 1n,
    timestampMs: p.timestampMs,
    allocations: p.allocations,
  };
}
