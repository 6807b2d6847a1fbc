/**
 * Real processes, real SIGKILL: a child appends and syncs WAL records (or
 * commits blocks) in a loop and reports every durable sequence number; the
 * parent kills it at seeded random moments and reopens the files. Everything
 * reported durable must be there and intact, the log must be a gap-free
 * prefix, and appending continues.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BlockStore } from "../../settlement-node/storage/block-store.ts";
import { openWal } from "../../settlement-node/storage/wal.ts";
import { intBetween, prng, recordForSeq, SEQS_PER_SEGMENT, seqOfRecord } from "./fixtures/storage-records.ts";

const NODE = path.resolve("node_modules/.bin/node");
const WRITER = path.resolve("test/node/fixtures/storage-wal-writer.ts");
const BLOCK_WRITER = path.resolve("test/node/fixtures/storage-block-writer.ts");
const SEED = 0x5eed_0001;
const KILLS = 12;

type Run = { syncedMax: number; firstSeq: number };

/** Runs a fixture that prints `ready <first>` then `<word> <n>` per durable item; kills it once it is writing. */
function runAndKill(script: string, dir: string, childSeed: number, killDelayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(NODE, [script, dir, String(childSeed)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let firstSeq = -1;
    let syncedMax = -1;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.stdout!.on("data", (d: string) => {
      out += d;
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const line of lines) {
        const [word, n] = line.split(" ");
        if (word === "ready") firstSeq = Number(n);
        if (word === "synced" || word === "committed") {
          syncedMax = Math.max(syncedMax, Number(n));
          // Arm the kill once the child is demonstrably writing.
          killTimer ??= setTimeout(() => child.kill("SIGKILL"), killDelayMs);
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killTimer);
      if (signal !== "SIGKILL") reject(new Error(`writer exited with ${code}/${signal}: ${err}`));
      else resolve({ syncedMax, firstSeq });
    });
  });
}

/** Reopens the log and checks it against what the child reported. Returns the last sequence number. */
function verifyLog(dir: string, syncedMax: number): { lastSeq: number; tornTail: boolean } {
  const { wal, records, tornTail } = openWal({ dir, logger: { warn: () => {} } });
  wal.close();
  const seqs = records.map((r) => seqOfRecord(r.payload));
  expect(seqs).not.toContain(null);
  const first = seqs[0]!;
  // Pruning keeps whole segments, so the retained log starts at a segment boundary.
  expect(first % SEQS_PER_SEGMENT).toBe(0);
  seqs.forEach((s, i) => {
    if (s !== first + i) throw new Error(`gap or reorder at index ${i}: ${s} after ${first + i - 1}`);
  });
  records.forEach((r, i) => {
    expect(r.segmentHeight).toBe(BigInt(Math.floor((first + i) / SEQS_PER_SEGMENT)));
  });
  const lastSeq = seqs[seqs.length - 1] ?? -1;
  expect(lastSeq).toBeGreaterThanOrEqual(syncedMax);
  return { lastSeq, tornTail: tornTail !== null };
}

describe("WAL under SIGKILL", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-wal-crash-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`keeps every synced record across ${KILLS} kill -9 at seeded moments, and appending continues`, async () => {
    const next = prng(SEED);
    let lastSeq = -1;
    let tornTails = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const killDelayMs = intBetween(next, 0, 40);
      const run = await runAndKill(WRITER, dir, next(), killDelayMs);
      expect(run.firstSeq, `kill ${kill} (seed ${SEED}): child resumed after the last record`).toBe(
        lastSeq + 1,
      );
      expect(run.syncedMax).toBeGreaterThan(lastSeq);
      const verified = verifyLog(dir, run.syncedMax);
      lastSeq = verified.lastSeq;
      if (verified.tornTail) tornTails++;
    }
    // The parent appends after the last crash and the log still reads back as one gap-free sequence.
    const { wal } = openWal({ dir, logger: { warn: () => {} } });
    for (let seq = lastSeq + 1; seq <= lastSeq + 5; seq++) wal.append(recordForSeq(seq));
    wal.sync();
    wal.close();
    expect(verifyLog(dir, lastSeq + 5).lastSeq).toBe(lastSeq + 5);
    console.log(`WAL crash test: ${KILLS} kills, ${lastSeq + 6} records, ${tornTails} torn tails truncated`);
  });
});

describe("block store under SIGKILL", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-blocks-crash-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps every block whose put returned, across 5 kill -9 at seeded moments", async () => {
    const next = prng(SEED + 1);
    let latest = 0;
    for (let kill = 0; kill < 5; kill++) {
      const run = await runAndKill(BLOCK_WRITER, dir, 0, intBetween(next, 0, 40));
      expect(run.firstSeq, `kill ${kill} (seed ${SEED + 1})`).toBe(latest + 1);
      const store = BlockStore.open({ dir, logger: { warn: () => {} } });
      latest = Number(store.latestHeight());
      expect(latest).toBeGreaterThanOrEqual(run.syncedMax);
      for (const block of store.range(1n, BigInt(latest))) {
        expect(seqOfRecord(block.block)).toBe(Number(block.height));
        expect(block.certificate).toEqual(recordForSeq(Number(block.height) + 1_000_000).subarray(0, 96));
      }
      store.close();
    }
  });
});
