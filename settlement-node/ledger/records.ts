/**
 * State layout of the settlement ledger (docs/spec/settlement-transactions.md,
 * "State layout"): which key holds which record, and each record's canonical
 * encoding. Keys come from shared/state.ts stateKey(kind, ...parts), so the
 * same sparse Merkle tree that commits lane state commits this one and the
 * app hash is its root.
 */
import { bigintToBytesBE } from "../../shared/bytes.ts";
import {
  array,
  bool,
  bytes,
  fixedBytes,
  type Infer,
  string,
  struct,
  u32,
  u64,
  u128,
} from "../../shared/codec/index.ts";
import { MAX_CHAIN_ID_BYTES } from "../../shared/domain.ts";
import { type StateKey, stateKey } from "../../shared/state.ts";
import {
  ACCOUNT_ADDRESS_BYTES,
  BATCH_DATA_BYTES_MAX,
  FORCED_WATCH_LANES_MAX,
  HASH_BYTES,
  LANE_ADDRESS_BYTES,
  LANE_TX_BYTES_MAX,
  PUBLIC_KEY_BYTES,
  ROOT_BYTES,
  SIGNED_BLOCKS_WINDOW_MAX,
  UNBONDING_ENTRIES_MAX,
  VALIDATORS_MAX,
} from "./limits.ts";

const accountAddress = fixedBytes(ACCOUNT_ADDRESS_BYTES);
const publicKey = fixedBytes(PUBLIC_KEY_BYTES);
const root = fixedBytes(ROOT_BYTES);

/** Height, time and native-token totals. supply = every balance + stake + unbonding + escrow + lane bond. */
export const chainCodec = struct({
  chainId: string(MAX_CHAIN_ID_BYTES),
  /** Height of the last applied block (0 = genesis). */
  height: u64,
  timeMs: u64,
  supply: u128,
  mintedTotal: u128,
  burnedTotal: u128,
  laneCount: u32,
});
export type ChainRecord = Infer<typeof chainCodec>;

export const accountCodec = struct({ nonce: u64, balance: u128 });
export type AccountRecord = Infer<typeof accountCodec>;

/** A validator is one Ed25519 key: it signs votes and its address is the operator account. */
export const validatorCodec = struct({
  publicKey,
  stake: u128,
  jailed: bool,
  jailedUntilHeight: u64,
  tombstoned: bool,
  /** Inclusive window in which missed blocks are not counted; 0..0 when none is announced. */
  maintenanceFromHeight: u64,
  maintenanceToHeight: u64,
  rewardsTotal: u128,
  slashedTotal: u128,
});
export type ValidatorRecord = Infer<typeof validatorCodec>;

/** Public keys of every validator holding stake, sorted by compareBytes: the ledger iterates this. */
export const registryCodec = struct({ publicKeys: array(publicKey, VALIDATORS_MAX) });

export const setMemberCodec = struct({ publicKey, power: u128 });
export type SetMember = Infer<typeof setMemberCodec>;
/**
 * `current` is the set that votes on the height being applied; `previous` is
 * the one that signed the last commit (the downtime check needs it).
 */
export const validatorSetCodec = struct({
  current: array(setMemberCodec, VALIDATORS_MAX),
  previous: array(setMemberCodec, VALIDATORS_MAX),
});
export type ValidatorSetRecord = Infer<typeof validatorSetCodec>;

/** Sliding window of signed (0) / missed (1) blocks, one bit per block at offset % window. */
export const signingInfoCodec = struct({
  offset: u64,
  missedCount: u32,
  bitmap: bytes(SIGNED_BLOCKS_WINDOW_MAX / 8 + 1),
});
export type SigningInfo = Infer<typeof signingInfoCodec>;

export const unbondingEntryCodec = struct({ amount: u128, createdHeight: u64, maturesAtHeight: u64 });
export type UnbondingEntry = Infer<typeof unbondingEntryCodec>;
export const unbondingCodec = struct({ entries: array(unbondingEntryCodec, UNBONDING_ENTRIES_MAX) });

export const laneCodec = struct({
  id: u32,
  owner: accountAddress,
  sequencer: publicKey,
  bond: u128,
  escrow: u128,
  challengeWindowBlocks: u64,
  genesisRoot: root,
  /** Root of the last accepted checkpoint (genesisRoot before the first). */
  lastRoot: root,
  checkpointCount: u64,
  depositCount: u64,
  withdrawalCount: u64,
  stfVersion: u32,
  /** Escrow the opener put up for the lane's genesis supply (openLane genesisEscrow). */
  genesisEscrow: u128,
  /** Sum of depositToLane amounts; escrow = genesisEscrow + depositedTotal − paidTotal. */
  depositedTotal: u128,
  paidTotal: u128,
  /** Deposits the lane has consumed: checkpoints must take them in order (depositCursor). */
  depositsConsumed: u64,
  forcedInclusionBlocks: u64,
  /** Forced transactions posted for the lane, and how many checkpoints have covered. */
  forcedCount: u64,
  forcedConsumed: u64,
  /** Height at which the lane was frozen (a forced transaction missed its deadline); 0 = not frozen. */
  frozenHeight: u64,
});
export type LaneRecord = Infer<typeof laneCodec>;

export const checkpointCodec = struct({
  lane: u32,
  index: u64,
  prevRoot: root,
  newRoot: root,
  withdrawalCount: u64,
  depositCursor: u64,
  forcedCursor: u64,
  batchHash: fixedBytes(HASH_BYTES),
  stfVersion: u32,
  sequencerSignature: fixedBytes(64),
  postedHeight: u64,
  /** postedHeight + the lane's challenge window at posting: final from this height on. */
  finalHeight: u64,
});
export type CheckpointRecord = Infer<typeof checkpointCodec>;

/** Batch data, stored apart from the checkpoint record so finality checks do not read it. */
export const batchDataCodec = struct({ data: bytes(BATCH_DATA_BYTES_MAX) });

export const depositCodec = struct({
  id: u64,
  lane: u32,
  sender: accountAddress,
  recipient: fixedBytes(LANE_ADDRESS_BYTES),
  amount: u128,
  height: u64,
  /** The 32-byte id the lane's STF credits at most once (shared/stf depositCodec.depositId). */
  laneDepositId: fixedBytes(32),
});
export type DepositRecord = Infer<typeof depositCodec>;

/** A forced lane transaction waiting for (or covered by) a checkpoint. */
export const forcedTxCodec = struct({
  id: u64,
  lane: u32,
  sender: accountAddress,
  tx: bytes(LANE_TX_BYTES_MAX),
  height: u64,
  /** The last height at which a checkpoint covering it is accepted; after it the lane freezes. */
  deadlineHeight: u64,
});
export type ForcedTxRecord = Infer<typeof forcedTxCodec>;

/** Lanes with forced transactions not yet covered, checked for missed deadlines at every block. */
export const forcedWatchCodec = struct({ lanes: array(u32, FORCED_WATCH_LANES_MAX) });

export const withdrawalPaidCodec = struct({ checkpointIndex: u64, height: u64, amount: u128 });
export type WithdrawalPaidRecord = Infer<typeof withdrawalPaidCodec>;

const EMPTY = new Uint8Array(0);
const u32Bytes = (n: number): Uint8Array => bigintToBytesBE(BigInt(n), 4);
const u64Bytes = (n: bigint): Uint8Array => bigintToBytesBE(n, 8);

export const ledgerKeys = {
  chain: (): StateKey => stateKey("settlement/chain", EMPTY),
  params: (): StateKey => stateKey("settlement/params", EMPTY),
  account: (address: Uint8Array): StateKey => stateKey("settlement/account", address),
  validator: (pk: Uint8Array): StateKey => stateKey("settlement/validator", pk),
  registry: (): StateKey => stateKey("settlement/validator-registry", EMPTY),
  validatorSet: (): StateKey => stateKey("settlement/validator-set", EMPTY),
  signingInfo: (pk: Uint8Array): StateKey => stateKey("settlement/signing-info", pk),
  unbonding: (pk: Uint8Array): StateKey => stateKey("settlement/unbonding", pk),
  lane: (lane: number): StateKey => stateKey("settlement/lane", u32Bytes(lane)),
  checkpoint: (lane: number, index: bigint): StateKey =>
    stateKey("settlement/checkpoint", u32Bytes(lane), u64Bytes(index)),
  batchData: (lane: number, index: bigint): StateKey =>
    stateKey("settlement/batch-data", u32Bytes(lane), u64Bytes(index)),
  deposit: (lane: number, id: bigint): StateKey =>
    stateKey("settlement/deposit", u32Bytes(lane), u64Bytes(id)),
  forcedTx: (lane: number, id: bigint): StateKey =>
    stateKey("settlement/forced-tx", u32Bytes(lane), u64Bytes(id)),
  forcedWatch: (): StateKey => stateKey("settlement/forced-watch", EMPTY),
  withdrawalPaid: (lane: number, id: bigint): StateKey =>
    stateKey("settlement/withdrawal-paid", u32Bytes(lane), u64Bytes(id)),
};
