/**
 * CPU profile of the Worker under the edge benchmark's batch load, taken
 * through workerd's inspector (Chrome DevTools protocol, the port wrangler
 * dev opens with --inspector-port): which functions the Sequencer's hot path
 * spends its time in. Prints self time by function and writes the raw
 * profile to .bench/edge.cpuprofile (open it in Chrome DevTools).
 *
 *   node_modules/.bin/node bench/edge/profile.ts [--mode batch|single|duplicate] [--requests N] [--clients N]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { wranglerVars } from "../../scripts/devnet/plan.ts";
import { BenchClient } from "./client.ts";
import { type CpuProfile, summarizeProfile } from "../lib/cpuprofile-summary.ts";
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
    // --mode duplicate: every request re-sends one already accepted tx (the known-receipt path).
    const bodies = accounts.map((a) => {
      const sign = () => {
        const txs = signTransfers(a, { chainId: vars.CHAIN_ID!, lane: 1, count: per });
        return JSON.stringify(per === 1 ? { tx: txs[0] } : { txs });
      };
      const once = mode === "duplicate" ? sign() : null;
      return Array.from({ length: requests / CLIENTS + 2 }, () => once ?? sign());
    });
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
    const { profile } = (await call("Profiler.stop")) as { profile: CpuProfile };
    inspector.close();
    fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, ".bench/edge.cpuprofile"), JSON.stringify(profile));
    const txs = requests * per;
    console.log(`${txs} txs in ${seconds.toFixed(2)} s = ${Math.round(txs / seconds)} tx/s (${mode})`);
    console.log(
      `\n${summarizeProfile(profile, { count: 45, inclusive: true, urlLabel: (u) => path.basename(u) })}`,
    );
  } finally {
    client.close();
    await worker.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
