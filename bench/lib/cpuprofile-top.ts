/** Self time per function of a V8 .cpuprofile: node bench/lib/cpuprofile-top.ts FILE [N]. */
import * as fs from "node:fs";

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
const profile = JSON.parse(fs.readFileSync(process.argv[2]!, "utf8")) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const self = new Map<number, number>();
for (const [i, id] of profile.samples.entries())
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
const byFn = new Map<string, number>();
let total = 0;
for (const n of profile.nodes) {
  const t = self.get(n.id) ?? 0;
  total += t;
  const f = n.callFrame;
  const key = `${f.functionName || "(anon)"} ${f.url.replace(/^.*\/main\//, "")}:${f.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
}
const top = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 40));
for (const [k, t] of top) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
