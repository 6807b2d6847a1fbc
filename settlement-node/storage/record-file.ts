/**
 * The framing shared by the WAL and the block store: a file is an 8-byte magic
 * followed by records, each
 *
 *   u32 LE payload length | u32 LE CRC-32C(length bytes || payload) | payload
 *
 * The checksum covers the length too, so a flipped length bit cannot make a
 * neighbouring record's bytes look intact. Scanning classifies the first bad
 * record as a torn tail (nothing intact after it: safe to truncate) or as
 * corruption (an intact record follows: a hard error). See docs/storage.md.
 */
import * as fs from "node:fs";
import { equalBytes } from "../../shared/bytes.ts";
import { crc32c } from "./crc32c.ts";
import { StorageCorruptionError, StorageUsageError } from "./errors.ts";

export const RECORD_HEADER_BYTES = 8;
export const MAGIC_BYTES = 8;
/** Largest tail the forward search reads into memory before it refuses to guess. */
const TAIL_SEARCH_BYTES_MAX = 256 * 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

export type ScannedRecord = { offset: number; payload: Uint8Array };

export type TornTail = {
  file: string;
  /** Where the first damaged record starts: the file is truncated to this length. */
  offset: number;
  bytesDropped: number;
  reason: "short-magic" | "short-header" | "short-payload" | "oversize-length" | "checksum-mismatch";
};

export type ScanResult = {
  /** Length of the intact prefix: magic plus every intact record. */
  endOffset: number;
  tail: TornTail | null;
};

export function frameRecord(payload: Uint8Array, out: Uint8Array, at: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(at, payload.length, true);
  view.setUint32(at + 4, crc32c(payload, crc32c(out.subarray(at, at + 4))), true);
  out.set(payload, at + RECORD_HEADER_BYTES);
  return at + RECORD_HEADER_BYTES + payload.length;
}

interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array | null;
}

/** Reads forward through a file in large chunks so a sequential scan costs few syscalls. */
class ChunkedReader implements ByteSource {
  private chunk = new Uint8Array(0);
  private chunkOffset = 0;
  private readonly fd: number;
  readonly size: number;
  constructor(fd: number, size: number) {
    this.fd = fd;
    this.size = size;
  }

  /** Returns `length` bytes at `offset` (a view valid until the next call), or null past EOF. */
  read(offset: number, length: number): Uint8Array | null {
    if (offset + length > this.size) return null;
    const start = offset - this.chunkOffset;
    if (start >= 0 && start + length <= this.chunk.length) return this.chunk.subarray(start, start + length);
    const want = Math.min(Math.max(length, READ_CHUNK_BYTES), this.size - offset);
    const buf = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const n = fs.readSync(this.fd, buf, got, want - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    this.chunk = buf.subarray(0, got);
    this.chunkOffset = offset;
    return got >= length ? this.chunk.subarray(0, length) : null;
  }
}

/** The tail of a file held in memory, addressed by file offsets. */
class TailReader implements ByteSource {
  private readonly bytes: Uint8Array;
  private readonly base: number;
  constructor(bytes: Uint8Array, base: number) {
    this.bytes = bytes;
    this.base = base;
  }
  get size(): number {
    return this.base + this.bytes.length;
  }
  read(offset: number, length: number): Uint8Array | null {
    const start = offset - this.base;
    if (start < 0 || start + length > this.bytes.length) return null;
    return this.bytes.subarray(start, start + length);
  }
}

type RecordCheck =
  | { ok: true; payload: Uint8Array; next: number }
  | { ok: false; reason: TornTail["reason"] };

function checkRecordAt(reader: ByteSource, offset: number, recordBytesMax: number): RecordCheck {
  const header = reader.read(offset, RECORD_HEADER_BYTES);
  if (!header) return { ok: false, reason: "short-header" };
  const view = new DataView(header.buffer, header.byteOffset, RECORD_HEADER_BYTES);
  const length = view.getUint32(0, true);
  const checksum = view.getUint32(4, true);
  if (length > recordBytesMax) return { ok: false, reason: "oversize-length" };
  const lengthCrc = crc32c(header.subarray(0, 4));
  const payload = reader.read(offset + RECORD_HEADER_BYTES, length);
  if (!payload) return { ok: false, reason: "short-payload" };
  if (crc32c(payload, lengthCrc) !== checksum) return { ok: false, reason: "checksum-mismatch" };
  return { ok: true, payload, next: offset + RECORD_HEADER_BYTES + length };
}

/**
 * Scans a record file, calling `onRecord` for each intact record (the payload is
 * a view into a reused buffer: copy what you keep). `sealed` files (not the last of a log) must be entirely intact.
 */
export function scanRecordFile(
  path: string,
  magic: Uint8Array,
  recordBytesMax: number,
  sealed: boolean,
  onRecord: (record: ScannedRecord) => void,
): ScanResult {
  const fd = fs.openSync(path, "r");
  try {
    const reader = new ChunkedReader(fd, fs.fstatSync(fd).size);
    const head = reader.read(0, MAGIC_BYTES);
    if (!head) {
      if (sealed)
        throw new StorageCorruptionError(path, 0, "file shorter than its magic in a sealed segment");
      const tail: TornTail = {
        file: path,
        offset: 0,
        bytesDropped: reader.size,
        reason: "short-magic",
      };
      return { endOffset: 0, tail };
    }
    if (!equalBytes(head, magic))
      throw new StorageCorruptionError(path, 0, "wrong magic: not a file of this kind");
    let offset = MAGIC_BYTES;
    while (offset < reader.size) {
      const check = checkRecordAt(reader, offset, recordBytesMax);
      if (!check.ok) {
        if (sealed) throw new StorageCorruptionError(path, offset, `${check.reason} in a sealed segment`);
        const intactAfter = findIntactRecordAfter(path, reader, offset, recordBytesMax);
        if (intactAfter !== null) {
          throw new StorageCorruptionError(
            path,
            offset,
            `${check.reason}, followed by an intact record at byte ${intactAfter}`,
          );
        }
        return {
          endOffset: offset,
          tail: { file: path, offset, bytesDropped: reader.size - offset, reason: check.reason },
        };
      }
      onRecord({ offset, payload: check.payload });
      offset = check.next;
    }
    return { endOffset: offset, tail: null };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A crash tears at most the records written by the last unsynced write, so
 * nothing intact can follow a torn record. Searches every byte offset after the
 * damaged record (the declared next boundary first, the common case of a
 * flipped payload bit) for an intact record.
 */
function findIntactRecordAfter(
  path: string,
  reader: ChunkedReader,
  badOffset: number,
  recordBytesMax: number,
): number | null {
  const tailBytes = reader.size - badOffset;
  if (tailBytes > TAIL_SEARCH_BYTES_MAX) {
    throw new StorageCorruptionError(
      path,
      badOffset,
      `damaged record with ${tailBytes} bytes after it, more than any torn write leaves`,
    );
  }
  const whole = reader.read(badOffset, tailBytes);
  if (!whole) return null;
  const tail = new TailReader(whole.slice(), badOffset);
  const header = tail.read(badOffset, RECORD_HEADER_BYTES);
  if (header) {
    const declaredNext =
      badOffset +
      RECORD_HEADER_BYTES +
      new DataView(header.buffer, header.byteOffset, RECORD_HEADER_BYTES).getUint32(0, true);
    if (declaredNext < tail.size && checkRecordAt(tail, declaredNext, recordBytesMax).ok) return declaredNext;
  }
  for (let at = badOffset + 1; at + RECORD_HEADER_BYTES <= tail.size; at++) {
    if (checkRecordAt(tail, at, recordBytesMax).ok) return at;
  }
  return null;
}

/** Makes a create, rename or unlink in `dir` durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Appends framed records at the end of one file. `append` only buffers;
 * `flush` writes the buffer with one positional write; `sync` flushes and
 * fsyncs, so many appends share one fsync (group commit).
 */
export class RecordFileWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private closed = false;
  private failed: unknown;
  /** Bytes in the file, including flushed but not yet synced ones. */
  private fileBytes: number;
  countSyncs = 0;
  readonly path: string;
  private readonly fd: number;
  private readonly recordBytesMax: number;

  private constructor(path: string, fd: number, fileBytes: number, recordBytesMax: number) {
    this.path = path;
    this.fd = fd;
    this.fileBytes = fileBytes;
    this.recordBytesMax = recordBytesMax;
  }

  /** Creates a new file holding only the magic, fsynced together with its directory entry. */
  static create(path: string, dir: string, magic: Uint8Array, recordBytesMax: number): RecordFileWriter {
    const fd = fs.openSync(path, "wx+");
    writeAll(fd, magic, 0);
    fs.fsyncSync(fd);
    fsyncDir(dir);
    return new RecordFileWriter(path, fd, magic.length, recordBytesMax);
  }

  /**
   * Opens an existing file for appending after its intact prefix. A longer file
   * (a torn tail) is truncated first and the truncation fsynced; a file shorter
   * than its magic is rewritten from scratch.
   */
  static reopen(
    path: string,
    magic: Uint8Array,
    endOffset: number,
    recordBytesMax: number,
  ): RecordFileWriter {
    const fd = fs.openSync(path, "r+");
    const size = fs.fstatSync(fd).size;
    if (endOffset < magic.length) {
      fs.ftruncateSync(fd, 0);
      writeAll(fd, magic, 0);
      endOffset = magic.length;
      fs.fsyncSync(fd);
    } else if (size !== endOffset) {
      fs.ftruncateSync(fd, endOffset);
      fs.fsyncSync(fd);
    }
    return new RecordFileWriter(path, fd, endOffset, recordBytesMax);
  }

  /** Buffers one record; returns the byte offset it will occupy in the file. */
  append(payload: Uint8Array): number {
    this.assertUsable();
    if (!(payload instanceof Uint8Array))
      throw new StorageUsageError("A record payload must be a Uint8Array.");
    if (payload.length > this.recordBytesMax) {
      throw new StorageUsageError(
        `Record of ${payload.length} bytes exceeds recordBytesMax ${this.recordBytesMax}.`,
      );
    }
    const offset = this.fileBytes + this.pendingBytes;
    const frame = new Uint8Array(RECORD_HEADER_BYTES + payload.length);
    frameRecord(payload, frame, 0);
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    return offset;
  }

  get size(): number {
    return this.fileBytes + this.pendingBytes;
  }

  /** Bytes already handed to the OS: readable through another descriptor. */
  get sizeFlushed(): number {
    return this.fileBytes;
  }

  flush(): void {
    this.assertUsable();
    if (this.pendingBytes === 0) return;
    const frames = this.pending;
    const data = frames.length === 1 ? frames[0]! : concatFrames(frames, this.pendingBytes);
    try {
      writeAll(this.fd, data, this.fileBytes);
    } catch (e) {
      this.failed = e;
      throw e;
    }
    this.fileBytes += data.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /**
   * After a failed write or fsync the kernel may have dropped the dirty pages
   * and a retry could report success for lost data ("fsyncgate"), so the
   * writer refuses all further use: the process must reopen and rescan.
   */
  sync(): void {
    this.assertUsable();
    try {
      this.flush();
      fs.fsyncSync(this.fd);
    } catch (e) {
      this.failed = e;
      throw e;
    }
    this.countSyncs++;
  }

  /** sync() with the fsync on libuv's thread pool: the calling thread goes on meanwhile. */
  async syncInBackground(): Promise<void> {
    this.assertUsable();
    try {
      this.flush();
      await new Promise<void>((resolve, reject) => fs.fsync(this.fd, (e) => (e ? reject(e) : resolve())));
    } catch (e) {
      this.failed = e;
      throw e;
    }
    this.countSyncs++;
  }

  private assertUsable(): void {
    if (this.failed !== undefined) {
      throw new StorageUsageError(
        `${this.path} failed to sync earlier; reopen it to recover.`,
        String(this.failed),
      );
    }
    if (this.closed) throw new StorageUsageError(`${this.path} is closed.`);
  }

  close(): void {
    if (this.closed) return;
    try {
      if (this.failed === undefined) this.sync();
    } finally {
      fs.closeSync(this.fd);
      this.closed = true;
    }
  }
}

function concatFrames(frames: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

/**
 * Reads the record of `frameBytes` (header included) at `offset` with one
 * positional read and returns its payload, or null if it fails its checksum.
 */
export function readFrameAt(fd: number, offset: number, frameBytes: number): Uint8Array | null {
  const frame = new Uint8Array(frameBytes);
  let got = 0;
  while (got < frameBytes) {
    const n = fs.readSync(fd, frame, got, frameBytes - got, offset + got);
    if (n === 0) return null;
    got += n;
  }
  const view = new DataView(frame.buffer);
  const length = view.getUint32(0, true);
  if (length !== frameBytes - RECORD_HEADER_BYTES) return null;
  const payload = frame.subarray(RECORD_HEADER_BYTES);
  if (crc32c(payload, crc32c(frame.subarray(0, 4))) !== view.getUint32(4, true)) return null;
  return payload;
}
