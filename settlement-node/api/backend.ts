/**
 * What the settlement HTTP API needs from a running validator. The node
 * (settlement-node/node/) implements it over its mempool, block store and
 * ledger state tree; settlement-node/api/testing.ts implements it in memory.
 * The API never writes anything except through submitTx.
 */
import type { SmtProof } from "../../shared/smt/index.ts";
import type { StateKey, StateReader } from "../../shared/state.ts";
import type { CommitCertificate } from "../consensus/messages.ts";
import type { LedgerReceipt } from "../ledger/apply.ts";
import type { TxInclusion } from "./recent-txs.ts";

export type NodeStatus = {
  chainId: string;
  /** Height of the last committed block (0 before the first). */
  height: bigint;
  /** Hash of the block at `height`; 32 zero bytes at height 0. */
  lastBlockHash: Uint8Array;
  /** This validator's account address (20 bytes, shared/crypto addressFromPublicKey). */
  address: Uint8Array;
  /** True while the node is behind its peers and replaying blocks: reads may be stale. */
  catchingUp: boolean;
  /** Connected peers. */
  peers: number;
};

/** Mempool admission of one transaction. `accepted: false` changes nothing. */
export type SubmitTxResult = {
  /** settlementTxHash of the submitted bytes (hex in the API). */
  hash: Uint8Array;
  accepted: boolean;
  /** Why it was refused: a ledger status code (ledger/codes.ts) or a mempool code (MempoolRefusal). */
  code?: number;
  message?: string;
};

/**
 * Refusals that are not ledger status codes. Numbers start at 1000 so they
 * never collide with LedgerStatus.
 */
export const MempoolRefusal = {
  /** Not the canonical encoding of a settlement transaction. */
  Malformed: 1000,
  /** The same transaction hash is already in the mempool or committed. */
  Duplicate: 1001,
  /** The mempool is at capacity. */
  Full: 1002,
  /** The sender's nonce is already used by a pending or committed transaction. */
  NonceReplayed: 1003,
} as const;
export type MempoolRefusal = (typeof MempoolRefusal)[keyof typeof MempoolRefusal];

/** A committed block as the API shows it. */
export type BlockView = {
  height: bigint;
  /** Block id: the consensus value id the certificate's precommits name (valueIdOf(encoded)). */
  hash: Uint8Array;
  /**
   * The block's canonical bytes as consensus decided them
   * (settlement-node/node/block.ts encodeBlock): the value whose valueIdOf is
   * `hash`, so a light client recomputes the hash and every field below.
   */
  encoded: Uint8Array;
  /** Hash of the block at height − 1 (32 zero bytes for height 1). */
  lastBlockHash: Uint8Array;
  timeMs: bigint;
  /** Public key of the proposer. */
  proposer: Uint8Array;
  /** The ledger state root after applying this block. */
  appHash: Uint8Array;
  /** Canonical settlement transaction bytes, in block order. */
  txs: readonly Uint8Array[];
  /** One per tx, same order, when the node kept them (it may drop them for old blocks). */
  receipts?: readonly LedgerReceipt[];
  /** The precommits that committed this block. */
  certificate: CommitCertificate;
};

/** Committed ledger state at one height, read through settlement-node/ledger/records.ts (Books, ledgerKeys). */
export type LedgerSnapshot = {
  /** The height this state is the result of: the last committed block. */
  height: bigint;
  state: StateReader;
};

/**
 * The newest ledger state a node can prove to a light client: the state
 * after block `height` (H), whose root is the `appHashPrev` of the certified
 * block H + 1. A client that verifies H + 1's certificate over the hash of
 * `block` and an SMT proof against its appHashPrev trusts no node.
 */
export type ProvableState = {
  /** H: the proven state is the ledger after this block (0 = genesis). */
  height: bigint;
  /** Canonical bytes of block H + 1 as consensus decided it (settlement-node/node/block.ts). */
  block: Uint8Array;
  /** H + 1's commit certificate; its valueId is the hash of `block`. */
  certificate: CommitCertificate;
  /** The state root after H (= block H + 1's appHashPrev). */
  root: Uint8Array;
  state: StateReader;
  /** SMT inclusion (or exclusion) proof of `key` against `root`. */
  prove(key: StateKey): SmtProof;
};

export interface SettlementBackend {
  status(): NodeStatus;
  /**
   * Checks `txBytes` (decode, signature, chain id, nonce, fee) and puts it in
   * the mempool. A refusal is a result, not an exception; throw only when the
   * node itself is broken.
   */
  submitTx(txBytes: Uint8Array): Promise<SubmitTxResult>;
  /** Height of the last committed block (0 before the first). */
  latestHeight(): bigint;
  /** The committed block at `height`, or undefined if unknown (future or pruned). */
  block(height: bigint): BlockView | undefined;
  /**
   * The ledger state at the latest committed height. The reader must stay
   * consistent while one request uses it (a snapshot or the tree at a root).
   */
  ledger(): LedgerSnapshot;
  /**
   * The newest state with a certified next block: the state after
   * latestHeight() − 1, proven by the latest block. Undefined before the
   * first block. Synchronous, so one request sees one consistent state.
   */
  provableState(): ProvableState | undefined;
  /**
   * Where a transaction of a recent block landed (recent-txs.ts), waiting up
   * to `timeoutMs` for it to commit; undefined if it has not (yet). Throws
   * TxWaitersFullError when too many requests already wait.
   */
  waitForTx(hash: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<TxInclusion | undefined>;
  /** True while the transaction waits in this node's mempool. */
  txPending(hash: Uint8Array): boolean;
}
