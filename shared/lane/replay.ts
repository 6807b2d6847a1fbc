/**
 * The watcher's verifier (DESIGN.md, "Fraud proofs and escape hatches"):
 * replays a lane's checkpoints, in index order from its genesis, with the
 * same state transition function the Sequencer ran (shared/stf
 * executeBlock over the SMT, signatures judged by verifyTxs), and says
 * whether each checkpoint's claimed root is the one its batch data gives.
 *
 * Outcomes:
 *   verified  the batch links to the last verified root and yields newRoot;
 *   mismatch  it links and executes, but yields another root: a fraud, what
 *             a fraud proof will challenge;
 *   invalid   it cannot be judged as a state transition from the verified
 *             root (out of order, prevRoot does not link, batch hash or STF
 *             version differs, batch data does not decode, a block header
 *             does not follow, or a transaction the lane had no right to
 *             include fails its signature check), or it yields newRoot but
 *             claims another withdrawalCount than the lane record there.
 *
 * Settlement holds one claimed root per checkpoint, the root after its last
 * block, so a mismatch is reported at that block's height: no earlier root
 * is claimed there to compare with.
 *
 * Pure: no clocks or I/O; signature checks go through `verifyMany` (async,
 * WebCrypto by default). The tree's new nodes are staged and kept only when a
 * checkpoint verifies, so after a mismatch or an invalid checkpoint the
 * replayer is still at the last verified root.
 */
import { equalBytes } from "../bytes.ts";
import { CodecError } from "../codec/index.ts";
import { MemoryNodeStore, type NodeStore } from "../smt/store.ts";
import { SparseMerkleTree } from "../smt/tree.ts";
import { executeBlock } from "../stf/block.ts";
import { StfBlockError } from "../stf/errors.ts";
import type { Genesis } from "../stf/genesis.ts";
import { keys, withdrawalCountOf } from "../stf/records.ts";
import { STF_VERSION } from "../stf/limits.ts";
import { batchHashOf } from "../../settlement-node/ledger/tx.ts";
import { decodeBatchData, type LaneBlock } from "./batch.ts";
import { LaneReplayStateError } from "./errors.ts";
import {
  knownOf,
  LaneExecutor,
  type LaneHead,
  type VerifiedTx,
  type VerifyMany,
  verifyTxs,
} from "./executor.ts";
import { StagingNodeStore } from "./staging-store.ts";

/** A checkpoint as settlement accepted it (settlement-node/ledger/tx.ts postCheckpoint), plus its batch data. */
export type CheckpointToReplay = {
  index: bigint;
  prevRoot: Uint8Array;
  newRoot: Uint8Array;
  batchData: Uint8Array;
  /** Checked against batchData when given (settlement stores the data apart from the record). */
  batchHash?: Uint8Array;
  /** Checked against this STF's version when given: another version's rules cannot be judged here. */
  stfVersion?: number;
  /**
   * The forced transactions (settlement's forceLaneTx queue) this checkpoint
   * consumes, in queue order: from the previous checkpoint's forcedCursor to
   * this one's. They are recognised in the blocks as settlement's checkInbox
   * does, and may fail their checks and still be included.
   */
  forced?: readonly Uint8Array[];
  /**
   * Checked when given: the lane record's withdrawalCount at newRoot.
   * Settlement cannot check it (it would have to execute the batch), and a
   * claim that differs from what the batch gives is as false as a wrong root.
   */
  withdrawalCount?: bigint;
};

export type ReplayVerified = {
  status: "verified";
  index: bigint;
  /** Heights of the batch's blocks; for an empty batch both are the lane's height. */
  firstHeight: bigint;
  lastHeight: bigint;
  root: Uint8Array;
};

export type ReplayMismatch = {
  status: "mismatch";
  index: bigint;
  /** The first height whose claimed root differs from the replay's: the batch's last block. */
  height: bigint;
  claimedRoot: Uint8Array;
  computedRoot: Uint8Array;
};

export type ReplayInvalidReason =
  | "out_of_order"
  | "prev_root"
  | "batch_hash"
  | "stf_version"
  | "batch_malformed"
  | "block"
  | "tx_signature"
  | "withdrawal_count";

export type ReplayInvalid = {
  status: "invalid";
  index: bigint;
  reason: ReplayInvalidReason;
  message: string;
  /** The block at fault, for "block" and "tx_signature". */
  height?: bigint;
  /** The transaction at fault (its index in the block's txs), for "tx_signature". */
  txIndex?: number;
};

export type ReplayOutcome = ReplayVerified | ReplayMismatch | ReplayInvalid;

/** Where a replayer stands after its last verified checkpoint: enough to resume there. */
export type ReplayerPosition = {
  root: Uint8Array;
  /** The tree version at root. */
  version: number;
  /** The lane height at root. */
  height: bigint;
  /** The next checkpoint index to replay. */
  nextIndex: bigint;
};

export type LaneReplayerOptions = {
  genesis: Genesis;
  /** Where tree nodes live; memory by default. */
  store?: NodeStore;
  verifyMany?: VerifyMany;
  /**
   * The head LaneExecutor.writeGenesis(store, genesis) returned, when the
   * caller already wrote the genesis tree into `store`: it is not built again.
   */
  genesisHead?: LaneHead;
  /**
   * Resume after a verified checkpoint instead of at genesis (a restarted
   * watcher, settlement-node/watcher/progress-file.ts): `store` must hold
   * the tree at that root.
   */
  resume?: ReplayerPosition;
};

export class LaneReplayer {
  readonly #staging: StagingNodeStore;
  readonly #verifyMany: VerifyMany | undefined;
  #root: Uint8Array;
  #version: number;
  #height = 0n;
  #nextIndex = 0n;
  #busy = false;

  constructor(options: LaneReplayerOptions) {
    const store = options.store ?? new MemoryNodeStore();
    const head = options.genesisHead ?? LaneExecutor.writeGenesis(store, options.genesis);
    this.#staging = new StagingNodeStore(store);
    this.#verifyMany = options.verifyMany;
    this.#root = head.root;
    this.#version = head.treeVersion;
    if (options.resume) {
      this.#root = options.resume.root.slice();
      this.#version = options.resume.version;
      this.#height = options.resume.height;
      this.#nextIndex = options.resume.nextIndex;
    }
  }

  /** Where the replayer stands: pass it as `resume` to continue from here. */
  get position(): ReplayerPosition {
    return { root: this.root, version: this.#version, height: this.#height, nextIndex: this.#nextIndex };
  }

  /** The last verified root (the genesis root before any checkpoint). */
  get root(): Uint8Array {
    return this.#root.slice();
  }
  /** The lane height at the last verified root. */
  get height(): bigint {
    return this.#height;
  }
  /** The checkpoint index replay() expects next: how many have verified. */
  get nextIndex(): bigint {
    return this.#nextIndex;
  }

  /** Replays the next checkpoint; only a verified one moves the replayer forward. */
  async replay(checkpoint: CheckpointToReplay): Promise<ReplayOutcome> {
    if (this.#busy)
      throw new LaneReplayStateError("replay() while another replay is running: await it first.");
    this.#busy = true;
    try {
      return await this.#replay(checkpoint);
    } finally {
      this.#staging.discard();
      this.#busy = false;
    }
  }

  async #replay(cp: CheckpointToReplay): Promise<ReplayOutcome> {
    const { index } = cp;
    const invalid = (
      reason: ReplayInvalidReason,
      message: string,
      at: Pick<ReplayInvalid, "height" | "txIndex"> = {},
    ) => ({ status: "invalid", index, reason, message, ...at }) satisfies ReplayInvalid;
    if (index !== this.#nextIndex)
      return invalid("out_of_order", `Expected checkpoint ${this.#nextIndex}, got ${index}.`);
    if (!equalBytes(cp.prevRoot, this.#root))
      return invalid("prev_root", "prevRoot is not the root the previous checkpoint verified to.");
    if (cp.stfVersion !== undefined && cp.stfVersion !== STF_VERSION)
      return invalid(
        "stf_version",
        `Checkpoint is for STF version ${cp.stfVersion}; this replays ${STF_VERSION}.`,
      );
    if (cp.batchHash !== undefined && !equalBytes(cp.batchHash, batchHashOf(cp.batchData)))
      return invalid("batch_hash", "batchHash is not the hash of the batch data.");
    let blocks: LaneBlock[];
    try {
      blocks = decodeBatchData(cp.batchData);
    } catch (error) {
      if (error instanceof CodecError) return invalid("batch_malformed", error.shortMessage);
      throw error;
    }

    // One verifyMany call for the whole batch, as the Sequencer verifies a step.
    const verified = await verifyTxs(
      blocks.flatMap((b) => b.txs),
      this.#verifyMany,
    );
    const forced = forcedPositions(blocks, cp.forced ?? []);
    const perBlock: VerifiedTx[][] = [];
    let at = 0;
    for (const [b, block] of blocks.entries()) {
      const txs = verified.slice(at, at + block.txs.length);
      at += block.txs.length;
      const bad = txs.findIndex((t, i) => !t.sigValid && !forced[b]!.has(i));
      if (bad >= 0)
        return invalid(
          "tx_signature",
          txs[bad]!.decoded === null
            ? "A transaction does not decode; only forced transactions may be included that way."
            : "A transaction's signatures do not verify; only forced transactions may be included that way.",
          { height: block.header.height, txIndex: bad },
        );
      perBlock.push(txs);
    }

    const tree = new SparseMerkleTree(this.#staging, { root: this.#root, version: this.#version });
    for (const [b, block] of blocks.entries()) {
      const txs = perBlock[b]!;
      try {
        const result = executeBlock(
          tree,
          block,
          txs.map((t) => t.sigValid),
          txs.map(knownOf),
        );
        tree.update(result.writes);
      } catch (error) {
        if (error instanceof StfBlockError)
          return invalid("block", error.shortMessage, { height: block.header.height });
        throw error;
      }
    }

    const lastHeight = blocks.at(-1)?.header.height ?? this.#height;
    if (!equalBytes(tree.root, cp.newRoot))
      return {
        status: "mismatch",
        index,
        height: lastHeight,
        claimedRoot: cp.newRoot.slice(),
        computedRoot: tree.root,
      };
    if (cp.withdrawalCount !== undefined) {
      const count = withdrawalCountOf(tree.get(keys.lane()));
      if (count !== cp.withdrawalCount)
        return invalid(
          "withdrawal_count",
          `Checkpoint claims withdrawalCount ${cp.withdrawalCount}; the lane record at newRoot has ${count}.`,
          { height: lastHeight },
        );
    }
    this.#staging.flush();
    const firstHeight = blocks[0]?.header.height ?? this.#height;
    this.#root = tree.root;
    this.#version = tree.version;
    this.#height = lastHeight;
    this.#nextIndex = index + 1n;
    return { status: "verified", index, firstHeight, lastHeight, root: tree.root };
  }
}

/**
 * Which transactions of each block are the forced ones, found as
 * settlement's checkInbox (settlement-node/ledger/inbox.ts) walks them: each
 * block's leading transactions that equal the next expected forced one.
 */
function forcedPositions(blocks: readonly LaneBlock[], forced: readonly Uint8Array[]): Set<number>[] {
  let next = 0;
  return blocks.map((block) => {
    const positions = new Set<number>();
    for (const [i, tx] of block.txs.entries()) {
      if (next >= forced.length || !equalBytes(tx, forced[next]!)) break;
      positions.add(i);
      next++;
    }
    return positions;
  });
}
