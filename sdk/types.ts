/** Values the client's actions return. Hashes, keys and roots are lowercase hex without "0x". */

import type { FinalityStatus, ReceiptView } from "../shared/sdk/receipt-view.ts";

export type { FinalityStatus, ReceiptView } from "../shared/sdk/receipt-view.ts";
export const FINALITY_LADDER: readonly FinalityStatus[] = ["soft", "checkpointed", "settled", "final"];

/** Position of `status` on the ladder (0 = soft … 3 = final). */
export function finalityRank(status: FinalityStatus): number {
  return FINALITY_LADDER.indexOf(status);
}

/** What sendTransaction and the transaction actions return. */
export type TransactionResult = {
  /** The transaction's hash (hex): what getReceipt / waitForStatus take. */
  hash: string;
  /** True when the lane already had it (a retry, or the same idempotency key): `receipt` is the stored one. */
  duplicate: boolean;
  /** The signed receipt, its signature checked against the lane's sequencer key (unless verifyReceipts: false). */
  receipt: ReceiptView;
};

/** The lane's status (GET /v1/lanes/:lane/status). */
export type LaneStatus = {
  chainId: string;
  lane: number;
  height: string;
  stateRoot: string;
  lastReceiptHash: string;
  sequencer: string;
  baseFeePerGas: string;
  pendingBlocks: number;
  pendingBlocksMax: number;
  nextCheckpointIndex: number;
  checkpointedRoot: string;
  /**
   * How the lane decides settled/final: `verified` from checkpoint proofs
   * certified by its trusted validator set (SETTLEMENT_VALIDATORS),
   * `unverified` from one validator's word, `misconfigured` not at all.
   */
  settlementVerification?:
    | { mode: "verified"; validators: number; totalPower: string }
    | { mode: "unverified"; note: string }
    | { mode: "misconfigured"; error: string };
};

/** An edge read with its Merkle proof (GET /v1/lanes/:lane/accounts/:address and friends). */
export type ProvenRead<T> = {
  stateRoot: string;
  height: string;
  value: T;
  proof: string;
  entries: { key: string; value: string | null }[];
};

/** Settlement's view of a lane checkpoint (GET /v1/lanes/:lane/checkpoints/:index). */
export type SettlementCheckpoint = {
  lane: number;
  index: string;
  prevRoot: string;
  newRoot: string;
  withdrawalCount: string;
  batchHash: string;
  stfVersion: number;
  postedHeight: string;
  finalHeight: string;
  finality: {
    status: "checkpointed" | "settled" | "final";
    next: { status: string; height: string; blocksRemaining: string; estimatedTimeMs: string } | null;
  };
};

/** Settlement's lane record (GET /v1/lanes/:id). */
export type SettlementLane = {
  id: number;
  owner: string;
  sequencer: string;
  bond: string;
  escrow: string;
  challengeWindowBlocks: string;
  genesisRoot: string;
  lastRoot: string;
  checkpointCount: string;
  depositCount: string;
  withdrawalCount: string;
  stfVersion: number;
  /** Escrow the opener put up for the lane's genesis supply; escrow = genesisEscrow + depositedTotal − paidTotal. */
  genesisEscrow: string;
  depositedTotal: string;
  paidTotal: string;
};

/**
 * A settlement block (GET /v1/blocks/:height). As served, every field is the
 * node's word; getVerifiedSettlementBlock checks them against `encoded`.
 */
export type SettlementBlock = {
  height: string;
  /** valueIdOf(encoded): the block hash the certificate's precommits name. */
  hash: string;
  /**
   * The block's canonical bytes (settlement-node/node/block.ts): height,
   * timeMs, proposer, appHashPrev, lastCommit, txs. 0x-hex.
   */
  encoded: string;
  /** Hash of block height − 1 (the valueId of encoded's lastCommit); zeros at height 1. */
  lastBlockHash: string;
  timeMs: string;
  /** The proposer's public key. */
  proposer: string;
  /** The state root after this block: not in `encoded` (which carries the root before it), so not proven by it. */
  appHash: string;
  txs: { hash: string; bytes: string }[];
  /** Not in the block: the node's word even when the block is verified. */
  receipts: { index: number; hash: string; status: number; statusName: string; feePaid: string }[] | null;
  certificate: {
    height: string;
    round: number;
    valueId: string;
    precommits: { validatorIndex: number; signature: string }[];
  };
};

/** One validator as GET /v1/validators lists it. */
export type SettlementValidator = {
  address: string;
  publicKey: string;
  stake: string;
  power: string;
  status: "active" | "jailed" | "unbonding" | "tombstoned";
};
