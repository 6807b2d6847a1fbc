/**
 * Per-height phase timings of a validator: where the time of one height
 * goes, from the moment the height starts (or a transaction wakes an idle
 * node) to the block being indexed in the database. Observation only: no
 * decision of the node depends on these figures.
 *
 * Every figure is milliseconds since the height started on this node
 * (performance.now), null when the phase did not happen (a non-proposer
 * never proposes; a node that synced a block never prevoted).
 */

/** How many heights the ring keeps for /v1/node/phases. */
export const PHASE_HEIGHTS_KEPT = 512;

export type HeightPhases = {
  height: string;
  /** The round that decided (-1 until decided). */
  round: number;
  txs: number;
  /** Whether this node made a proposal at this height (it answered getValue). */
  proposed: boolean;
  /**
   * When the height started on this node, ms since the Unix epoch
   * (performance.timeOrigin based, sub-ms): puts the validators of one
   * machine on one clock (bench/settlement/cluster.ts --timeline).
   */
  startedAtUnixMs: number;
  /** Idle time before the height started: from the previous commit (block stored) to this start. */
  idleMs: number | null;
  /** First transaction that woke the node during the idle wait, ms before the start (≤ 0 means before). */
  txWokeMs: number | null;
  /** The proposal for the height reached the core (received and verified, or our own made). */
  proposalMs: number | null;
  /** Our prevote left (after its WAL fsync). */
  prevoteMs: number | null;
  /** Our precommit left: we had seen > 2/3 prevotes. */
  precommitMs: number | null;
  /** > 2/3 precommits: the core decided. */
  decidedMs: number | null;
  /** The ledger applied the block (signature checks, state writes, SMT root). */
  appliedMs: number | null;
  /** The block and its certificate are fsynced in the block store: the commit is acknowledged. */
  storedMs: number | null;
  /** The database indexer finished projecting the block (derived state, off the consensus loop). */
  indexedMs: number | null;
  /** Time the indexer itself spent on the block (its database transaction). */
  indexWorkMs: number | null;
  /** WAL fsyncs made during the height (one per signed message). */
  walSyncs: number;
  /** Time spent in those fsyncs. */
  walSyncMs: number;
  /** Time spent verifying peers' consensus signatures and proposals on the loop. */
  verifyMs: number;
};

type Mutable = HeightPhases & { startedAt: number };

export type PhaseSummary = {
  /** Heights summarized (kept in the ring, in the range asked, with at least `txsMin` transactions). */
  heights: number;
  txsMin: number;
  /** Median of each phase's offset over those heights. */
  median: Partial<Record<keyof HeightPhases, number>>;
  /** 90th percentile of each phase's offset. */
  p90: Partial<Record<keyof HeightPhases, number>>;
};

const PHASES = [
  "idleMs",
  "txWokeMs",
  "proposalMs",
  "prevoteMs",
  "precommitMs",
  "decidedMs",
  "appliedMs",
  "storedMs",
  "indexedMs",
  "indexWorkMs",
  "walSyncMs",
  "verifyMs",
  "txs",
] as const satisfies readonly (keyof HeightPhases)[];

const round2 = (x: number) => Math.round(x * 100) / 100;

export class PhaseLog {
  private readonly byHeight = new Map<string, Mutable>();
  private current: Mutable | null = null;
  private lastStoredAt: number | null = null;
  private txWokeAt: number | null = null;

  /** A transaction (or a peer's proposal) woke the node while it was idle between heights. */
  noteWake(): void {
    if (this.txWokeAt === null) this.txWokeAt = performance.now();
  }

  started(height: bigint): void {
    const now = performance.now();
    const entry: Mutable = {
      height: String(height),
      round: -1,
      txs: 0,
      proposed: false,
      startedAtUnixMs: round2(performance.timeOrigin + now),
      idleMs: this.lastStoredAt === null ? null : round2(now - this.lastStoredAt),
      txWokeMs: this.txWokeAt === null ? null : round2(this.txWokeAt - now),
      proposalMs: null,
      prevoteMs: null,
      precommitMs: null,
      decidedMs: null,
      appliedMs: null,
      storedMs: null,
      indexedMs: null,
      indexWorkMs: null,
      walSyncs: 0,
      walSyncMs: 0,
      verifyMs: 0,
      startedAt: now,
    };
    this.txWokeAt = null;
    this.current = entry;
    this.byHeight.set(entry.height, entry);
    if (this.byHeight.size > PHASE_HEIGHTS_KEPT) this.byHeight.delete(this.byHeight.keys().next().value!);
  }

  /** Marks `phase` of the current height (the first time only). */
  mark(phase: "proposalMs" | "prevoteMs" | "precommitMs" | "decidedMs"): void {
    const c = this.current;
    if (c && c[phase] === null) c[phase] = round2(performance.now() - c.startedAt);
  }

  proposedByUs(): void {
    if (this.current) this.current.proposed = true;
  }

  walSynced(ms: number): void {
    if (!this.current) return;
    this.current.walSyncs++;
    this.current.walSyncMs = round2(this.current.walSyncMs + ms);
  }

  verified(ms: number): void {
    if (this.current) this.current.verifyMs = round2(this.current.verifyMs + ms);
  }

  applied(height: bigint, round: number, txs: number): void {
    const c = this.byHeight.get(String(height));
    if (!c) return;
    c.round = round;
    c.txs = txs;
    c.appliedMs = round2(performance.now() - c.startedAt);
  }

  stored(height: bigint): void {
    const now = performance.now();
    this.lastStoredAt = now;
    const c = this.byHeight.get(String(height));
    if (c) c.storedMs = round2(now - c.startedAt);
  }

  /** The database indexer finished `height` (workMs: its own transaction's time). */
  indexed(height: bigint, workMs: number): void {
    const c = this.byHeight.get(String(height));
    if (!c) return;
    c.indexedMs = round2(performance.now() - c.startedAt);
    c.indexWorkMs = round2(workMs);
  }

  /** The phases of `height` so far (for the committed-block log line). */
  of(height: bigint): HeightPhases | undefined {
    const c = this.byHeight.get(String(height));
    if (!c) return undefined;
    const { startedAt: _, ...rest } = c;
    return rest;
  }

  /** The most recent `count` heights, oldest first. */
  recent(count = 32): HeightPhases[] {
    const all = [...this.byHeight.values()];
    return all.slice(Math.max(0, all.length - count)).map(({ startedAt: _, ...rest }) => rest);
  }

  /**
   * Median and p90 of every phase over the stored heights in [from, to] with
   * at least `txsMin` transactions.
   */
  summary(txsMin = 0, from = 0n, to = 1n << 63n): PhaseSummary {
    const rows = [...this.byHeight.values()].filter(
      (r) => r.storedMs !== null && r.txs >= txsMin && BigInt(r.height) >= from && BigInt(r.height) <= to,
    );
    const median: PhaseSummary["median"] = {};
    const p90: PhaseSummary["p90"] = {};
    for (const phase of PHASES) {
      const xs = rows.map((r) => r[phase]).filter((x): x is number => typeof x === "number");
      if (xs.length === 0) continue;
      xs.sort((a, b) => a - b);
      median[phase] = xs[Math.floor(xs.length / 2)]!;
      p90[phase] = xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!;
    }
    return { heights: rows.length, txsMin, median, p90 };
  }
}
