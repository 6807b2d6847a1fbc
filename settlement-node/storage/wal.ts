/**
 * The consensus write-ahead log: every input of the consensus core is appended
 * here before it is applied, so replaying the log through `step` rebuilds the
 * state after a crash (STYLE.md item 10; malachite ADR-007). Records are
 * opaque bytes: the node shell encodes its inputs, this module only keeps them.
 *
 * Layout: a directory of segments `wal-<start height, 20 digits>.log`, each a
 * record file (record-file.ts). The node starts a segment per height and prunes
 * the segments below the height it still needs once that height is committed
 * to the block store.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { utf8 } from "../../shared/bytes.ts";
import { type StorageLogger, StorageUsageError, stderrLogger } from "./errors.ts";
import { fsyncDir, RecordFileWriter, scanRecordFile, type TornTail } from "./record-file.ts";

export const WAL_MAGIC = utf8("BLWAL01\n");
export const WAL_RECORD_BYTES_MAX_DEFAULT = 16 * 1024 * 1024;
const SEGMENT_PATTERN = /^wal-(\d{20})\.log$/;

export type WalOptions = {
  dir: string;
  /** Height of the first segment when the directory is empty. */
  heightInitial?: bigint;
  recordBytesMax?: number;
  logger?: StorageLogger;
};

export type WalRecord = {
  /** Start height of the segment holding the record. */
  segmentHeight: bigint;
  payload: Uint8Array;
};

export type OpenedWal = {
  wal: WriteAheadLog;
  /** Every intact record of every retained segment, in append order. */
  records: WalRecord[];
  /** The torn tail that was truncated, if the last run crashed mid-write. */
  tornTail: TornTail | null;
};

export type AppendOptions = {
  /** Write and fsync before returning: for records the node must not act on before they are durable. */
  sync?: boolean;
};

export function segmentFileName(height: bigint): string {
  if (height < 0n || height >= 1n << 64n)
    throw new StorageUsageError(`Segment height ${height} is not a u64.`);
  return `wal-${height.toString().padStart(20, "0")}.log`;
}

function listSegmentHeights(dir: string): bigint[] {
  const heights: bigint[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = SEGMENT_PATTERN.exec(name);
    if (m) heights.push(BigInt(m[1]!));
  }
  return heights.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Opens (or creates) the log in `options.dir`: scans every segment, truncates a
 * torn tail of the last one with a warning, and throws StorageCorruptionError
 * for damage anywhere else.
 */
export function openWal(options: WalOptions): OpenedWal {
  const { dir } = options;
  const recordBytesMax = options.recordBytesMax ?? WAL_RECORD_BYTES_MAX_DEFAULT;
  const logger = options.logger ?? stderrLogger;
  fs.mkdirSync(dir, { recursive: true });
  const heights = listSegmentHeights(dir);
  const records: WalRecord[] = [];
  let tornTail: TornTail | null = null;
  let writer: RecordFileWriter;

  if (heights.length === 0) {
    const height = options.heightInitial ?? 0n;
    writer = RecordFileWriter.create(path.join(dir, segmentFileName(height)), dir, WAL_MAGIC, recordBytesMax);
    heights.push(height);
  } else {
    let endOffset = 0;
    for (let i = 0; i < heights.length; i++) {
      const height = heights[i]!;
      const last = i === heights.length - 1;
      const result = scanRecordFile(
        path.join(dir, segmentFileName(height)),
        WAL_MAGIC,
        recordBytesMax,
        !last,
        ({ payload }) => records.push({ segmentHeight: height, payload: payload.slice() }),
      );
      if (last) {
        endOffset = result.endOffset;
        tornTail = result.tail;
      }
    }
    if (tornTail) {
      logger.warn(
        {
          file: tornTail.file,
          offset: tornTail.offset,
          bytesDropped: tornTail.bytesDropped,
          reason: tornTail.reason,
        },
        "WAL: truncating a torn tail left by a crash",
      );
    }
    const lastHeight = heights[heights.length - 1]!;
    writer = RecordFileWriter.reopen(
      path.join(dir, segmentFileName(lastHeight)),
      WAL_MAGIC,
      endOffset,
      recordBytesMax,
    );
  }
  return { wal: new WriteAheadLog(dir, recordBytesMax, heights, writer), records, tornTail };
}

export class WriteAheadLog {
  private closed = false;
  private countSyncsClosedSegments = 0;

  readonly dir: string;
  private readonly recordBytesMax: number;
  private readonly segmentHeights: bigint[];
  private writer: RecordFileWriter;

  /** Use openWal. */
  constructor(dir: string, recordBytesMax: number, segmentHeights: bigint[], writer: RecordFileWriter) {
    this.dir = dir;
    this.recordBytesMax = recordBytesMax;
    this.segmentHeights = segmentHeights;
    this.writer = writer;
  }

  /** Buffers a record (group commit); with `{ sync: true }` it is durable when this returns. */
  append(payload: Uint8Array, options?: AppendOptions): void {
    this.assertOpen();
    this.writer.append(payload);
    if (options?.sync) this.writer.sync();
  }

  /** Writes every buffered record and fsyncs: one fsync for all appends since the last sync. */
  sync(): void {
    this.assertOpen();
    this.writer.sync();
  }

  /** Number of fsyncs of segment data so far (group-commit accounting and tests). */
  get countSyncs(): number {
    return this.countSyncsClosedSegments + this.writer.countSyncs;
  }

  get heightCurrentSegment(): bigint {
    return this.segmentHeights[this.segmentHeights.length - 1]!;
  }

  /** Bytes in the current segment, buffered records included. */
  get sizeCurrentSegment(): number {
    return this.writer.size;
  }

  get segments(): readonly bigint[] {
    return this.segmentHeights;
  }

  /**
   * Seals the current segment (fsync) and starts a new one for `height`, which
   * must be above the current segment's. Records appended afterwards go to it.
   */
  startSegment(height: bigint): void {
    this.assertOpen();
    if (height <= this.heightCurrentSegment) {
      throw new StorageUsageError(
        `Cannot start WAL segment ${height}: the current segment starts at ${this.heightCurrentSegment}.`,
      );
    }
    this.writer.close();
    this.countSyncsClosedSegments += this.writer.countSyncs;
    this.writer = RecordFileWriter.create(
      path.join(this.dir, segmentFileName(height)),
      this.dir,
      WAL_MAGIC,
      this.recordBytesMax,
    );
    this.segmentHeights.push(height);
  }

  /**
   * Deletes every segment whose records all belong to heights below
   * `heightRetained` (the next segment starts at or below it). The current
   * segment is never deleted. Returns the number of segments deleted.
   */
  pruneBelow(heightRetained: bigint): number {
    this.assertOpen();
    let deleted = 0;
    while (this.segmentHeights.length > 1 && this.segmentHeights[1]! <= heightRetained) {
      const height = this.segmentHeights.shift()!;
      fs.unlinkSync(path.join(this.dir, segmentFileName(height)));
      deleted++;
    }
    if (deleted > 0) fsyncDir(this.dir);
    return deleted;
  }

  /** Syncs and closes; buffered records are made durable first. */
  close(): void {
    if (this.closed) return;
    this.writer.close();
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageUsageError(`The WAL in ${this.dir} is closed.`);
  }
}
