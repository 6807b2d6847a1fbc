/**
 * CPU profile of one benchmark case inside workerd (the same bundle and
 * Miniflare setup as `npm run bench`), taken through workerd's inspector:
 *   node_modules/.bin/node bench/profile-workerd.ts <case id> [--seconds 6]
 * e.g. lane/full-loop. Writes .bench/workerd.cpuprofile; read it with
 *   node_modules/.bin/node bench/lib/cpuprofile-top.ts .bench/workerd.cpuprofile 40 --inclusive
 * Function names and lines are those of the esbuild bundle (no source map).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Inspector } from "./edge/inspector.ts";
import { freePort } from "./edge/wrangler.ts";
import { loadCaseModules } from "./lib/discover.ts";
import { startBenchWorker } from "./lib/workerd-runner.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: "string", default: "6" } },
});
const id = positionals[0];
if (!id) throw new Error("usage: bench/profile-workerd.ts <case id> [--seconds 6]");

const inspectorPort = await freePort();
const mf = await startBenchWorker(await loadCaseModules(), { inspectorPort });
const call = async (p: string, params: Record<string, string | number>) => {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const r = await mf.dispatchFetch(`http://bench${p}?${query}`, { method: "POST" });
  const text = await r.text();
  if (!r.ok) throw new Error(`${p}: ${r.status} ${text}`);
};
try {
  await call("/setup", { id });
  for (let i = 0; i < 20; i++) await call("/run", { id, n: 1000 }); // warm up the JIT
  const inspector = await Inspector.connect(inspectorPort, "bench");
  await inspector.call("Profiler.enable");
  await inspector.call("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.call("Profiler.start");
  const t0 = performance.now();
  let ops = 0;
  while (performance.now() - t0 < Number(values.seconds) * 1000) {
    await call("/run", { id, n: 1000 });
    ops += 1000;
  }
  const { profile } = await inspector.call<{ profile: unknown }>("Profiler.stop");
  inspector.close();
  const out = path.join(import.meta.dirname, "..", ".bench", "workerd.cpuprofile");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(profile));
  console.log(`${id}: ${ops} ops in ${((performance.now() - t0) / 1000).toFixed(1)} s (profiled); wrote ${out}`);
} finally {
  await mf.dispose();
}
