/**
 * Structural bounds of settlement transactions (docs/spec/settlement-transactions.md).
 * These are codec bounds, fixed by the protocol version; the tunable limits
 * live in the governance parameters record (params.ts).
 */
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** Settlement account addresses (addressFromPublicKey). */
export const ACCOUNT_ADDRESS_BYTES = 20;
/** Lane addresses are 32 bytes (shared/stf ADDRESS_BYTES). */
export const LANE_ADDRESS_BYTES = 32;
export const ROOT_BYTES = 32;
export const HASH_BYTES = 32;

/** Upper bound of a checkpoint's batch data; params.batchDataBytesMax may only lower it. */
export const BATCH_DATA_BYTES_MAX = 131_072;
export const WITHDRAWAL_LEAF_BYTES_MAX = 256;
/** An encoded SMT inclusion proof (257 nodes of ≤ 65 bytes) fits comfortably. */
export const WITHDRAWAL_PROOF_BYTES_MAX = 32_768;
export const EVIDENCE_BYTES_MAX = 4096;
/** A forced lane transaction: shared/stf TX_BYTES_MAX. */
export const LANE_TX_BYTES_MAX = 4096;
/** Forced transactions of one lane waiting for inclusion; more are refused (ForcedQueueFull). */
export const FORCED_OPEN_PER_LANE_MAX = 64;
/** Lanes with forced transactions waiting, watched at the start of every block. */
export const FORCED_WATCH_LANES_MAX = 1024;
/** A whole signed settlement transaction, envelope included. */
export const SETTLEMENT_TX_BYTES_MAX = 163_840;
export const TXS_PER_BLOCK_MAX = 10_000;

export const VALIDATORS_MAX = 256;
export const UNBONDING_ENTRIES_MAX = 16;
/** Bits in a validator's signed-blocks bitmap. */
export const SIGNED_BLOCKS_WINDOW_MAX = 10_000;

export const BPS_DENOMINATOR = 10_000n;
export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
