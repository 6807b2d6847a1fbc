/**
 * npm run simulate -- --seeds N [--from S] [--mode standard|safety-control]
 * npm run simulate -- --seed S [--verbose]      (replays one seed exactly)
 *
 * Prints a progress line every 1,000 seeds and a summary: seeds, heights
 * committed, rounds per height, violations (each with its seed). Exit code 1
 * when any violation is found.
 */
import { runSeed, type SimMode, type SimResult } from "./simulator.ts";

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const single = argValue("--seed");
const mode = (argValue("--mode") ?? "standard") as SimMode;
if (mode !== "standard" && mode !== "safety-control")
  throw new Error(`--mode must be standard or safety-control, got ${mode}`);
const from = Number(argValue("--from") ?? single ?? 1);
const count = single !== undefined ? 1 : Number(argValue("--seeds") ?? 100);
if (!Number.isSafeInteger(from) || !Number.isSafeInteger(count) || count < 1)
  throw new Error("--seed, --from and --seeds take positive integers");

const startedMs = performance.now();
let heights = 0;
let rounds = 0;
let decided = 0;
let events = 0;
const roundHistogram = new Map<number, number>();
const failing: SimResult[] = [];
for (let seed = from; seed < from + count; seed++) {
  const r = runSeed(seed, mode);
  heights += r.heightsCommitted;
  events += r.events;
  for (const round of r.roundsPerHeight) {
    rounds += round + 1;
    decided++;
    roundHistogram.set(round + 1, (roundHistogram.get(round + 1) ?? 0) + 1);
  }
  if (r.violations.length > 0) {
    failing.push(r);
    console.log(
      `seed ${seed}: ${r.violations.length} violation(s): ${r.violations[0]!.checker}: ${r.violations[0]!.message}`,
    );
  }
  if (single !== undefined || process.argv.includes("--verbose")) {
    console.log(
      JSON.stringify({ ...r, roundsPerHeight: r.roundsPerHeight.join(","), violations: r.violations.length }),
    );
    if (single !== undefined) for (const v of r.violations) console.log(`  ${v.checker}: ${v.message}`);
  }
  const done = seed - from + 1;
  if (done % 1000 === 0 || done === count) {
    const seconds = (performance.now() - startedMs) / 1000;
    console.log(
      `progress: ${done}/${count} seeds, ${heights} heights, ${failing.length} failing seeds, ${seconds.toFixed(1)} s, ${(heights / seconds).toFixed(0)} heights/s`,
    );
  }
}
const seconds = (performance.now() - startedMs) / 1000;
const histogram = [...roundHistogram].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`);
console.log(
  [
    `summary (${mode}): seeds ${from}..${from + count - 1} (${count})`,
    `heights committed: ${heights} (${(heights / count).toFixed(1)} per seed)`,
    `rounds per height: mean ${(rounds / Math.max(1, decided)).toFixed(3)}, histogram (rounds:heights) ${histogram.join(" ")}`,
    `violations: ${failing.reduce((a, r) => a + r.violations.length, 0)} in ${failing.length} seeds${
      failing.length
        ? ` (seeds ${failing
            .slice(0, 20)
            .map((r) => r.seed)
            .join(", ")})`
        : ""
    }`,
    `wall: ${seconds.toFixed(1)} s, ${(count / seconds).toFixed(0)} seeds/s, ${(heights / seconds).toFixed(0)} simulated heights/s, ${events} events`,
  ].join("\n"),
);
if (failing.length > 0 && mode === "standard") process.exitCode = 1;
