/**
 * Committed blocks by height: the validator's durable chain, from which the
 * database and any peer catching up are served. One append-only record file
 * (`blocks.log`, record-file.ts framing); the height → offset index lives in
 * memory and is rebuilt by scanning on open. Blocks and commit certificates
 * are opaque bytes here.
 *
 * Record payload: height u64 BE | block length u32 BE | block | certificate.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { utf8 } from "../../shared/bytes.ts";
import { StorageCorruptionError, type StorageLogger, StorageUsageError, stderrLogger } from "./errors.ts";
import {
  RECORD_HEADER_BYTES,
  RecordFileWriter,
  readFrameAt,
  scanRecordFile,
  type TornTail,
} from "./record-file.ts";

export const BLOCK_STORE_MAGIC = utf8("BLBLK01\n");
export const BLOCK_STORE_FILE = "blocks.log";
export const BLOCK_RECORD_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
const PAYLOAD_PREFIX_BYTES = 12;

export type StoredBlock = {
  height: bigint;
  block: Uint8Array;
  /** The commit certificate: the precommit signatures that committed `block`. */
  certificate: Uint8Array;
};

export type BlockStoreOptions = {
  dir: string;
  recordBytesMax?: number;
  logger?: StorageLogger;
};

export type PutOptions = {
  /** fsync before returning (default). Catch-up can batch puts with `sync: false` and one `sync()`. */
  sync?: boolean;
};

function encodeBlockRecord(height: bigint, block: Uint8Array, certificate: Uint8Array): Uint8Array {
  const out = new Uint8Array(PAYLOAD_PREFIX_BYTES + block.length + certificate.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, height);
  view.setUint32(8, block.length);
  out.set(block, PAYLOAD_PREFIX_BYTES);
  out.set(certificate, PAYLOAD_PREFIX_BYTES + block.length);
  return out;
}

function decodeBlockRecord(payload: Uint8Array): StoredBlock | null {
  if (payload.length < PAYLOAD_PREFIX_BYTES) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const blockBytes = view.getUint32(8);
  if (PAYLOAD_PREFIX_BYTES + blockBytes > payload.length) return null;
  return {
    height: view.getBigUint64(0),
    block: payload.slice(PAYLOAD_PREFIX_BYTES, PAYLOAD_PREFIX_BYTES + blockBytes),
    certificate: payload.slice(PAYLOAD_PREFIX_BYTES + blockBytes),
  };
}

export class BlockStore {
  readonly file: string;
  /** The torn tail truncated on open, if the last run crashed while writing a block. */
  readonly tornTail: TornTail | null;
  private readonly writer: RecordFileWriter;
  private readonly readFd: number;
  /** Heights are contiguous from heightBase; frame i holds height heightBase + i. */
  private heightBase: bigint | null;
  private readonly frameOffsets: number[];
  private readonly frameBytes: number[];
  private closed = false;

  private constructor(
    file: string,
    writer: RecordFileWriter,
    tornTail: TornTail | null,
    heightBase: bigint | null,
    frameOffsets: number[],
    frameBytes: number[],
  ) {
    this.file = file;
    this.writer = writer;
    this.tornTail = tornTail;
    this.heightBase = heightBase;
    this.frameOffsets = frameOffsets;
    this.frameBytes = frameBytes;
    this.readFd = fs.openSync(file, "r");
  }

  /** Opens or creates the store in `dir`, rebuilding the index and truncating a torn tail with a warning. */
  static open(options: BlockStoreOptions): BlockStore {
    const recordBytesMax = options.recordBytesMax ?? BLOCK_RECORD_BYTES_MAX_DEFAULT;
    const logger = options.logger ?? stderrLogger;
    fs.mkdirSync(options.dir, { recursive: true });
    const file = path.join(options.dir, BLOCK_STORE_FILE);
    if (!fs.existsSync(file)) {
      const writer = RecordFileWriter.create(file, options.dir, BLOCK_STORE_MAGIC, recordBytesMax);
      return new BlockStore(file, writer, null, null, [], []);
    }
    let heightBase: bigint | null = null;
    const frameOffsets: number[] = [];
    const frameBytes: number[] = [];
    const { endOffset, tail } = scanRecordFile(file, BLOCK_STORE_MAGIC, recordBytesMax, false, (record) => {
      const view = new DataView(record.payload.buffer, record.payload.byteOffset, record.payload.byteLength);
      const height = record.payload.length >= 8 ? view.getBigUint64(0) : -1n;
      heightBase ??= height;
      if (height < 0n || height !== heightBase + BigInt(frameOffsets.length)) {
        throw new StorageCorruptionError(
          file,
          record.offset,
          `block height ${height} breaks the contiguous chain`,
        );
      }
      frameOffsets.push(record.offset);
      frameBytes.push(RECORD_HEADER_BYTES + record.payload.length);
    });
    if (tail) {
      logger.warn(
        { file, offset: tail.offset, bytesDropped: tail.bytesDropped, reason: tail.reason },
        "Block store: truncating a torn tail left by a crash",
      );
    }
    const writer = RecordFileWriter.reopen(file, BLOCK_STORE_MAGIC, endOffset, recordBytesMax);
    return new BlockStore(file, writer, tail, heightBase, frameOffsets, frameBytes);
  }

  /** Highest stored height, or null when empty. */
  latestHeight(): bigint | null {
    if (this.heightBase === null || this.frameOffsets.length === 0) return null;
    return this.heightBase + BigInt(this.frameOffsets.length - 1);
  }

  /** Lowest stored height, or null when empty. */
  baseHeight(): bigint | null {
    return this.frameOffsets.length === 0 ? null : this.heightBase;
  }

  /**
   * Appends the block committed at `height`, which must be latestHeight() + 1
   * (any height when empty: a node restored from a snapshot starts there).
   * Durable when it returns unless `{ sync: false }`.
   */
  put(height: bigint, block: Uint8Array, certificate: Uint8Array, options?: PutOptions): void {
    this.assertOpen();
    const latest = this.latestHeight();
    if (latest !== null && height !== latest + 1n) {
      throw new StorageUsageError(`Block ${height} does not follow the latest stored block ${latest}.`);
    }
    if (height < 0n || height >= 1n << 64n)
      throw new StorageUsageError(`Block height ${height} is not a u64.`);
    if (block.length > 0xffffffff) throw new StorageUsageError("A block must be under 4 GiB.");
    const payload = encodeBlockRecord(height, block, certificate);
    const offset = this.writer.append(payload);
    this.heightBase ??= height;
    this.frameOffsets.push(offset);
    this.frameBytes.push(RECORD_HEADER_BYTES + payload.length);
    if (options?.sync ?? true) this.writer.sync();
  }

  /** fsyncs blocks put with `{ sync: false }`. */
  sync(): void {
    this.assertOpen();
    this.writer.sync();
  }

  /** fsyncs so far (each put that syncs, sync(), syncInBackground()). */
  get countSyncs(): number {
    return this.writer.countSyncs;
  }

  /** sync() on libuv's thread pool. */
  syncInBackground(): Promise<void> {
    this.assertOpen();
    return this.writer.syncInBackground();
  }

  /** The block at `height`, checksum-verified, or undefined if not stored. */
  get(height: bigint): StoredBlock | undefined {
    this.assertOpen();
    const latest = this.latestHeight();
    if (latest === null || height < this.heightBase! || height > latest) return undefined;
    const index = Number(height - this.heightBase!);
    const offset = this.frameOffsets[index]!;
    const bytes = this.frameBytes[index]!;
    if (offset + bytes > this.writer.sizeFlushed) this.writer.flush();
    const payload = readFrameAt(this.readFd, offset, bytes);
    const stored = payload && decodeBlockRecord(payload);
    if (!stored || stored.height !== height) {
      throw new StorageCorruptionError(this.file, offset, `block ${height} no longer matches its checksum`);
    }
    return stored;
  }

  /** Blocks from `from` to `to` inclusive, clamped to what is stored, in height order. */
  *range(from: bigint, to: bigint): Generator<StoredBlock> {
    const latest = this.latestHeight();
    if (latest === null) return;
    const start = from > this.heightBase! ? from : this.heightBase!;
    const end = to < latest ? to : latest;
    for (let h = start; h <= end; h++) yield this.get(h)!;
  }

  /** The same as range, as an AsyncIterable: what reindexing the database consumes. */
  async *blocksFrom(from: bigint, to: bigint = 1n << 64n): AsyncGenerator<StoredBlock> {
    yield* this.range(from, to);
  }

  close(): void {
    if (this.closed) return;
    this.writer.close();
    fs.closeSync(this.readFd);
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageUsageError(`The block store ${this.file} is closed.`);
  }
}
