/**
 * A watched lane's progress on disk, so a restarted watcher resumes after
 * its last verified checkpoint instead of replaying the lane from genesis
 * (which, for a long-lived lane, could outlast a challenge window while the
 * watcher is not watching new checkpoints).
 *
 * One append-only record file per lane and genesis root
 * (`lane-<id>-<root prefix>.progress`, the node's checksummed record format,
 * settlement-node/storage/record-file.ts): a record per verified checkpoint
 * holds the replayer's position after it, the forced cursor, and the tree
 * nodes that checkpoint added. Opening replays the records into a memory
 * node store; a torn tail (a crash mid-append) is dropped, and the watcher
 * verifies that checkpoint again. fsynced after each record: progress that
 * is lost is only work to redo, but a record that is kept must be whole.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { toHex } from "../../shared/bytes.ts";
import { array, bytes, decode, encode, fixedBytes, struct, u32, u64 } from "../../shared/codec/index.ts";
import type { ReplayerPosition } from "../../shared/lane/replay.ts";
import { MemoryNodeStore, type NodeStore } from "../../shared/smt/store.ts";
import { RecordFileWriter, scanRecordFile } from "../storage/record-file.ts";

const PROGRESS_MAGIC = new TextEncoder().encode("BLWPROG1");
/** One checkpoint's new nodes: far above any batch settlement accepts. */
const PROGRESS_RECORD_BYTES_MAX = 256 * 1024 * 1024;
const NODES_PER_RECORD_MAX = 4_000_000;

const progressRecordCodec = struct({
  root: fixedBytes(32),
  version: u32,
  height: u64,
  nextIndex: u64,
  forcedCursor: u64,
  nodes: array(struct({ hash: fixedBytes(32), record: bytes(1 << 20) }), NODES_PER_RECORD_MAX),
});

export type LaneProgress = ReplayerPosition & { forcedCursor: bigint };

/** A node store that remembers what was put since the last take(): one checkpoint's new nodes. */
class RecordingNodeStore implements NodeStore {
  readonly #inner: NodeStore;
  #hashes: Uint8Array[] = [];
  #records: Uint8Array[] = [];
  constructor(inner: NodeStore) {
    this.#inner = inner;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#inner.get(hash);
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#hashes.push(hash);
    this.#records.push(record);
    this.#inner.put(hash, record);
  }
  delete(hash: Uint8Array): void {
    this.#inner.delete(hash);
  }
  take(): { hash: Uint8Array; record: Uint8Array }[] {
    const out = this.#hashes.map((hash, i) => ({ hash, record: this.#records[i]! }));
    this.#hashes = [];
    this.#records = [];
    return out;
  }
}

export class LaneProgressFile {
  /** Holds the lane's tree as the records left it; the replayer writes its new nodes here. */
  readonly store: NodeStore;
  /** Where the last intact record left the lane; null for a new file. */
  readonly restored: LaneProgress | null;
  /** Checkpoint records read on open, and whether a torn tail was dropped. */
  readonly recordsRead: number;
  readonly tornTail: boolean;
  readonly #recording: RecordingNodeStore;
  readonly #writer: RecordFileWriter;

  private constructor(
    writer: RecordFileWriter,
    store: MemoryNodeStore,
    restored: LaneProgress | null,
    recordsRead: number,
    tornTail: boolean,
  ) {
    this.#writer = writer;
    this.#recording = new RecordingNodeStore(store);
    this.store = this.#recording;
    this.restored = restored;
    this.recordsRead = recordsRead;
    this.tornTail = tornTail;
  }

  static fileOf(dir: string, lane: number, genesisRoot: Uint8Array): string {
    return path.join(dir, `lane-${lane}-${toHex(genesisRoot).slice(0, 16)}.progress`);
  }

  /**
   * Opens (or creates) the progress of `lane` under `dir`, for the lane whose
   * genesis root is given. The recorded nodes go into `store` (the genesis
   * tree already in it, say), which is then what `store` reads.
   */
  static open(
    dir: string,
    lane: number,
    genesisRoot: Uint8Array,
    store = new MemoryNodeStore(),
  ): LaneProgressFile {
    fs.mkdirSync(dir, { recursive: true });
    const file = LaneProgressFile.fileOf(dir, lane, genesisRoot);
    if (!fs.existsSync(file)) {
      const writer = RecordFileWriter.create(file, dir, PROGRESS_MAGIC, PROGRESS_RECORD_BYTES_MAX);
      return new LaneProgressFile(writer, store, null, 0, false);
    }
    let restored: LaneProgress | null = null;
    let count = 0;
    const { endOffset, tail } = scanRecordFile(
      file,
      PROGRESS_MAGIC,
      PROGRESS_RECORD_BYTES_MAX,
      false,
      ({ payload }) => {
        const r = decode(progressRecordCodec, payload);
        for (const n of r.nodes) store.put(n.hash, n.record);
        const { nodes: _, ...position } = r;
        restored = position;
        count++;
      },
    );
    const writer = RecordFileWriter.reopen(file, PROGRESS_MAGIC, endOffset, PROGRESS_RECORD_BYTES_MAX);
    return new LaneProgressFile(writer, store, restored, count, tail !== null);
  }

  /** Records a verified checkpoint: the position after it and the nodes put since the last record. */
  record(progress: LaneProgress): void {
    this.#writer.append(encode(progressRecordCodec, { ...progress, nodes: this.#recording.take() }));
    this.#writer.sync();
  }

  /** Forgets the nodes of a checkpoint that did not verify (the replayer kept none of them anyway). */
  discard(): void {
    this.#recording.take();
  }

  close(): void {
    this.#writer.close();
  }
}
