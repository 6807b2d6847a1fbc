/**
 * RecentTxs, behind GET /v1/txs/{hash}?waitMs= and the block views'
 * receipts: a committed block's receipts, and its transactions by hash, are
 * kept for the window of heights and then forgotten; a waiting request is answered by the block that includes its
 * transaction, by the end of its wait, or by its client leaving; the number
 * of waiting requests is bounded.
 */
import { describe, expect, it } from "vitest";
import { RecentTxs, TxWaitersFullError } from "../../settlement-node/api/recent-txs.ts";
import type { LedgerReceipt } from "../../settlement-node/ledger/apply.ts";
import type { LedgerStatus } from "../../settlement-node/ledger/codes.ts";

const hashOf = (n: number) => new Uint8Array(32).fill(n);
const blockHash = (h: number) => new Uint8Array(32).fill(200 + h);
const receipts = (...ns: number[]): LedgerReceipt[] =>
  ns.map((n, index) => ({ index, hash: hashOf(n), status: (n % 2) as LedgerStatus, feePaid: BigInt(n) }));

describe("RecentTxs", () => {
  it("finds a transaction and its block's receipts for the last heightsKept blocks, then forgets them", () => {
    const recent = new RecentTxs(2);
    recent.recordBlock(1n, blockHash(1), receipts(1, 2));
    expect(recent.get(hashOf(2))).toEqual({
      hash: hashOf(2),
      height: 1n,
      blockHash: blockHash(1),
      index: 1,
      status: 0,
      feePaid: 2n,
    });
    recent.recordBlock(2n, blockHash(2), receipts(3));
    expect(recent.get(hashOf(1))?.height).toBe(1n);
    expect(recent.receiptsAt(1n)?.map((r) => r.index)).toEqual([0, 1]);
    recent.recordBlock(3n, blockHash(3), []);
    expect(recent.receiptsAt(1n)).toBeUndefined();
    expect(recent.receiptsAt(3n)).toEqual([]);
    expect(recent.get(hashOf(1))).toBeUndefined();
    expect(recent.get(hashOf(2))).toBeUndefined();
    expect(recent.get(hashOf(3))?.height).toBe(2n);
  });

  it("answers a waiting request with the block that includes its transaction", async () => {
    const recent = new RecentTxs(10);
    const a = recent.wait(hashOf(5), 10_000);
    const b = recent.wait(hashOf(5), 10_000);
    const other = recent.wait(hashOf(6), 40);
    expect(recent.waitingCount).toBe(3);
    recent.recordBlock(7n, blockHash(7), receipts(4, 5));
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toMatchObject({ height: 7n, index: 1, status: 1 });
    expect(rb).toEqual(ra);
    expect(await other).toBeUndefined();
    expect(recent.waitingCount).toBe(0);
  });

  it("answers at once for a known transaction or a zero wait, and ends a wait whose client left", async () => {
    const recent = new RecentTxs(10);
    recent.recordBlock(1n, blockHash(1), receipts(1));
    expect((await recent.wait(hashOf(1), 10_000))?.height).toBe(1n);
    expect(await recent.wait(hashOf(9), 0)).toBeUndefined();
    const left = new AbortController();
    const waiting = recent.wait(hashOf(9), 10_000, left.signal);
    left.abort();
    expect(await waiting).toBeUndefined();
    expect(recent.waitingCount).toBe(0);
  });

  it("refuses a waiter beyond the bound, and takes one again once a slot frees", async () => {
    const recent = new RecentTxs(10, 2);
    const first = recent.wait(hashOf(1), 10_000);
    const second = recent.wait(hashOf(2), 10_000);
    expect(() => recent.wait(hashOf(3), 10_000)).toThrow(TxWaitersFullError);
    recent.recordBlock(1n, blockHash(1), receipts(1));
    expect((await first)?.height).toBe(1n);
    const third = recent.wait(hashOf(3), 10_000);
    recent.recordBlock(2n, blockHash(2), receipts(2, 3));
    expect((await second)?.height).toBe(2n);
    expect((await third)?.index).toBe(1);
  });
});
