/**
 * Where a single-transaction submit's latency goes, one client at a time
 * against `wrangler dev`, each row's p50 next to the others of the same run:
 *   health     a Worker route, no Durable Object (wrangler dev's own path)
 *   ping       the same lane's Sequencer, an RPC doing nothing
 *   write      the Sequencer writing one SQL row (waits for the output gate)
 *   duplicate  a submit of a transaction already applied (no write)
 *   fresh      a submit that is verified, executed, signed and stored
 *
 *   node_modules/.bin/node bench/edge/latency.ts [--samples 150]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { wranglerVars } from "../../scripts/devnet/plan.ts";
import { BenchClient, median, type Reply } from "./client.ts";
import { benchAccounts, signTransfers } from "./txs.ts";
import { startWranglerDev } from "./wrangler.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const args = process.argv.slice(2);
const samplesAt = args.indexOf("--samples");
const N = samplesAt >= 0 ? Number(args[samplesAt + 1]) : 150;
const WARM = 20;
const LANE = 2;
const vars = wranglerVars(fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8"));

const worker = await startWranglerDev({
  vars: { BITLAYER_DEV: "1", DEVNET_ACCOUNTS: "1", RATE_LIMIT_PER_MINUTE: "1000000000", SETTLEMENT_URLS: "" },
});
const client = new BenchClient(worker.url, 1);
try {
  const [sender] = benchAccounts(vars.DEVNET_ACCOUNTS_SEED!, 1);
  const txs = signTransfers(sender!, { chainId: vars.CHAIN_ID!, lane: LANE, count: N }).map((tx) =>
    JSON.stringify({ tx }),
  );
  const p50 = async (what: string, send: (k: number) => Promise<Reply>) => {
    const ms: number[] = [];
    for (let k = 0; k < N; k++) {
      const r = await send(k);
      if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      ms.push(r.ms);
    }
    return median(ms.slice(WARM));
  };
  const rows: [string, number][] = [
    ["health", await p50("health", () => client.get("/v1/health"))],
    ["ping", await p50("ping", () => client.post(`/v1/dev/bench/ping?lane=${LANE}`))],
    ["write", await p50("write", () => client.post(`/v1/dev/bench/write?lane=${LANE}`))],
    ["fresh", await p50("fresh", (k) => client.post(`/v1/lanes/${LANE}/txs`, txs[k]))],
    ["duplicate", await p50("duplicate", (k) => client.post(`/v1/lanes/${LANE}/txs`, txs[k]))],
  ];
  const ping = rows[1]![1];
  console.log(`single-client p50 over ${N - WARM} requests each (wrangler dev)`);
  for (const [name, ms] of rows)
    console.log(`  ${name.padEnd(10)} ${ms.toFixed(2).padStart(6)} ms   ping ${ms >= ping ? "+" : "−"}${Math.abs(ms - ping).toFixed(2)} ms`);
} finally {
  client.close();
  await worker.stop();
}
