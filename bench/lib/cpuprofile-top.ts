/**
 * Self (and inclusive) time per function of a V8 .cpuprofile:
 *   node bench/lib/cpuprofile-top.ts FILE [N] [--last-ms MS] [--inclusive]
 * --last-ms keeps only the samples of the profile's final MS milliseconds
 * (a benchmark's last phase); --inclusive adds time spent in callees.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "last-ms": { type: "string" }, inclusive: { type: "boolean", default: false } },
});
const profile = JSON.parse(fs.readFileSync(positionals[0]!, "utf8")) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const count = Number(positionals[1] ?? 40);
const times: number[] = [];
let clock = 0;
for (const d of profile.timeDeltas) times.push((clock += d));
const fromUs = values["last-ms"] === undefined ? -Infinity : clock - Number(values["last-ms"]) * 1000;

const self = new Map<number, number>();
for (const [i, id] of profile.samples.entries())
  if (times[i]! >= fromUs) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = (n: Node) =>
  `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.replace(/^.*\/main\//, "")}:${n.callFrame.lineNumber + 1}`;

const byFn = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
for (const [id, t] of self) {
  total += t;
  byFn.set(keyOf(byId.get(id)!), (byFn.get(keyOf(byId.get(id)!)) ?? 0) + t);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}
const print = (m: Map<string, number>) => {
  for (const [k, t] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, count))
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`self time (${(total / 1000).toFixed(0)} ms sampled):`);
print(byFn);
if (values.inclusive) {
  console.log("\ninclusive time:");
  print(inclusive);
}
