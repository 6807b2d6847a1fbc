import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageCorruptionError, type StorageLogger } from "../../settlement-node/storage/errors.ts";
import { RECORD_HEADER_BYTES } from "../../settlement-node/storage/record-file.ts";
import { openWal, segmentFileName, WAL_MAGIC } from "../../settlement-node/storage/wal.ts";
import { recordForSeq, seqOfRecord } from "./fixtures/storage-records.ts";

let dir: string;
let warnings: { fields: Record<string, unknown>; message: string }[];
const logger: StorageLogger = { warn: (fields, message) => warnings.push({ fields, message }) };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-wal-"));
  warnings = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes records 0..count-1 into a fresh log and returns the byte offset where each record starts. */
function writeLog(count: number): number[] {
  const { wal } = openWal({ dir, logger });
  const offsets: number[] = [];
  let at = WAL_MAGIC.length;
  for (let seq = 0; seq < count; seq++) {
    offsets.push(at);
    const record = recordForSeq(seq);
    wal.append(record);
    at += RECORD_HEADER_BYTES + record.length;
  }
  wal.close();
  return offsets;
}

const segmentPath = (height = 0n) => path.join(dir, segmentFileName(height));
const seqs = (records: { payload: Uint8Array }[]) => records.map((r) => seqOfRecord(r.payload));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function flipByte(file: string, offset: number): void {
  const bytes = fs.readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0x40;
  fs.writeFileSync(file, bytes);
}

describe("WAL round trip and group commit", () => {
  it("returns every appended record, in order, after reopening", () => {
    writeLog(50);
    const { wal, records, tornTail } = openWal({ dir, logger });
    wal.close();
    expect(seqs(records)).toEqual(range(50));
    expect(tornTail).toBeNull();
    expect(warnings).toEqual([]);
  });

  it("issues one fsync for a group of buffered appends, and one per append with { sync: true }", () => {
    const { wal } = openWal({ dir, logger });
    for (let seq = 0; seq < 100; seq++) wal.append(recordForSeq(seq));
    const sizeBuffered = fs.statSync(segmentPath()).size;
    wal.sync();
    expect(wal.countSyncs).toBe(1);
    expect(sizeBuffered).toBe(WAL_MAGIC.length);
    expect(fs.statSync(segmentPath()).size).toBeGreaterThan(sizeBuffered);
    wal.append(recordForSeq(100), { sync: true });
    wal.append(recordForSeq(101), { sync: true });
    expect(wal.countSyncs).toBe(3);
    wal.close();
  });

  it("accepts an empty record", () => {
    const { wal } = openWal({ dir, logger });
    wal.append(new Uint8Array(0));
    wal.append(recordForSeq(1));
    wal.close();
    const { wal: again, records } = openWal({ dir, logger });
    again.close();
    expect(records.map((r) => r.payload.length)).toEqual([0, recordForSeq(1).length]);
  });
});

describe("WAL torn tail is truncated with a warning", () => {
  it("drops a record cut at any byte, keeps the prefix, and appends after it", () => {
    const offsets = writeLog(6);
    const lastStart = offsets[5]!;
    const size = fs.statSync(segmentPath()).size;
    const pristine = fs.readFileSync(segmentPath());
    fc.assert(
      fc.property(fc.integer({ min: lastStart + 1, max: size - 1 }), (cut) => {
        fs.writeFileSync(segmentPath(), pristine.subarray(0, cut));
        warnings = [];
        const { wal, records, tornTail } = openWal({ dir, logger });
        expect(seqs(records)).toEqual(range(5));
        expect(tornTail).toMatchObject({ offset: lastStart, bytesDropped: cut - lastStart });
        expect(warnings).toHaveLength(1);
        expect(fs.statSync(segmentPath()).size).toBe(lastStart);
        wal.append(recordForSeq(5), { sync: true });
        wal.close();
        const reopened = openWal({ dir, logger });
        reopened.wal.close();
        expect(seqs(reopened.records)).toEqual(range(6));
        expect(reopened.tornTail).toBeNull();
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it("drops the last record when any one of its bytes (header or payload) is flipped", () => {
    const offsets = writeLog(4);
    const lastStart = offsets[3]!;
    const pristine = fs.readFileSync(segmentPath());
    for (let at = lastStart; at < pristine.length; at += 97) {
      fs.writeFileSync(segmentPath(), pristine);
      flipByte(segmentPath(), at);
      const { wal, records, tornTail } = openWal({ dir, logger });
      wal.close();
      expect(seqs(records), `flip at ${at}`).toEqual(range(3));
      expect(tornTail?.offset).toBe(lastStart);
    }
  });

  it("drops a zero-filled tail, as a crash after a file-size update leaves on some filesystems", () => {
    writeLog(3);
    fs.appendFileSync(segmentPath(), new Uint8Array(4096));
    const { wal, records, tornTail } = openWal({ dir, logger });
    wal.close();
    expect(seqs(records)).toEqual(range(3));
    expect(tornTail?.bytesDropped).toBe(4096);
  });

  it("recovers a last segment created but never written (shorter than its magic)", () => {
    writeLog(2);
    fs.writeFileSync(segmentPath(5n), WAL_MAGIC.subarray(0, 3));
    const { wal, records, tornTail } = openWal({ dir, logger });
    expect(tornTail?.reason).toBe("short-magic");
    expect(wal.heightCurrentSegment).toBe(5n);
    wal.append(recordForSeq(2));
    wal.close();
    const reopened = openWal({ dir, logger });
    reopened.wal.close();
    expect(seqs(records)).toEqual(range(2));
    expect(reopened.records.map((r) => [seqOfRecord(r.payload), r.segmentHeight])).toEqual([
      [0, 0n],
      [1, 0n],
      [2, 5n],
    ]);
  });
});

describe("WAL corruption in the middle is a typed error", () => {
  it("refuses a flipped payload byte with intact records after it, and leaves the file untouched", () => {
    const offsets = writeLog(10);
    flipByte(segmentPath(), offsets[3]! + RECORD_HEADER_BYTES + 2);
    const size = fs.statSync(segmentPath()).size;
    expect(() => openWal({ dir, logger })).toThrow(StorageCorruptionError);
    try {
      openWal({ dir, logger });
    } catch (e) {
      expect((e as StorageCorruptionError).offset).toBe(offsets[3]);
    }
    expect(fs.statSync(segmentPath()).size).toBe(size);
  });

  it("refuses a flipped length field in the middle, though the next boundary is then unknown", () => {
    const offsets = writeLog(10);
    flipByte(segmentPath(), offsets[6]! + 1);
    expect(() => openWal({ dir, logger })).toThrow(StorageCorruptionError);
  });

  it("refuses the second-to-last record damaged even when only one intact record follows", () => {
    const offsets = writeLog(5);
    flipByte(segmentPath(), offsets[3]! + RECORD_HEADER_BYTES);
    expect(() => openWal({ dir, logger })).toThrow(/followed by an intact record/);
  });

  it("refuses any damage in a sealed segment, even at its end", () => {
    const { wal } = openWal({ dir, logger });
    wal.append(recordForSeq(0));
    wal.append(recordForSeq(1));
    wal.startSegment(1n);
    wal.append(recordForSeq(2));
    wal.close();
    const sealed = segmentPath(0n);
    fs.truncateSync(sealed, fs.statSync(sealed).size - 1);
    expect(() => openWal({ dir, logger })).toThrow(/sealed segment/);
  });

  it("refuses a file of another kind", () => {
    fs.writeFileSync(segmentPath(), new TextEncoder().encode("not a wal file at all"));
    expect(() => openWal({ dir, logger })).toThrow(/wrong magic/);
  });
});

describe("WAL never returns a damaged record", () => {
  it("for a flipped bit anywhere: drops only a damaged last record, and otherwise refuses to open", () => {
    const offsets = writeLog(8);
    const pristine = fs.readFileSync(segmentPath());
    const lastStart = offsets[7]!;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: pristine.length - 1 }),
        fc.integer({ min: 0, max: 7 }),
        (at, bit) => {
          const damaged = Buffer.from(pristine);
          damaged[at] = damaged[at]! ^ (1 << bit);
          fs.writeFileSync(segmentPath(), damaged);
          if (at >= lastStart) {
            const { wal, records, tornTail } = openWal({ dir, logger });
            wal.close();
            expect(seqs(records)).toEqual(range(7));
            expect(tornTail?.offset).toBe(lastStart);
          } else {
            expect(() => openWal({ dir, logger })).toThrow(StorageCorruptionError);
            expect(fs.readFileSync(segmentPath()).equals(damaged)).toBe(true);
          }
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });
});

describe("WAL segments", () => {
  it("starts a segment per height and prunes whole segments below the retained height", () => {
    const { wal } = openWal({ dir, logger, heightInitial: 10n });
    let seq = 0;
    for (let height = 10n; height <= 14n; height++) {
      if (height > 10n) wal.startSegment(height);
      for (let i = 0; i < 3; i++) wal.append(recordForSeq(seq++));
    }
    expect(() => wal.startSegment(14n)).toThrow(/current segment starts at 14/);
    expect(wal.pruneBelow(12n)).toBe(2);
    expect(wal.pruneBelow(12n)).toBe(0);
    expect(wal.pruneBelow(1000n)).toBe(2);
    wal.close();
    const { wal: again, records } = openWal({ dir, logger });
    again.close();
    expect(records.map((r) => [seqOfRecord(r.payload), r.segmentHeight])).toEqual([
      [12, 14n],
      [13, 14n],
      [14, 14n],
    ]);
    expect(fs.readdirSync(dir)).toEqual([segmentFileName(14n)]);
  });
});
