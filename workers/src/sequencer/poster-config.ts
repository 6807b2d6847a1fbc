/**
 * The checkpoint poster's configuration from the Worker's vars. The poster
 * account (which pays settlement fees for the lane's postCheckpoint
 * transactions) is derived from SEQUENCER_SEED like the sequencer key, so
 * the devnet can prefund it on settlement without sharing a secret.
 */
import { fromHex } from "../../../shared/bytes.ts";
import { deriveSeed } from "../../../shared/lane/genesis.ts";
import type { Env } from "../env.ts";

/** Vars the poster reads besides Env's (all optional; defaults below). */
export type PosterVars = {
  /** Fee of each postCheckpoint settlement transaction, base units (decimal). */
  SETTLEMENT_TX_FEE?: string;
  /** How often a posted checkpoint's settlement status is read while it is not final. */
  SETTLEMENT_POLL_MS?: string;
  SETTLEMENT_BACKOFF_MS_MIN?: string;
  SETTLEMENT_BACKOFF_MS_MAX?: string;
  /** A posted checkpoint that settlement still does not hold after this long is posted again. */
  SETTLEMENT_REPOST_MS?: string;
};

export type PosterConfig = {
  lane: number;
  chainId: string;
  posterSecretKey: Uint8Array;
  urls: string[];
  feeTx: bigint;
  pollMs: number;
  backoffMsMin: number;
  backoffMsMax: number;
  repostMs: number;
};

export function posterSeedForLane(rootSeed: Uint8Array, lane: number): Uint8Array {
  return deriveSeed(rootSeed, `poster/lane/${lane}`);
}

export function settlementUrlsOf(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

const positive = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
};

/** Read at every alarm, so a changed var takes effect without evicting the object. */
export function posterConfig(env: Env & PosterVars, lane: number): PosterConfig {
  return {
    lane,
    chainId: env.CHAIN_ID,
    posterSecretKey: posterSeedForLane(fromHex(env.SEQUENCER_SEED), lane),
    urls: settlementUrlsOf(env.SETTLEMENT_URLS),
    feeTx: BigInt(env.SETTLEMENT_TX_FEE || "10"),
    pollMs: positive(env.SETTLEMENT_POLL_MS, 1000),
    backoffMsMin: positive(env.SETTLEMENT_BACKOFF_MS_MIN, 500),
    backoffMsMax: positive(env.SETTLEMENT_BACKOFF_MS_MAX, 60_000),
    repostMs: positive(env.SETTLEMENT_REPOST_MS, 15_000),
  };
}
