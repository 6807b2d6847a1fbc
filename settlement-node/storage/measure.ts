/**
 * Measures the storage layer on this machine: fsync cost, group commit, the
 * sync vs promise fs APIs, and open/scan speed. Figures go in docs/storage.md.
 *
 *   node settlement-node/storage/measure.ts [dir]   (dir defaults to a temp dir; use the data disk)
 *
 * Not a test: timings are reported, never asserted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BlockStore } from "./block-store.ts";
import { openWal } from "./wal.ts";

const base = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), "bitlayer-measure-"));
const quiet = { warn: () => {} };
const record = new Uint8Array(200).fill(7);

function report(name: string, count: number, ms: number, unit: string): void {
  const perSecond = Math.round((count / ms) * 1000);
  console.log(
    `${name.padEnd(58)} ${String(perSecond).padStart(9)} ${unit}/s  ${((ms / count) * 1000).toFixed(1).padStart(8)} µs/op`,
  );
}

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

async function timedAsync(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

try {
  {
    const { wal } = openWal({ dir: path.join(base, "wal-sync-each"), logger: quiet });
    const n = 300;
    report(
      "WAL append({ sync: true }), 200 B (fsync each)",
      n,
      timed(() => {
        for (let i = 0; i < n; i++) wal.append(record, { sync: true });
      }),
      "records",
    );
    wal.close();
  }
  for (const group of [10, 100, 1000]) {
    const { wal } = openWal({ dir: path.join(base, `wal-group-${group}`), logger: quiet });
    const rounds = Math.max(20, Math.floor(20_000 / group));
    report(
      `WAL group commit: ${group} × append + 1 sync, 200 B`,
      rounds * group,
      timed(() => {
        for (let r = 0; r < rounds; r++) {
          for (let i = 0; i < group; i++) wal.append(record);
          wal.sync();
        }
      }),
      "records",
    );
    wal.close();
  }
  {
    const file = path.join(base, "raw-sync.log");
    const fd = fs.openSync(file, "w");
    const n = 300;
    let pos = 0;
    report(
      "raw writeSync + fdatasyncSync, 208 B",
      n,
      timed(() => {
        for (let i = 0; i < n; i++) {
          pos += fs.writeSync(fd, record, 0, record.length, pos);
          fs.fdatasyncSync(fd);
        }
      }),
      "ops",
    );
    report(
      "raw writeSync + fsyncSync, 208 B",
      n,
      timed(() => {
        for (let i = 0; i < n; i++) {
          pos += fs.writeSync(fd, record, 0, record.length, pos);
          fs.fsyncSync(fd);
        }
      }),
      "ops",
    );
    fs.closeSync(fd);
  }
  {
    const handle = await fs.promises.open(path.join(base, "raw-promise.log"), "w");
    const n = 300;
    let pos = 0;
    report(
      "fs.promises FileHandle.write + sync, 208 B",
      n,
      await timedAsync(async () => {
        for (let i = 0; i < n; i++) {
          pos += (await handle.write(record, 0, record.length, pos)).bytesWritten;
          await handle.sync();
        }
      }),
      "ops",
    );
    const m = 20_000;
    report(
      "fs.promises FileHandle.write (no sync), 208 B",
      m,
      await timedAsync(async () => {
        for (let i = 0; i < m; i++) pos += (await handle.write(record, 0, record.length, pos)).bytesWritten;
      }),
      "ops",
    );
    await handle.close();
    const fd = fs.openSync(path.join(base, "raw-nosync.log"), "w");
    pos = 0;
    report(
      "fs.writeSync (no sync), 208 B",
      m,
      timed(() => {
        for (let i = 0; i < m; i++) pos += fs.writeSync(fd, record, 0, record.length, pos);
      }),
      "ops",
    );
    fs.closeSync(fd);
  }
  {
    const dir = path.join(base, "wal-scan");
    const { wal } = openWal({ dir, logger: quiet });
    const big = new Uint8Array(4096).fill(3);
    for (let i = 0; i < 25_000; i++) wal.append(i % 2 ? big : record);
    wal.close();
    const bytes = fs.statSync(path.join(dir, fs.readdirSync(dir)[0]!)).size;
    let count = 0;
    const ms = timed(() => {
      const opened = openWal({ dir, logger: quiet });
      count = opened.records.length;
      opened.wal.close();
    });
    report(
      `WAL open + scan (${(bytes / 2 ** 20).toFixed(0)} MiB, checksums verified)`,
      bytes / 2 ** 20,
      ms,
      "MiB",
    );
    report("WAL open + scan", count, ms, "records");
  }
  {
    const dir = path.join(base, "blocks");
    const store = BlockStore.open({ dir, logger: quiet });
    const block = new Uint8Array(16 * 1024).fill(1);
    const certificate = new Uint8Array(4 * 100).fill(2);
    const n = 200;
    report(
      "BlockStore.put, 16 KiB block + 400 B certificate, fsync each",
      n,
      timed(() => {
        for (let h = 1n; h <= BigInt(n); h++) store.put(h, block, certificate);
      }),
      "blocks",
    );
    report(
      "BlockStore.get (random heights)",
      20_000,
      timed(() => {
        for (let i = 0; i < 20_000; i++) store.get(BigInt(1 + ((i * 7919) % n)));
      }),
      "blocks",
    );
    store.close();
    const reopenMs = timed(() => BlockStore.open({ dir, logger: quiet }).close());
    report("BlockStore.open (index rebuild)", n, reopenMs, "blocks");
  }
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
