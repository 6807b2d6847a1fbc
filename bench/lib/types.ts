/** The contract between bench/run.ts and bench/cases/<area>.ts (bench/README.md). */

export type BenchRuntime = "node" | "workerd";

export type BenchCase = {
  /** Unique within its file; the case id is `<area>/<name>` (area = file name). */
  name: string;
  /** What one operation is ("tx", "verify", "key update"); the table prints ops/s of it. */
  unit: string;
  /** Runtimes the case runs in; default both. Node-only cases may import node:*. */
  runtimes?: BenchRuntime[];
  /** Builds the state passed to every `run` call; not timed. */
  setup?: () => Promise<unknown> | unknown;
  /** Performs exactly `n` operations. */
  // biome-ignore lint/suspicious/noExplicitAny: each case owns its state's type
  run: (state: any, n: number) => Promise<void> | void;
  /** Operations per call: large enough that one call takes milliseconds. */
  n: number;
  /**
   * A goal stated as a cost ("Merkle root cost per transaction"): the report
   * prints `<quote>: <cost>× one verify` under the runtime's table, the cost
   * of one operation divided by that of one native verify (the inverse of
   * the vs B_v column).
   */
  quote?: string;
};

export type CaseModule = { area: string; file: string; cases: BenchCase[] };

export type BenchResult = {
  id: string;
  area: string;
  name: string;
  unit: string;
  runtime: BenchRuntime;
  opsPerSec: number;
  /** Operations timed (after warm-up) and the time they took. */
  ops: number;
  elapsedMs: number;
  /** Throughput relative to the baseline B_v (crypto/verify/native) in the same runtime and run. */
  ratioToBaseline: number | null;
  /** Node only: V8 heap in use after the case's timed runs, state still alive. */
  heapUsedBytes?: number;
  /** BenchCase.quote, carried to the report. */
  quote?: string;
  error?: string;
};

/** B_v: one native Ed25519 verification, the unit every other cost is compared to. */
export const BASELINE_ID = "crypto/verify/native";

export type MeasureOptions = { targetMs: number; warmupMs: number };
