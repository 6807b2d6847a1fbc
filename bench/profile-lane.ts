/**
 * Profiles the lane loop (bench/cases/lane.ts) in Node for `--seconds`:
 *   node_modules/.bin/node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-lane.ts [case-substring]
 * then read the .cpuprofile with bench/lib/cpuprofile-top.ts.
 */
import { cases } from "./cases/lane.ts";

const name = process.argv[2] ?? "full-loop";
const c = cases.find((x) => x.name === name) ?? cases.find((x) => x.name.includes(name));
if (!c) throw new Error(`no lane case matches ${name}`);
const state = await c.setup?.();
const t0 = performance.now();
let ops = 0;
while (performance.now() - t0 < 8000) {
  await c.run(state, c.n);
  ops += c.n;
}
console.log(`${c.name}: ${Math.round((ops * 1000) / (performance.now() - t0))} ${c.unit}/s`);
