import type { Sequencer } from "./sequencer/sequencer.ts";

/** Bindings and vars of the Worker (wrangler.toml). */
export type Env = {
  SEQUENCER: DurableObjectNamespace<Sequencer>;
  CHAIN_ID: string;
  /** Hex, 32 bytes: the operator seed each lane's sequencer key is derived from. A secret in production. */
  SEQUENCER_SEED: string;
  /** Hex, 32 bytes: devnet accounts are derived from it and funded at genesis. */
  DEVNET_ACCOUNTS_SEED: string;
  DEVNET_ACCOUNTS: string;
  DEVNET_ACCOUNT_AMOUNT: string;
  /** Lanes 1..LANES_MAX exist. */
  LANES_MAX: string;
  /** Back-pressure: submit answers lane_busy while more blocks than this wait for a checkpoint. */
  LANE_PENDING_BLOCKS_MAX: string;
  /** "lane:max,lane:max" overrides of LANE_PENDING_BLOCKS_MAX (small bounds on test lanes). */
  LANE_PENDING_BLOCKS_MAX_OVERRIDES?: string;
  CHECKPOINT_AGE_MS_MAX: string;
  /** Comma-separated settlement validator URLs (the checkpoint poster's failover list). */
  SETTLEMENT_URLS?: string;
  RATE_LIMIT_PER_MINUTE: string;
  /** Records in each lane's state-tree node cache (default 200000, ~40 MB); the tree itself lives in SQLite. */
  SMT_CACHE_RECORDS?: string;
  /** "lane:records,lane:records" overrides of SMT_CACHE_RECORDS (a small cache on a test lane). */
  SMT_CACHE_RECORDS_OVERRIDES?: string;
  /** "1" turns on the dev-only routes under /v1/dev (bench baselines, time controls); never set in production. */
  BITLAYER_DEV?: string;
};
