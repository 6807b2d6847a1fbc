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
  /** Bound of the state tree's node cache, in records (the rest of the tree stays in SQLite). */
  nodeCacheRecords: number;
};

/**
 * ~200 B per cached record with JS overhead (65-100 B records, a 16-char map
 * key, Map entry): ~40 MB at the default, well inside a Durable Object's 128 MB
 * whatever the tree's size (test/workerd/lane-million-accounts.test.ts,
 * bench/edge/million.ts).
 */
export const NODE_CACHE_RECORDS_DEFAULT = 200_000;

/** "lane:value,lane:value" → the value for `lane`, if listed. */
function laneOverride(list: string | undefined, lane: number): number | undefined {
  for (const pair of (list ?? "").split(",")) {
    const [l, value] = pair.split(":");
    if (Number(l) === lane && value !== undefined) return Number(value);
  }
  return undefined;
}

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
  const pendingBlocksMax =
    laneOverride(env.LANE_PENDING_BLOCKS_MAX_OVERRIDES, lane) ?? Number(env.LANE_PENDING_BLOCKS_MAX);
  const nodeCacheRecords =
    laneOverride(env.SMT_CACHE_RECORDS_OVERRIDES, lane) ??
    Number(env.SMT_CACHE_RECORDS ?? NODE_CACHE_RECORDS_DEFAULT);
  if (!Number.isInteger(nodeCacheRecords) || nodeCacheRecords < 2)
    throw new RangeError(
      `SMT_CACHE_RECORDS must be an integer ≥ 2 for lane ${lane}, got ${nodeCacheRecords}.`,
    );
  return {
    lane,
    chainId: env.CHAIN_ID,
    sequencerSecretKey: sequencerSeedForLane(fromHex(env.SEQUENCER_SEED), lane),
    genesis: devnetLaneGenesis({ chainId: env.CHAIN_ID, lane, timestampMs: 0n, allocations }),
    pendingBlocksMax,
    checkpointAgeMsMax: Number(env.CHECKPOINT_AGE_MS_MAX),
    nodeCacheRecords,
  };
}
