/** Lane configuration from the Worker's vars: keys, genesis, bounds. */
import { fromHex } from "../../../shared/bytes.ts";
import { publicKeyFromSecret } from "../../../shared/crypto/keys.ts";
import { deriveSeed, devnetLaneGenesis, sequencerSeedForLane } from "../../../shared/lane/genesis.ts";
import type { Genesis } from "../../../shared/stf/genesis.ts";
import type { Env } from "../env.ts";

export type LaneConfig = {
  lane: number;
  chainId: string;
  sequencerSecretKey: Uint8Array;
  genesis: Genesis;
  pendingBlocksMax: number;
  checkpointAgeMsMax: number;
};

export function devnetAccountSecret(env: Env, index: number): Uint8Array {
  return deriveSeed(fromHex(env.DEVNET_ACCOUNTS_SEED), `account/${index}`);
}

export function laneConfig(env: Env, lane: number): LaneConfig {
  const accounts = Number(env.DEVNET_ACCOUNTS);
  const amount = BigInt(env.DEVNET_ACCOUNT_AMOUNT);
  const allocations = Array.from({ length: accounts }, (_, i) => ({
    owner: publicKeyFromSecret(devnetAccountSecret(env, i)),
    amount,
  }));
  let pendingBlocksMax = Number(env.LANE_PENDING_BLOCKS_MAX);
  for (const pair of (env.LANE_PENDING_BLOCKS_MAX_OVERRIDES ?? "").split(",")) {
    const [l, max] = pair.split(":");
    if (Number(l) === lane && max !== undefined) pendingBlocksMax = Number(max);
  }
  return {
    lane,
    chainId: env.CHAIN_ID,
    sequencerSecretKey: sequencerSeedForLane(fromHex(env.SEQUENCER_SEED), lane),
    genesis: devnetLaneGenesis({ chainId: env.CHAIN_ID, lane, timestampMs: 0n, allocations }),
    pendingBlocksMax,
    checkpointAgeMsMax: Number(env.CHECKPOINT_AGE_MS_MAX),
  };
}
