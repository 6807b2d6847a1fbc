/**
 * CPU profile of the Worker under the edge benchmark's batch load, taken
 * through workerd's inspector (Chrome DevTools protocol, the port wrangler
 * dev opens with --inspector-port): which functions the Sequencer's hot path
 * spends its time in. Prints self time by function and writes the raw
 * profile to .bench/edge.cpuprofile (open it in Chrome DevTools).
 *
 *   node_modules/.bin/node bench/edge/profile.ts [--mode batch|single] [--requests N] [--clients N]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { wranglerVars } from "../../scripts/devnet/plan.ts";
import { BenchClient } from "./client.ts";
import { Inspector } from "./inspector.ts";
import { benchAccounts, signTransfers } from "./txs.ts";
import { startWranglerDev } from "./wrangler.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const args = process.argv.slice(2);
const argValue = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const mode = argValue("--mode") ?? "batch";
const requests = Number(argValue("--requests") ?? (mode === "batch" ? 30 : 400));
const CLIENTS = Number(argValue("--clients") ?? (mode === "batch" ? 4 : 16));
const vars = wranglerVars(fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8"));

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
};
type Profile = {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};

async function main(): Promise<void> {
  const accounts = benchAccounts(vars.DEVNET_ACCOUNTS_SEED!, CLIENTS);
  const worker = await startWranglerDev({
    vars: { BITLAYER_DEV: "1", DEVNET_ACCOUNTS: String(CLIENTS), RATE_LIMIT_PER_MINUTE: "1000000000" },
  });
  const client = new BenchClient(worker.url, CLIENTS);
  try {
    const inspector = await Inspector.connect(worker.inspectorPort);
    const call = (method: string, params: object = {}) => inspector.call(method, params);
    const per = mode === "batch" ? 100 : 1;
    const bodies = accounts.map((a) =>
      Array.from({ length: requests / CLIENTS + 2 }, () => {
        const txs = signTransfers(a, { chainId: vars.CHAIN_ID!, lane: 1, count: per });
        return JSON.stringify(per === 1 ? { tx: txs[0] } : { txs });
      }),
    );
    for (const list of bodies) for (const b of list.splice(0, 2)) await client.post("/v1/lanes/1/txs", b);
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 200 });
    await call("Profiler.start");
    const t0 = performance.now();
    await Promise.all(
      bodies.map(async (list) => {
        for (const b of list) {
          const r = await client.post("/v1/lanes/1/txs", b);
          if (r.status !== 200) throw new Error(`HTTP ${r.status} ${r.body.slice(0, 200)}`);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const { profile } = (await call("Profiler.stop")) as { profile: Profile };
    inspector.close();
    fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, ".bench/edge.cpuprofile"), JSON.stringify(profile));
    const txs = requests * per;
    console.log(`${txs} txs in ${seconds.toFixed(2)} s = ${Math.round(txs / seconds)} tx/s (${mode})`);
    summarize(profile);
  } finally {
    client.close();
    await worker.stop();
  }
}

function summarize(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fnSelf = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || "(anon)"} ${path.basename(f.url)}:${f.lineNumber + 1}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
  }
  // Inclusive time per function: walk parents.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const key = `${f.functionName || "(anon)"} ${path.basename(f.url)}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + us);
    }
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  console.log(`\nself time (total ${(total / 1000).toFixed(0)} ms sampled):\n${top(fnSelf, 30)}`);
  console.log(`\ninclusive time:\n${top(incl, 45)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
