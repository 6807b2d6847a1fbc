/**
 * The lane executor: one step turns a batch of signed transactions into
 * sealed blocks, a new state root and chained, signed receipts.
 *
 *   verify  (async: one verifyMany call for every signature in the batch)
 *   execute (sync: shared/stf executeBlock over the SMT, new nodes staged)
 *   sign    (async: the sequencer signs each receipt)
 *   commit  (sync: staged nodes go to the durable store) or abort
 *
 * Only Ok transactions enter a block (forced transactions from settlement
 * excepted: they go in an inbox block of their own whatever their status,
 * see LaneInbox): a rejected one changes nothing in the STF, so re-executing the block without it gives the same outcome for the
 * rest, and the sequencer never signs a receipt for a rejected transaction.
 * One executor must run one step at a time (the Sequencer serializes them).
 */
import { CodecError, decode } from "../codec/index.ts";
import { verifyMany as defaultVerifyMany, type SignedItem } from "../crypto/verifier.ts";
import type { NodeStore } from "../smt/store.ts";
import { SparseMerkleTree } from "../smt/tree.ts";
import { type Block, type BlockResult, executeBlock } from "../stf/block.ts";
import { TxStatus, txStatusName } from "../stf/codes.ts";
import type { DecodedTx } from "../stf/execute.ts";
import { type Genesis, genesisWrites } from "../stf/genesis.ts";
import { DEPOSITS_PER_BLOCK_MAX, TX_BYTES_MAX } from "../stf/limits.ts";
import { readHintsOf } from "../stf/read-hints.ts";
import { keys, type LaneRecord, laneRecordCodec } from "../stf/records.ts";
import {
  type BlockHeader,
  type Deposit,
  decodeSignedTx,
  requiredSigners,
  type SignedTx,
  txHash,
  txSignBytesFromWire,
} from "../stf/tx.ts";
import { encodeBlock } from "./batch.ts";
import { LaneExecutorStateError } from "./errors.ts";
import {
  GENESIS_RECEIPT_HASH,
  type LaneReceipt,
  receiptHash,
  receiptSignBytes,
  type SignedLaneReceipt,
} from "./receipt.ts";
import type { Signer } from "./signer.ts";
import { StagingNodeStore } from "./staging-store.ts";

export type VerifyMany = (items: readonly SignedItem[]) => Promise<boolean[]>;

/**
 * A transaction after the signature check, ready for execute(). `decoded`
 * (set by verify(): the decoding, or null if the bytes did not decode) lets
 * execute() skip decoding and hashing the bytes again.
 */
export type VerifiedTx = {
  bytes: Uint8Array;
  hash: Uint8Array;
  sigValid: boolean;
  decoded?: SignedTx | null;
};

export type IncludedTx = { inputIndex: number; receipt: LaneReceipt };
export type RejectedTx = { inputIndex: number; txHash: Uint8Array; status: number; reason: string };

/**
 * What settlement asks the lane to apply (settlement-node/ledger/inbox.ts):
 * deposits to its escrow and forced transactions, each in settlement order.
 * They go into a block of their own ahead of the step's transactions, and a
 * forced transaction stays in it whatever its status: included with its
 * rejection code is still included.
 */
export type LaneInbox = { deposits: readonly Deposit[]; forced: readonly VerifiedTx[] };

/** How much of the inbox the step took (a prefix of each list), and the forced transactions' receipts. */
export type InboxOutcome = { deposits: number; forced: number; forcedReceipts: LaneReceipt[] };

/** Forced transactions per inbox block: they may not fit the gas limit together, and a later block takes the rest. */
export const FORCED_PER_BLOCK_MAX = 16;

export type SealedBlock = {
  block: Block;
  /** Canonical bytes (shared/lane batch.ts laneBlockCodec): what a checkpoint carries. */
  encoded: Uint8Array;
  result: BlockResult;
  prevRoot: Uint8Array;
  stateRoot: Uint8Array;
  /** The tree version after this block (one update per block). */
  treeVersion: number;
  lastReceiptHash: Uint8Array;
};

export type LaneStep = {
  blocks: SealedBlock[];
  inbox: InboxOutcome;
  included: IncludedTx[];
  rejected: RejectedTx[];
  prevRoot: Uint8Array;
  stateRoot: Uint8Array;
  lastReceiptHash: Uint8Array;
};

export type LaneHead = { root: Uint8Array; treeVersion: number; lastReceiptHash: Uint8Array };

export type LaneExecutorOptions = {
  /** Where tree nodes live (SQLite in the Sequencer, memory in tests). */
  store: NodeStore;
  head: LaneHead;
  signer: Signer;
  /** Block size bound (count); a larger step seals several blocks. */
  blockTxsMax?: number;
  /** Block size bound (sum of tx bytes), so one block always fits in a checkpoint. */
  blockTxBytesMax?: number;
  verifyMany?: VerifyMany;
};

export const BLOCK_TXS_MAX_DEFAULT = 256;
export const BLOCK_TX_BYTES_MAX_DEFAULT = 64 * 1024;

export class LaneExecutor {
  readonly signer: Signer;
  readonly blockTxsMax: number;
  readonly blockTxBytesMax: number;
  readonly #staging: StagingNodeStore;
  readonly #verifyMany: VerifyMany;
  #tree: SparseMerkleTree;
  #head: LaneHead;
  #pending: LaneStep | null = null;

  constructor(options: LaneExecutorOptions) {
    this.signer = options.signer;
    this.blockTxsMax = options.blockTxsMax ?? BLOCK_TXS_MAX_DEFAULT;
    this.blockTxBytesMax = options.blockTxBytesMax ?? BLOCK_TX_BYTES_MAX_DEFAULT;
    this.#verifyMany = options.verifyMany ?? defaultVerifyMany;
    this.#staging = new StagingNodeStore(options.store);
    this.#head = copyHead(options.head);
    this.#tree = this.#treeAt(this.#head);
  }

  /** Writes a lane's genesis into `store` and returns its head (root, version 1, no receipts yet). */
  static writeGenesis(store: NodeStore, genesis: Genesis): LaneHead {
    const tree = new SparseMerkleTree(store);
    const root = tree.update(genesisWrites(genesis));
    return { root, treeVersion: tree.version, lastReceiptHash: GENESIS_RECEIPT_HASH.slice() };
  }

  /** The committed head (pending steps excluded). */
  get head(): LaneHead {
    return copyHead(this.#head);
  }
  /** The state tree at the latest executed (possibly uncommitted) step: reads, proofs. */
  get tree(): SparseMerkleTree {
    return this.#tree;
  }
  get lane(): LaneRecord {
    const raw = this.#tree.get(keys.lane());
    if (raw === undefined)
      throw new LaneExecutorStateError("Lane state has no lane record: genesis missing.");
    return decode(laneRecordCodec, raw);
  }

  /**
   * Decodes each transaction and checks every required signature in one
   * verifyMany call. `prepared` (prepareTx of each transaction, in order),
   * when the caller already has it (the Sequencer reads idempotency keys and
   * hashes before), saves hashing and decoding again.
   */
  async verify(txs: readonly Uint8Array[], prepared?: readonly PreparedTx[]): Promise<VerifiedTx[]> {
    return await verifyTxs(txs, this.#verifyMany, prepared);
  }

  /**
   * Executes verified transactions into as many blocks as the size bounds
   * need, at time `nowMs` (clamped to the lane's last block time, which the
   * STF requires to be monotonic). Synchronous; the result stays pending
   * until commit() or abort().
   */
  execute(txs: readonly VerifiedTx[], nowMs: bigint, inbox?: LaneInbox): LaneStep {
    if (this.#pending)
      throw new LaneExecutorStateError("execute() while a step is pending: commit or abort it first.");
    const prevRoot = this.#tree.root;
    const step: LaneStep = {
      blocks: [],
      inbox: { deposits: 0, forced: 0, forcedReceipts: [] },
      included: [],
      rejected: [],
      prevRoot,
      stateRoot: prevRoot,
      lastReceiptHash: this.#head.lastReceiptHash.slice(),
    };
    this.#pending = step;
    try {
      if (inbox && (inbox.deposits.length > 0 || inbox.forced.length > 0))
        this.#executeInbox(step, inbox, nowMs);
      this.#executeInto(step, txs, nowMs);
    } catch (error) {
      this.abort();
      throw error;
    }
    return step;
  }

  /** One block of deposits and forced transactions, every one kept whatever its status. */
  #executeInbox(step: LaneStep, inbox: LaneInbox, nowMs: bigint): void {
    const deposits = inbox.deposits.slice(0, DEPOSITS_PER_BLOCK_MAX);
    const forced = inbox.forced.slice(0, FORCED_PER_BLOCK_MAX);
    const header = this.#nextHeader(nowMs);
    const block: Block = { header, deposits, txs: forced.map((t) => t.bytes) };
    const result = executeBlock(
      this.#tree,
      block,
      forced.map((t) => t.sigValid),
    );
    const blockPrevRoot = this.#tree.root;
    const stateRoot = this.#tree.update(result.writes);
    forced.forEach((t, index) => {
      const receipt: LaneReceipt = {
        chainId: header.chainId,
        lane: header.lane,
        height: header.height,
        index,
        txHash: t.hash,
        prevReceiptHash: step.lastReceiptHash,
        stateRoot,
        // Deposits' receipts come first in the STF's list.
        status: result.receipts[deposits.length + index]!.status,
      };
      step.lastReceiptHash = receiptHash(receipt);
      step.inbox.forcedReceipts.push(receipt);
    });
    step.inbox.deposits = deposits.length;
    step.inbox.forced = forced.length;
    step.blocks.push({
      block,
      encoded: encodeBlock(block),
      result,
      prevRoot: blockPrevRoot,
      stateRoot,
      treeVersion: this.#tree.version,
      lastReceiptHash: step.lastReceiptHash,
    });
    step.stateRoot = stateRoot;
  }

  #executeInto(step: LaneStep, txs: readonly VerifiedTx[], nowMs: bigint): void {
    this.#tree.prefetch(txs.flatMap((tx) => (tx.decoded && tx.sigValid ? readHintsOf(tx.decoded.body) : [])));
    let queue = txs.map((tx, inputIndex) => ({ tx, inputIndex }));
    while (queue.length > 0) {
      const { take, rest } = this.#fill(queue);
      const header = this.#nextHeader(nowMs);
      const deferred: typeof queue = [];
      const first = this.#run(header, take);
      const ok: typeof queue = [];
      first.receipts.forEach((r, k) => {
        const entry = take[k]!;
        if (r.status === TxStatus.Ok) ok.push(entry);
        else if (r.status === TxStatus.BlockGasLimitReached) deferred.push(entry);
        else step.rejected.push(reject(entry.inputIndex, entry.tx.hash, r.status));
      });
      if (ok.length === 0) {
        // Nothing fits even alone in an empty block: these can never be included.
        for (const e of deferred)
          step.rejected.push(reject(e.inputIndex, e.tx.hash, TxStatus.BlockGasLimitReached));
        queue = rest;
        continue;
      }
      const result = ok.length === take.length ? first : this.#run(header, ok);
      if (result.receipts.some((r) => r.status !== TxStatus.Ok))
        throw new LaneExecutorStateError("BUG: re-executing a block's accepted transactions rejected one.");
      const blockPrevRoot = this.#tree.root;
      const stateRoot = this.#tree.update(result.writes);
      const block: Block = { header, deposits: [], txs: ok.map((e) => e.tx.bytes) };
      ok.forEach((e, index) => {
        const receipt: LaneReceipt = {
          chainId: header.chainId,
          lane: header.lane,
          height: header.height,
          index,
          txHash: e.tx.hash,
          prevReceiptHash: step.lastReceiptHash,
          stateRoot,
          status: TxStatus.Ok,
        };
        step.lastReceiptHash = receiptHash(receipt);
        step.included.push({ inputIndex: e.inputIndex, receipt });
      });
      step.blocks.push({
        block,
        encoded: encodeBlock(block),
        result,
        prevRoot: blockPrevRoot,
        stateRoot,
        treeVersion: this.#tree.version,
        lastReceiptHash: step.lastReceiptHash,
      });
      step.stateRoot = stateRoot;
      queue = [...deferred, ...rest];
    }
    step.included.sort((a, b) => a.inputIndex - b.inputIndex);
    step.rejected.sort((a, b) => a.inputIndex - b.inputIndex);
  }

  /** The sequencer's signatures over the step's receipts, in step.included order. */
  async sign(step: LaneStep): Promise<SignedLaneReceipt[]> {
    const signatures = await this.signer.signMany(step.included.map((t) => receiptSignBytes(t.receipt)));
    return step.included.map((t, k) => ({ receipt: t.receipt, signature: signatures[k]! }));
  }

  /** The sequencer's signatures over the step's forced-transaction receipts, in inbox order. */
  async signInbox(step: LaneStep): Promise<SignedLaneReceipt[]> {
    const receipts = step.inbox.forcedReceipts;
    if (receipts.length === 0) return [];
    const signatures = await this.signer.signMany(receipts.map((r) => receiptSignBytes(r)));
    return receipts.map((receipt, k) => ({ receipt, signature: signatures[k]! }));
  }

  /** Makes the pending step the head and writes its tree nodes to the store (synchronous). */
  commit(): void {
    const step = this.#requirePending();
    this.#staging.flush();
    this.#head = {
      root: step.stateRoot,
      treeVersion: this.#tree.version,
      lastReceiptHash: step.lastReceiptHash,
    };
    this.#pending = null;
  }

  /** Drops the pending step: the tree is back at the committed head. */
  abort(): void {
    this.#staging.discard();
    this.#tree = this.#treeAt(this.#head);
    this.#pending = null;
  }

  /** verify + execute + sign, leaving the step pending (tests, benchmarks, the Sequencer's pump). */
  async process(
    txs: readonly Uint8Array[],
    nowMs: bigint,
  ): Promise<{ step: LaneStep; receipts: SignedLaneReceipt[] }> {
    const verified = await this.verify(txs);
    const step = this.execute(verified, nowMs);
    try {
      return { step, receipts: await this.sign(step) };
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  #requirePending(): LaneStep {
    if (!this.#pending) throw new LaneExecutorStateError("No pending step to commit.");
    return this.#pending;
  }

  #treeAt(head: LaneHead): SparseMerkleTree {
    return new SparseMerkleTree(this.#staging, { root: head.root, version: head.treeVersion });
  }

  #nextHeader(nowMs: bigint): BlockHeader {
    const lane = this.lane;
    return {
      chainId: lane.chainId,
      lane: lane.lane,
      height: lane.height + 1n,
      timestampMs: nowMs > lane.timestampMs ? nowMs : lane.timestampMs,
      sequencer: this.signer.publicKey,
      baseFeePerGas: lane.baseFeePerGas,
    };
  }

  #run(header: BlockHeader, entries: readonly { tx: VerifiedTx }[]): BlockResult {
    return executeBlock(
      this.#tree,
      { header, deposits: [], txs: entries.map((e) => e.tx.bytes) },
      entries.map((e) => e.tx.sigValid),
      entries.map(({ tx }) => knownOf(tx)),
    );
  }

  #fill<T extends { tx: VerifiedTx }>(queue: readonly T[]): { take: T[]; rest: T[] } {
    let bytes = 0;
    let count = 0;
    while (count < queue.length && count < this.blockTxsMax) {
      const size = queue[count]!.tx.bytes.length;
      if (count > 0 && bytes + size > this.blockTxBytesMax) break;
      bytes += size;
      count++;
    }
    return { take: queue.slice(0, count), rest: queue.slice(count) };
  }
}

/**
 * A transaction's hash and decoding, made once: `decoded` is null when the
 * bytes are not a canonical SignedTx, undefined when they were not decoded
 * (over TX_BYTES_MAX, or an unexpected error: executeBlock then judges them).
 */
export type PreparedTx = { hash: Uint8Array; decoded: SignedTx | null | undefined };

export function prepareTx(bytes: Uint8Array): PreparedTx {
  const hash = txHash(bytes);
  if (bytes.length > TX_BYTES_MAX) return { hash, decoded: undefined };
  try {
    return { hash, decoded: decodeSignedTx(bytes) };
  } catch (error) {
    return { hash, decoded: error instanceof CodecError ? null : undefined };
  }
}

/**
 * Decodes each transaction and checks every required signature in one
 * verifyMany call: LaneExecutor.verify, and the watcher's replay of sealed
 * blocks (replay.ts), so both judge a signature by the same rule.
 */
export async function verifyTxs(
  txs: readonly Uint8Array[],
  verifyMany: VerifyMany = defaultVerifyMany,
  prepared?: readonly PreparedTx[],
): Promise<VerifiedTx[]> {
  if (prepared !== undefined && prepared.length !== txs.length)
    throw new RangeError(`verifyTxs: ${prepared.length} prepared entries for ${txs.length} transactions.`);
  const items: SignedItem[] = [];
  const owners: number[] = [];
  const verified: VerifiedTx[] = txs.map((bytes, i) => {
    const { hash, decoded } = prepared?.[i] ?? prepareTx(bytes);
    const entry: VerifiedTx = { bytes, hash, sigValid: false };
    if (decoded !== undefined) entry.decoded = decoded;
    if (!decoded) return entry; // Malformed: executeBlock reports it as TxStatus.Malformed.
    try {
      const { body, signatures } = decoded;
      const signers = requiredSigners(body);
      if (signers.length !== signatures.length) return entry;
      const message = txSignBytesFromWire(bytes, decoded);
      signers.forEach((publicKey, s) => {
        items.push({ publicKey, message, signature: signatures[s]! });
        owners.push(i);
      });
      entry.sigValid = true;
    } catch {
      // Malformed: executeBlock reports it as TxStatus.Malformed.
    }
    return entry;
  });
  const results = await verifyMany(items);
  results.forEach((ok, k) => {
    if (!ok) verified[owners[k]!]!.sigValid = false;
  });
  return verified;
}

/** executeBlock's `known` entry for a verified transaction: its hash and decoding, when verify() made them. */
export function knownOf(tx: VerifiedTx): DecodedTx | undefined {
  return tx.decoded === undefined ? undefined : (tx as DecodedTx);
}

function reject(inputIndex: number, hash: Uint8Array, status: number): RejectedTx {
  return { inputIndex, txHash: hash, status, reason: txStatusName(status) };
}

function copyHead(h: LaneHead): LaneHead {
  return { root: h.root.slice(), treeVersion: h.treeVersion, lastReceiptHash: h.lastReceiptHash.slice() };
}
