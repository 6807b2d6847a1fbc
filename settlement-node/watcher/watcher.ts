/**
 * The watcher (DESIGN.md, "Fraud proofs and escape hatches"): polls
 * settlement for each watched lane's checkpoints and replays every new one
 * from the lane's genesis with shared/lane LaneReplayer, in index order.
 *
 * With `progressDir`, each lane's tree and position are kept on disk after
 * every verified checkpoint (progress-file.ts) and a restart resumes there;
 * without it they live in memory and a restart replays from genesis.
 *
 * A lane whose checkpoint does not verify is halted there: later
 * checkpoints build on a root the watcher cannot reproduce, so there is
 * nothing more to replay until settlement rejects the bad checkpoint (a
 * fraud proof's effect) and the lane resumes from its last valid root.
 */
import type { Logger } from "pino";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { LaneReplayer, type ReplayInvalid, type ReplayMismatch } from "../../shared/lane/replay.ts";
import { LaneExecutor, type VerifyMany } from "../../shared/lane/executor.ts";
import { MemoryNodeStore } from "../../shared/smt/store.ts";
import type { Genesis } from "../../shared/stf/genesis.ts";
import { SettlementNotFoundError } from "./errors.ts";
import { LaneProgressFile } from "./progress-file.ts";
import type { CheckpointJson, SettlementClient } from "./settlement-client.ts";

export type WatchedLane = { lane: number; genesis: Genesis };

export type WatcherOptions = {
  client: SettlementClient;
  lanes: readonly WatchedLane[];
  logger: Logger;
  /** Pause between the end of one poll and the next. */
  pollMs?: number;
  /** Checkpoints fetched per page. */
  pageSize?: number;
  verifyMany?: VerifyMany;
  /** Keep each lane's progress here and resume from it (progress-file.ts); in memory only when absent. */
  progressDir?: string;
};

export type Mismatch = Omit<ReplayMismatch, "status"> & { detectedAtMs: number };
export type InvalidCheckpoint = Omit<ReplayInvalid, "status"> & { detectedAtMs: number };

export type LaneWatchStatus = "waiting" | "watching" | "halted";

/** What /v1/status shows for one lane. */
export type LaneWatch = {
  lane: number;
  /** waiting: the lane is not on settlement yet; halted: see `halt`. */
  status: LaneWatchStatus;
  genesisRoot: Uint8Array;
  /** Checkpoints verified (so also the next index to replay). */
  verified: bigint;
  lastVerified: { index: bigint; root: Uint8Array; height: bigint } | null;
  /** The lane's checkpoint count on settlement at the last poll; null before it was seen. */
  settlementCheckpoints: bigint | null;
  mismatches: Mismatch[];
  invalid: InvalidCheckpoint[];
  halt: { reason: "mismatch" | "invalid" | "genesis_mismatch"; message: string } | null;
  lastError: string | null;
  lastPollAtMs: number | null;
};

type LaneState = LaneWatch & {
  replayer: LaneReplayer;
  forcedCursor: bigint;
  progress: LaneProgressFile | null;
};

export class Watcher {
  readonly client: SettlementClient;
  readonly #logger: Logger;
  readonly #pollMs: number;
  readonly #pageSize: number;
  readonly #lanes: LaneState[];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #polling: Promise<void> | null = null;
  #stopped = false;
  pollErrors = 0;

  constructor(options: WatcherOptions) {
    this.client = options.client;
    this.#logger = options.logger;
    this.#pollMs = options.pollMs ?? 500;
    this.#pageSize = options.pageSize ?? 20;
    this.#lanes = options.lanes.map(({ lane, genesis }) => {
      // The genesis tree is built once, at every start (it is not progress); the progress file's
      // nodes go on top of it.
      const store = new MemoryNodeStore();
      const genesisHead = LaneExecutor.writeGenesis(store, genesis);
      const genesisRoot = genesisHead.root.slice();
      const progress =
        options.progressDir === undefined
          ? null
          : LaneProgressFile.open(options.progressDir, lane, genesisRoot, store);
      const restored = progress?.restored ?? null;
      const replayer = new LaneReplayer({
        genesis,
        genesisHead,
        verifyMany: options.verifyMany,
        store: progress ? progress.store : store,
        ...(restored ? { resume: restored } : {}),
      });
      if (progress && progress.recordsRead > 0)
        this.#logger.info(
          {
            lane,
            checkpointsVerified: String(replayer.nextIndex),
            tornTailDropped: progress.tornTail,
          },
          "watcher: resumed from its progress file",
        );
      return {
        lane,
        status: "waiting",
        genesisRoot,
        verified: replayer.nextIndex,
        lastVerified:
          restored && restored.nextIndex > 0n
            ? { index: restored.nextIndex - 1n, root: restored.root, height: restored.height }
            : null,
        settlementCheckpoints: null,
        mismatches: [],
        invalid: [],
        halt: null,
        lastError: null,
        lastPollAtMs: null,
        replayer,
        forcedCursor: restored?.forcedCursor ?? 0n,
        progress,
      };
    });
  }

  /** A snapshot of every watched lane, in the order given. */
  lanes(): LaneWatch[] {
    return this.#lanes.map(({ replayer: _r, forcedCursor: _f, progress: _p, ...view }) => ({
      ...view,
      mismatches: [...view.mismatches],
      invalid: [...view.invalid],
    }));
  }

  /** Polls now and then every pollMs until stop(). */
  start(): void {
    const loop = () => {
      if (this.#stopped) return;
      this.#polling = this.pollOnce().finally(() => {
        this.#polling = null;
        if (!this.#stopped) this.#timer = setTimeout(loop, this.#pollMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#polling;
    for (const lane of this.#lanes) lane.progress?.close();
  }

  /** One pass over every lane: replays whatever settlement has that this watcher has not verified. */
  async pollOnce(): Promise<void> {
    for (const lane of this.#lanes) {
      if (this.#stopped) return;
      try {
        await this.#pollLane(lane);
        lane.lastError = null;
      } catch (error) {
        this.pollErrors++;
        const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
        // Once per distinct problem: a validator down for a minute is one line, not 120.
        if (message !== lane.lastError)
          this.#logger.warn({ lane: lane.lane, err: error }, "watcher: poll failed; retrying");
        lane.lastError = message;
      }
      lane.lastPollAtMs = Date.now();
    }
  }

  async #pollLane(lane: LaneState): Promise<void> {
    let record: Awaited<ReturnType<SettlementClient["lane"]>>;
    try {
      record = await this.client.lane(lane.lane);
    } catch (error) {
      if (error instanceof SettlementNotFoundError && error.code === "lane_not_found") return;
      throw error;
    }
    lane.settlementCheckpoints = BigInt(record.checkpointCount);
    if (lane.status === "halted") return;
    if (lane.status === "waiting") {
      if (record.genesisRoot !== hex(lane.genesisRoot)) {
        lane.status = "halted";
        lane.halt = {
          reason: "genesis_mismatch",
          message: `Settlement's genesis root ${record.genesisRoot} is not the root of this watcher's genesis (${hex(lane.genesisRoot)}): check the genesis file.`,
        };
        this.#logger.error({ lane: lane.lane, ...lane.halt }, "watcher: lane genesis mismatch");
        return;
      }
      lane.status = "watching";
      this.#logger.info(
        { lane: lane.lane, genesisRoot: record.genesisRoot },
        "watcher: lane found on settlement",
      );
    }
    while (!this.#stopped && lane.status === "watching" && lane.verified < lane.settlementCheckpoints) {
      const page = await this.client.checkpoints(lane.lane, lane.verified, this.#pageSize);
      // A validator behind the one that gave the count: try again next poll.
      if (page.length === 0) return;
      for (const checkpoint of page) {
        if (this.#stopped || lane.status !== "watching") return;
        await this.#replay(lane, checkpoint);
      }
    }
  }

  async #replay(lane: LaneState, cp: CheckpointJson): Promise<void> {
    const index = BigInt(cp.index);
    const batch = await this.client.batchData(lane.lane, index);
    const forcedTo = BigInt(cp.forcedCursor);
    const forced =
      forcedTo > lane.forcedCursor
        ? (await this.client.forced(lane.lane, lane.forcedCursor, forcedTo)).map((f) => bytes(f.tx))
        : [];
    const outcome = await lane.replayer.replay({
      index,
      prevRoot: bytes(cp.prevRoot),
      newRoot: bytes(cp.newRoot),
      batchData: bytes(batch.batchData),
      batchHash: bytes(cp.batchHash),
      stfVersion: cp.stfVersion,
      forced,
      withdrawalCount: BigInt(cp.withdrawalCount),
    });
    const detectedAtMs = Date.now();
    if (outcome.status !== "verified") lane.progress?.discard();
    switch (outcome.status) {
      case "verified":
        lane.verified = lane.replayer.nextIndex;
        lane.lastVerified = { index, root: outcome.root, height: outcome.lastHeight };
        lane.forcedCursor = forcedTo;
        lane.progress?.record({ ...lane.replayer.position, forcedCursor: forcedTo });
        this.#logger.info(
          {
            lane: lane.lane,
            index: String(index),
            heights: `${outcome.firstHeight}-${outcome.lastHeight}`,
            root: hex(outcome.root),
            finality: cp.finality.status,
          },
          "watcher: checkpoint verified",
        );
        return;
      case "mismatch": {
        const { status: _, ...finding } = outcome;
        lane.mismatches.push({ ...finding, detectedAtMs });
        lane.status = "halted";
        lane.halt = {
          reason: "mismatch",
          message: `Checkpoint ${index} claims root ${hex(outcome.claimedRoot)} at height ${outcome.height}; replay gives ${hex(outcome.computedRoot)}.`,
        };
        this.#logger.error(
          {
            lane: lane.lane,
            index: String(index),
            height: String(outcome.height),
            claimedRoot: hex(outcome.claimedRoot),
            computedRoot: hex(outcome.computedRoot),
            finality: cp.finality.status,
          },
          "fraud detected",
        );
        // The fraud-proof submission plugs in here (settlement has no challenge
        // transaction yet): post the checkpoint with a multiproof of the batch's
        // pre-state keys from lane.replayer's tree, before cp.finalHeight.
        return;
      }
      case "invalid": {
        const { status: _, ...finding } = outcome;
        lane.invalid.push({ ...finding, detectedAtMs });
        lane.status = "halted";
        lane.halt = {
          reason: "invalid",
          message: `Checkpoint ${index}: ${outcome.reason}: ${outcome.message}`,
        };
        this.#logger.error(
          {
            lane: lane.lane,
            index: String(index),
            reason: outcome.reason,
            message: outcome.message,
            height: outcome.height === undefined ? undefined : String(outcome.height),
            txIndex: outcome.txIndex,
          },
          "watcher: checkpoint invalid",
        );
        return;
      }
    }
  }
}

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;
/** The API's "0x…" hex (already schema-checked) as bytes. */
const bytes = (h: string): Uint8Array => fromHex(h.slice(2));
