/**
 * State layout of a lane: which key holds what, and each record's canonical
 * encoding (docs/spec/lane-transactions.md, "State layout"). Keys come from
 * shared/state.ts stateKey(kind, ...parts), so they are uniformly spread over
 * the sparse Merkle tree.
 */
import { bigintToBytesBE, utf8 } from "../bytes.ts";
import { Bytes32Map } from "../bytes32-map.ts";
import {
  bool,
  bytes,
  decode,
  fixedBytes,
  type Infer,
  string,
  struct,
  u8,
  u16,
  u32,
  u64,
  u128,
} from "../codec/index.ts";
import { MAX_CHAIN_ID_BYTES } from "../domain.ts";
import { domainTag, hashTagged } from "../hash.ts";
import { type StateKey, stateKey } from "../state.ts";
import {
  ADDRESS_BYTES,
  ASSET_ID_BYTES,
  ITEM_METADATA_BYTES_MAX,
  ITEM_REFERENCE_BYTES_MAX,
} from "./limits.ts";

const address = fixedBytes(ADDRESS_BYTES);
const assetId = fixedBytes(ASSET_ID_BYTES);

/** The lane's native token. Token ids are hashes, so they never collide with it. */
export const NATIVE_ASSET: Uint8Array = new Uint8Array(ASSET_ID_BYTES);

/** Governance parameters of a lane (written at genesis; changed only by settlement). */
export const laneParamsCodec = struct({
  gasLimitPerBlock: u64,
  gasTargetPerBlock: u64,
  baseFeeMinPerGas: u64,
  /** EIP-1559's "elasticity": the base fee moves by at most 1/denominator per block. */
  baseFeeChangeDenominator: u32,
  feeShareSequencerBps: u16,
  feeShareValidatorsBps: u16,
  /** Receives the validators' share of fees. The treasury gets the remainder. */
  validatorsAccount: address,
  treasuryAccount: address,
});
export type LaneParams = Infer<typeof laneParamsCodec>;

/** Per-lane running state, updated once per block. */
export const laneRecordCodec = struct({
  chainId: string(MAX_CHAIN_ID_BYTES),
  lane: u32,
  /** Height of the last executed block (0 = genesis). */
  height: u64,
  timestampMs: u64,
  /** Base fee the next block must carry. */
  baseFeePerGas: u64,
  withdrawalCount: u64,
  feesSequencerTotal: u128,
  feesValidatorsTotal: u128,
  feesTreasuryTotal: u128,
});
export type LaneRecord = Infer<typeof laneRecordCodec>;

/** Withdrawal leaves the lane has made, from its encoded lane record (0 before the first block writes one). */
export function withdrawalCountOf(laneRecord: Uint8Array | undefined): bigint {
  return laneRecord ? decode(laneRecordCodec, laneRecord).withdrawalCount : 0n;
}

export const accountCodec = struct({ nonce: u64 });
export const balanceCodec = struct({ amount: u128 });

export const tokenCodec = struct({
  issuer: address,
  symbol: string(16),
  decimals: u8,
  supplyMax: u128,
});
export type TokenRecord = Infer<typeof tokenCodec>;

/** Running totals per asset (native, token or item collection): outstanding = minted + deposited − burned − withdrawn. */
export const supplyCodec = struct({ minted: u128, burned: u128, deposited: u128, withdrawn: u128 });
export type SupplyRecord = Infer<typeof supplyCodec>;

export const itemCodec = struct({
  game: address,
  referenceId: bytes(ITEM_REFERENCE_BYTES_MAX),
  /** Owner named by the mint: a retry is identical iff it names the same owner and metadata. */
  mintedTo: address,
  owner: address,
  metadata: bytes(ITEM_METADATA_BYTES_MAX),
  /** A burned item keeps its record so its reference id can never be minted again. */
  burned: bool,
});
export type ItemRecord = Infer<typeof itemCodec>;

export const depositMarkerCodec = struct({ height: u64 });
export const idempotencyCodec = struct({ txHash: fixedBytes(32) });

/** A withdrawal leaf: proven on settlement by an SMT inclusion proof against a checkpoint's state root. */
export const withdrawalCodec = struct({
  id: u64,
  lane: u32,
  recipient: address,
  asset: assetId,
  amount: u128,
  height: u64,
});
export type WithdrawalRecord = Infer<typeof withdrawalCodec>;

const TOKEN_ID_TAG = domainTag("bitlayer/token-id/v1");
const ITEM_ID_TAG = domainTag("bitlayer/item-id/v1");
const COLLECTION_ID_TAG = domainTag("bitlayer/collection-id/v1");

/** One token per (issuer, symbol): the client knows the id before the create lands. */
export function tokenIdOf(issuer: Uint8Array, symbol: string): Uint8Array {
  return hashTagged(TOKEN_ID_TAG, issuer, utf8(symbol));
}

/** Items are keyed by (game, reference id), which is what makes a retried mint detectable. */
export function itemIdOf(game: Uint8Array, referenceId: Uint8Array): Uint8Array {
  return hashTagged(ITEM_ID_TAG, game, bigintToBytesBE(BigInt(referenceId.length), 2), referenceId);
}

/** The asset id under which a game's item count is tracked in its supply record. */
export function collectionIdOf(game: Uint8Array): Uint8Array {
  return hashTagged(COLLECTION_ID_TAG, game);
}

const EMPTY = new Uint8Array(0);

/**
 * State keys are pure functions of their parts, and a lane asks for the same
 * ones block after block (its own records; its active accounts' account and
 * native balance), each a SHA-256: those are remembered instead (profiled
 * at ~6% of a block). Bounded: a full map is dropped and refilled. A key is
 * shared by every caller that asks for it, so keys are never mutated.
 */
const OWNER_KEYS_MAX = 1 << 15;
function ownerKeyCache(derive: (owner: Uint8Array) => StateKey): (owner: Uint8Array) => StateKey {
  let known = new Bytes32Map<StateKey>(1024);
  return (owner) => {
    if (owner.length !== 32) return derive(owner);
    let key = known.get(owner);
    if (key === undefined) {
      if (known.size >= OWNER_KEYS_MAX) known = new Bytes32Map<StateKey>(1024);
      key = derive(owner);
      known.set(owner, key);
    }
    return key;
  };
}
const LANE_PARAMS_KEY = stateKey("lane-params", EMPTY);
const LANE_KEY = stateKey("lane", EMPTY);
const accountKeyOf = ownerKeyCache((owner) => stateKey("account", owner));
const nativeBalanceKeyOf = ownerKeyCache((owner) => stateKey("balance", owner, NATIVE_ASSET));

const isNativeAsset = (asset: Uint8Array): boolean =>
  asset === NATIVE_ASSET || (asset.length === ASSET_ID_BYTES && asset.every((b) => b === 0));

export const keys = {
  laneParams: (): StateKey => LANE_PARAMS_KEY,
  lane: (): StateKey => LANE_KEY,
  account: (owner: Uint8Array): StateKey => accountKeyOf(owner),
  balance: (owner: Uint8Array, asset: Uint8Array): StateKey =>
    isNativeAsset(asset) ? nativeBalanceKeyOf(owner) : stateKey("balance", owner, asset),
  token: (tokenId: Uint8Array): StateKey => stateKey("token", tokenId),
  supply: (asset: Uint8Array): StateKey => stateKey("supply", asset),
  item: (itemId: Uint8Array): StateKey => stateKey("item", itemId),
  deposit: (depositId: Uint8Array): StateKey => stateKey("deposit", depositId),
  idempotency: (sender: Uint8Array, key: Uint8Array): StateKey => stateKey("idempotency", sender, key),
  withdrawal: (id: bigint): StateKey => stateKey("withdrawal", bigintToBytesBE(id, 8)),
};

export function outstandingOf(s: SupplyRecord): bigint {
  return s.minted + s.deposited - s.burned - s.withdrawn;
}

export const ZERO_SUPPLY: SupplyRecord = { minted: 0n, burned: 0n, deposited: 0n, withdrawn: 0n };
