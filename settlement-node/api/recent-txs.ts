/**
 * The receipts of the most recent committed blocks, where each of their
 * transactions landed, and the requests waiting for one to land
 * (GET /v1/txs/{hash}?waitMs=). A client
 * that waits on settlement holds one request open and is answered the moment
 * the block that includes its transaction commits, instead of polling blocks.
 *
 * In memory and bounded: the last `heightsKept` heights, at most
 * `waitersMax` waiting requests. A node rebuilds it when it replays its block
 * store on start.
 */
import { toHex } from "../../shared/bytes.ts";
import type { LedgerReceipt } from "../ledger/apply.ts";

export type TxInclusion = {
  hash: Uint8Array;
  height: bigint;
  /** Hash of the block that holds the transaction. */
  blockHash: Uint8Array;
  /** Position in the block, and the ledger's verdict there (0 is Ok). */
  index: number;
  status: number;
  feePaid: bigint;
};

/** Longest wait one request may ask for. */
export const TX_WAIT_MS_MAX = 30_000;
export const TX_WAITERS_MAX_DEFAULT = 4096;

/** Every waiting slot is taken: the caller should retry later (the API answers 503). */
export class TxWaitersFullError extends Error {
  override name = "TxWaitersFullError" as const;
}

export class RecentTxs {
  private readonly byHash = new Map<string, TxInclusion>();
  private readonly receiptsByHeight = new Map<bigint, readonly LedgerReceipt[]>();
  private readonly waiters = new Map<string, Set<(inclusion: TxInclusion) => void>>();
  private waiting = 0;
  private readonly heightsKept: number;
  private readonly waitersMax: number;

  constructor(heightsKept: number, waitersMax = TX_WAITERS_MAX_DEFAULT) {
    this.heightsKept = heightsKept;
    this.waitersMax = waitersMax;
  }

  /** A committed block's receipts; forgets the height that falls out of the window and wakes waiters. */
  recordBlock(height: bigint, blockHash: Uint8Array, receipts: readonly LedgerReceipt[]): void {
    for (const r of receipts) {
      const id = toHex(r.hash);
      const inclusion: TxInclusion = {
        hash: r.hash,
        height,
        blockHash,
        index: r.index,
        status: r.status,
        feePaid: r.feePaid,
      };
      this.byHash.set(id, inclusion);
      const wake = this.waiters.get(id);
      if (wake) for (const w of wake) w(inclusion);
    }
    this.receiptsByHeight.set(height, receipts);
    const old = height - BigInt(this.heightsKept);
    for (const r of this.receiptsByHeight.get(old) ?? []) {
      const id = toHex(r.hash);
      if (this.byHash.get(id)?.height === old) this.byHash.delete(id);
    }
    this.receiptsByHeight.delete(old);
  }

  /** The receipts of a block in the window (the API's block view), or undefined. */
  receiptsAt(height: bigint): readonly LedgerReceipt[] | undefined {
    return this.receiptsByHeight.get(height);
  }

  get(hash: Uint8Array): TxInclusion | undefined {
    return this.byHash.get(toHex(hash));
  }

  /**
   * The transaction's inclusion, waiting up to `timeoutMs` for it to commit;
   * undefined when the wait ends first or `signal` aborts (the client left).
   */
  wait(hash: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<TxInclusion | undefined> {
    const known = this.get(hash);
    if (known || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(known);
    if (this.waiting >= this.waitersMax)
      throw new TxWaitersFullError(`${this.waitersMax} requests are already waiting for transactions.`);
    const id = toHex(hash);
    return new Promise((resolve) => {
      let set = this.waiters.get(id);
      if (!set) {
        set = new Set();
        this.waiters.set(id, set);
      }
      const done = (inclusion: TxInclusion | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(id);
        this.waiting--;
        resolve(inclusion);
      };
      const onAbort = () => done(undefined);
      const timer = setTimeout(() => done(undefined), Math.min(timeoutMs, TX_WAIT_MS_MAX));
      signal?.addEventListener("abort", onAbort, { once: true });
      set.add(done);
      this.waiting++;
    });
  }

  /** Requests waiting now. */
  get waitingCount(): number {
    return this.waiting;
  }
}
