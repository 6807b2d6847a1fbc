/** The writes that create a lane: parameters, the lane record at height 0 and the initial native allocations. */
import { compareBytes, toHex } from "../bytes.ts";
import { encode } from "../codec/index.ts";
import type { StateWrite } from "../state.ts";
import { StfBlockError } from "./errors.ts";
import { BPS_DENOMINATOR, U128_MAX } from "./limits.ts";
import {
  balanceCodec,
  keys,
  type LaneParams,
  laneParamsCodec,
  laneRecordCodec,
  NATIVE_ASSET,
  supplyCodec,
} from "./records.ts";

export type Genesis = {
  chainId: string;
  lane: number;
  params: LaneParams;
  baseFeePerGas: bigint;
  timestampMs: bigint;
  /** Native balances at height 0; they count as minted. */
  allocations: readonly { owner: Uint8Array; amount: bigint }[];
};

/**
 * The native supply a lane's genesis allocates (the sum of its allocations):
 * what settlement must hold in escrow for the lane from the start (openLane
 * genesisEscrow), or those coins could never be withdrawn.
 */
export function genesisNativeSupply(g: Pick<Genesis, "allocations">): bigint {
  let total = 0n;
  for (const a of g.allocations) total += a.amount;
  return total;
}

export function genesisWrites(g: Genesis): StateWrite[] {
  const p = g.params;
  if (p.gasTargetPerBlock === 0n || p.gasTargetPerBlock > p.gasLimitPerBlock)
    throw new StfBlockError("Lane params: gasTargetPerBlock must be in 1..gasLimitPerBlock.");
  if (p.baseFeeChangeDenominator === 0)
    throw new StfBlockError("Lane params: baseFeeChangeDenominator must be ≥ 1.");
  if (BigInt(p.feeShareSequencerBps + p.feeShareValidatorsBps) > BPS_DENOMINATOR)
    throw new StfBlockError("Lane params: fee shares exceed 10,000 basis points.");
  if (g.baseFeePerGas < p.baseFeeMinPerGas) throw new StfBlockError("Genesis base fee is below the floor.");

  const byOwner = new Map<string, { owner: Uint8Array; amount: bigint }>();
  for (const a of g.allocations) {
    const id = toHex(a.owner);
    const prev = byOwner.get(id)?.amount ?? 0n;
    byOwner.set(id, { owner: a.owner, amount: prev + a.amount });
  }
  const minted = genesisNativeSupply(g);
  if (minted > U128_MAX) throw new StfBlockError("Genesis allocations exceed u128.");

  const writes: StateWrite[] = [
    { key: keys.laneParams(), value: encode(laneParamsCodec, p) },
    {
      key: keys.lane(),
      value: encode(laneRecordCodec, {
        chainId: g.chainId,
        lane: g.lane,
        height: 0n,
        timestampMs: g.timestampMs,
        baseFeePerGas: g.baseFeePerGas,
        withdrawalCount: 0n,
        feesSequencerTotal: 0n,
        feesValidatorsTotal: 0n,
        feesTreasuryTotal: 0n,
      }),
    },
    {
      key: keys.supply(NATIVE_ASSET),
      value: encode(supplyCodec, { minted, burned: 0n, deposited: 0n, withdrawn: 0n }),
    },
  ];
  for (const { owner, amount } of byOwner.values())
    if (amount > 0n)
      writes.push({ key: keys.balance(owner, NATIVE_ASSET), value: encode(balanceCodec, { amount }) });
  return writes.sort((a, b) => compareBytes(a.key, b.key));
}
