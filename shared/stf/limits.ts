/**
 * Bounds and gas costs of lane transactions (docs/spec/lane-transactions.md).
 * Changing any of these changes the STF: bump STF_VERSION.
 */
export const STF_VERSION = 1;

export const ADDRESS_BYTES = 32;
export const ASSET_ID_BYTES = 32;
export const SIGNATURE_BYTES = 64;

export const TX_BYTES_MAX = 4096;
export const TXS_PER_BLOCK_MAX = 10_000;
export const DEPOSITS_PER_BLOCK_MAX = 1024;
export const SIGNATURES_PER_TX_MAX = 2;
export const TOKEN_SYMBOL_BYTES_MAX = 16;
export const TOKEN_DECIMALS_MAX = 18;
export const ITEM_REFERENCE_BYTES_MAX = 64;
export const ITEM_METADATA_BYTES_MAX = 256;
export const TRADE_ASSETS_PER_SIDE_MAX = 16;

/** Fixed gas per transaction type; a trade adds gasTradePerAsset for each asset it moves. */
export const GAS = {
  transfer: 1_000n,
  createToken: 20_000n,
  mintToken: 5_000n,
  transferToken: 2_000n,
  mintItem: 10_000n,
  /** A retried mint of an identical item: nonce consumed, no second mint charged. */
  mintItemRetry: 1_000n,
  transferItem: 3_000n,
  burnItem: 2_000n,
  trade: 5_000n,
  tradePerAsset: 1_500n,
  withdraw: 10_000n,
} as const;

export const BPS_DENOMINATOR = 10_000n;
export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
