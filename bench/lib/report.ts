import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import { BASELINE_ID, type BenchResult, type BenchRuntime } from "./types.ts";

/** Fills ratioToBaseline from the baseline measured in the same runtime, if it ran. */
export function withBaselineRatios(results: BenchResult[]): BenchResult[] {
  const baseline = results.find((r) => r.id === BASELINE_ID && !r.error);
  return results.map((r) => ({
    ...r,
    ratioToBaseline: baseline && !r.error ? r.opsPerSec / baseline.opsPerSec : null,
  }));
}

const opsFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const formatOps = (v: number) => (v >= 100 ? opsFormat.format(v) : v.toPrecision(3));
const formatRatio = (v: number | null) =>
  v === null ? "—" : v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
const formatMb = (bytes: number | undefined) =>
  bytes === undefined ? "" : `${(bytes / 2 ** 20).toFixed(0)} MB`;

export function formatTable(runtime: BenchRuntime, results: BenchResult[], note = ""): string {
  const header = ["case", "ops/s", "unit", "vs B_v", ...(runtime === "node" ? ["heap"] : [])];
  const rows = results.map((r) =>
    r.error
      ? [r.id, "error", r.unit, "", ...(runtime === "node" ? [""] : [])]
      : [
          r.id,
          formatOps(r.opsPerSec),
          r.unit,
          formatRatio(r.ratioToBaseline),
          ...(runtime === "node" ? [formatMb(r.heapUsedBytes)] : []),
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const rightAligned = new Set([1, 3, 4]);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ");
  const baselineNote = results.some((r) => r.id === BASELINE_ID && !r.error)
    ? `vs B_v = ops/s ÷ ops/s of ${BASELINE_ID} (same run, same runtime); > 1 means cheaper than one native verify`
    : `vs B_v: no ${BASELINE_ID} case in this run`;
  const errors = results.filter((r) => r.error).map((r) => `  ${r.id}: ${r.error!.split("\n")[0]}`);
  return [
    `\n${runtime}${note}`,
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    baselineNote,
    ...quoteLines(results),
    ...(errors.length ? ["errors:", ...errors] : []),
  ].join("\n");
}

/** `<quote>: <cost>× one verify` for each case with a quote (cost = 1 ÷ vs B_v). */
function quoteLines(results: BenchResult[]): string[] {
  return results
    .filter((r) => r.quote && !r.error && r.ratioToBaseline)
    .map((r) => `${r.quote}: ${(1 / r.ratioToBaseline!).toFixed(2)}× one verify (${r.id})`);
}

export type BenchReport = {
  startedAt: string;
  quick: boolean;
  filter: string | null;
  machine: { node: string; cpus: number; cpuModel: string; memoryBytes: number };
  baseline: string;
  workerdRoundTripMs?: number;
  results: Partial<Record<BenchRuntime, BenchResult[]>>;
};

export function machineInfo(): BenchReport["machine"] {
  const list = cpus();
  return {
    node: process.version,
    cpus: list.length,
    cpuModel: list[0]?.model ?? "unknown",
    memoryBytes: totalmem(),
  };
}

export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
