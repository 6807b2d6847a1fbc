import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BLOCK_STORE_FILE, BlockStore, type StoredBlock } from "../../settlement-node/storage/block-store.ts";
import { StorageCorruptionError, StorageUsageError } from "../../settlement-node/storage/errors.ts";
import { recordForSeq } from "./fixtures/storage-records.ts";

let dir: string;
let warnings: string[];
const logger = { warn: (_: Record<string, unknown>, message: string) => warnings.push(message) };
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-blocks-"));
  warnings = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const blockAt = (h: bigint) => recordForSeq(Number(h));
const certificateAt = (h: bigint) => recordForSeq(Number(h) + 5000).subarray(0, 100);
const file = () => path.join(dir, BLOCK_STORE_FILE);

function fill(from: bigint, to: bigint): void {
  const store = BlockStore.open({ dir, logger });
  for (let h = from; h <= to; h++) store.put(h, blockAt(h), certificateAt(h));
  store.close();
}

function expectBlock(got: StoredBlock | undefined, h: bigint): void {
  expect(got?.height).toBe(h);
  expect(got?.block).toEqual(blockAt(h));
  expect(got?.certificate).toEqual(certificateAt(h));
}

describe("block store", () => {
  it("reads back every block and certificate after reopening, with the index rebuilt", () => {
    fill(1n, 40n);
    const store = BlockStore.open({ dir, logger });
    expect(store.latestHeight()).toBe(40n);
    expect(store.baseHeight()).toBe(1n);
    for (let h = 1n; h <= 40n; h++) expectBlock(store.get(h), h);
    expect(store.get(0n)).toBeUndefined();
    expect(store.get(41n)).toBeUndefined();
    expect([...store.range(38n, 100n)].map((b) => b.height)).toEqual([38n, 39n, 40n]);
    store.close();
  });

  it("is empty when new and may start at any height (a node restored from a snapshot)", () => {
    const store = BlockStore.open({ dir, logger });
    expect(store.latestHeight()).toBeNull();
    expect([...store.range(0n, 10n)]).toEqual([]);
    store.put(1000n, blockAt(1000n), certificateAt(1000n));
    store.close();
    const reopened = BlockStore.open({ dir, logger });
    expect(reopened.baseHeight()).toBe(1000n);
    expectBlock(reopened.get(1000n), 1000n);
    reopened.close();
  });

  it("a block put without a sync is fsynced by syncInBackground, on the thread pool, and reads back", async () => {
    const store = BlockStore.open({ dir, logger });
    const before = store.countSyncs;
    store.put(1n, blockAt(1n), certificateAt(1n), { sync: false });
    store.put(2n, blockAt(2n), certificateAt(2n), { sync: false });
    expect(store.countSyncs).toBe(before);
    const durable = store.syncInBackground();
    // The calling thread goes on meanwhile: reads work before the fsync has returned.
    expectBlock(store.get(2n), 2n);
    await durable;
    expect(store.countSyncs).toBe(before + 1);
    store.close();
    const reopened = BlockStore.open({ dir, logger });
    expect(reopened.latestHeight()).toBe(2n);
    expectBlock(reopened.get(1n), 1n);
    reopened.close();
  });

  it("refuses a block that does not follow the latest one", () => {
    fill(1n, 3n);
    const store = BlockStore.open({ dir, logger });
    expect(() => store.put(5n, blockAt(5n), certificateAt(5n))).toThrow(StorageUsageError);
    expect(() => store.put(3n, blockAt(3n), certificateAt(3n))).toThrow(/does not follow/);
    store.close();
  });

  it("serves blocks put without sync, and makes them durable with one sync", () => {
    const store = BlockStore.open({ dir, logger });
    for (let h = 1n; h <= 10n; h++) store.put(h, blockAt(h), certificateAt(h), { sync: false });
    expectBlock(store.get(10n), 10n);
    store.sync();
    store.close();
    expect(BlockStore.open({ dir, logger }).latestHeight()).toBe(10n);
  });

  it("drops a block torn by a crash, warns, and accepts that height again", () => {
    fill(1n, 5n);
    fs.truncateSync(file(), fs.statSync(file()).size - 10);
    const store = BlockStore.open({ dir, logger });
    expect(store.latestHeight()).toBe(4n);
    expect(store.tornTail?.reason).toBe("short-payload");
    expect(warnings).toHaveLength(1);
    store.put(5n, blockAt(5n), certificateAt(5n));
    store.close();
    const reopened = BlockStore.open({ dir, logger });
    expectBlock(reopened.get(5n), 5n);
    expect(reopened.tornTail).toBeNull();
    reopened.close();
  });

  it("refuses to open with a corrupt block in the middle", () => {
    fill(1n, 5n);
    const bytes = fs.readFileSync(file());
    bytes[200] = bytes[200]! ^ 0xff;
    fs.writeFileSync(file(), bytes);
    expect(() => BlockStore.open({ dir, logger })).toThrow(StorageCorruptionError);
  });

  it("detects a block damaged after open when it is read", () => {
    fill(1n, 3n);
    const store = BlockStore.open({ dir, logger });
    const fd = fs.openSync(file(), "r+");
    fs.writeSync(fd, new Uint8Array([0xaa, 0xbb]), 0, 2, 40);
    fs.closeSync(fd);
    expect(() => store.get(1n)).toThrow(/no longer matches its checksum/);
    expectBlock(store.get(3n), 3n);
    store.close();
  });

  it("streams blocks as an AsyncIterable for reindexing", async () => {
    fill(7n, 12n);
    const store = BlockStore.open({ dir, logger });
    const heights: bigint[] = [];
    for await (const b of store.blocksFrom(9n)) heights.push(b.height);
    expect(heights).toEqual([9n, 10n, 11n, 12n]);
    store.close();
  });
});
