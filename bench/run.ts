/**
 * Bitlayer benchmark runner (bench/README.md): `npm run bench` = `node bench/run.ts`.
 *
 *   node bench/run.ts [--filter <substring>] [--runtime node|workerd] [--quick]
 *
 * Runs every case of bench/cases/<area>.ts in Node (in this process) and in
 * workerd (one bundled Worker driven through Miniflare), prints one table per
 * runtime with ops/s and the ratio to B_v (crypto/verify/native), and writes
 * .bench/results.json.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCaseModules, selectCases } from "./lib/discover.ts";
import { measureInNode } from "./lib/node-runner.ts";
import { type BenchReport, formatTable, machineInfo, withBaselineRatios, writeReport } from "./lib/report.ts";
import { BASELINE_ID, type BenchResult, type BenchRuntime, type MeasureOptions } from "./lib/types.ts";
import { startWorkerd } from "./lib/workerd-runner.ts";

const RESULTS_PATH = join(import.meta.dirname, "..", ".bench", "results.json");

const { values } = parseArgs({
  options: {
    filter: { type: "string" },
    runtime: { type: "string" },
    quick: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("usage: node bench/run.ts [--filter <substring>] [--runtime node|workerd] [--quick]");
  process.exit(0);
}
if (values.runtime !== undefined && values.runtime !== "node" && values.runtime !== "workerd") {
  console.error(`--runtime must be node or workerd, got ${values.runtime}`);
  process.exit(2);
}
const runtimes: BenchRuntime[] = values.runtime ? [values.runtime as BenchRuntime] : ["node", "workerd"];
const filter = values.filter ?? null;
// Timed ≥ 0.5 s per case (≥ 0.1 s with --quick), after a warm-up.
const options: MeasureOptions = values.quick
  ? { targetMs: 100, warmupMs: 30 }
  : { targetMs: 500, warmupMs: 200 };

const modules = await loadCaseModules();
const report: BenchReport = {
  startedAt: new Date().toISOString(),
  quick: values.quick,
  filter,
  machine: machineInfo(),
  baseline: BASELINE_ID,
  results: {},
};
console.log(
  `bench: ${modules.length} case files (${modules.map((m) => m.area).join(", ")}); ` +
    `${values.quick ? "quick, " : ""}≥ ${options.targetMs} ms per case; runtimes ${runtimes.join(", ")}`,
);

for (const runtime of runtimes) {
  const selected = selectCases(modules, runtime, filter);
  if (selected.length === 0) {
    console.log(`\n${runtime}: no case matches`);
    continue;
  }
  const results: BenchResult[] = [];
  let note = "";
  if (runtime === "node") {
    for (const sel of selected) {
      process.stderr.write(`  node    ${sel.id} …\n`);
      results.push(await measureInNode(sel, options));
    }
  } else {
    const workerd = await startWorkerd(modules);
    try {
      for (const sel of selected) {
        process.stderr.write(`  workerd ${sel.id} …\n`);
        results.push(await workerd.measure(sel, options));
      }
      report.workerdRoundTripMs = workerd.roundTripMs;
      note = ` (timed from Node around dispatchFetch, minus a ${workerd.roundTripMs.toFixed(3)} ms empty round trip)`;
    } finally {
      await workerd.close();
    }
  }
  const withRatios = withBaselineRatios(results);
  report.results[runtime] = withRatios;
  console.log(formatTable(runtime, withRatios, note));
}

// Lane-level benchmarks over HTTP (a devnet lane: signed tx batches through the
// Worker and Sequencer DO) plug in here as a third runtime implementing the
// same measure(case) shape as bench/lib/node-runner.ts and workerd-runner.ts;
// see bench/README.md, "Lane-level benchmarks".

writeReport(RESULTS_PATH, report);
console.log(`\nresults: ${RESULTS_PATH}`);
const failed = Object.values(report.results)
  .flat()
  .filter((r) => r?.error);
process.exit(failed.length > 0 ? 1 : 0);
