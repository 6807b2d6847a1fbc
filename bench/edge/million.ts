/**
 * 1,000,000 accounts in one lane, through `wrangler dev` (issue #6, item 7):
 * the tree lives in the Durable Object's SQLite behind the bounded node cache,
 * so the lane keeps working and the workerd process stays small.
 *
 *   node_modules/.bin/node bench/edge/million.ts [--accounts 1000000]
 *   node_modules/.bin/node bench/edge/http.ts --million      (the same)
 *
 * Measures, against a fresh lane in the same run: batch transfer throughput
 * to random accounts, and proven account reads (each proof verified here);
 * reports the Worker isolate's V8 heap after a full GC (through workerd's
 * inspector: the figure the 128 MB isolate limit applies to), workerd's
 * resident memory (/proc, Linux; includes SQLite's page cache and a heap V8
 * has not shrunk), and the lane's cache occupancy against its bound.
 * Writes .bench/edge-million.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { Prng } from "../../shared/prng.ts";
import { decodeSmtMultiproof, verifyMultiproof } from "../../shared/smt/index.ts";
import { wranglerVars } from "../../scripts/devnet/plan.ts";
import { syntheticOwner } from "../../workers/src/sequencer/bulk-accounts.ts";
import { BenchClient, quantile } from "./client.ts";
import { Inspector } from "./inspector.ts";
import { benchAccounts, signTransfers } from "./txs.ts";
import { type RunningWorker, startWranglerDev } from "./wrangler.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const args = process.argv.slice(2);
const argValue = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ACCOUNTS = Number(argValue("--accounts") ?? 1_000_000);
const STEP = 100_000;
const SENDERS = 8;
const REQUESTS = 16;
const BATCH = 100;
const READS = 200;
const AMOUNT = 1_000_000n;
const LANE_BIG = 1;
const LANE_FRESH = 2;
const vars = wranglerVars(fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8"));
const log = (msg: string) => process.stderr.write(`[bench:million] ${msg}\n`);

/** Resident memory of the workerd processes under wrangler dev's process group, in MiB. */
function workerdRssMiB(worker: RunningWorker): number {
  const pgid = worker.child.pid!;
  let total = 0;
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue; // field 5 of stat: process group
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      total += Number(rss?.[1] ?? 0) / 1024;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

type CacheStats = { records: number; recordsMax: number; hits: number; misses: number };

export async function runMillion(): Promise<void> {
  const started = performance.now();
  const worker = await startWranglerDev({
    vars: { BITLAYER_DEV: "1", DEVNET_ACCOUNTS: String(SENDERS), RATE_LIMIT_PER_MINUTE: "1000000000" },
  });
  const client = new BenchClient(worker.url, SENDERS);
  try {
    const post = async (p: string, body?: string) => {
      const r = await client.post(p, body);
      if (r.status !== 200) throw new Error(`${p}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
      return r;
    };
    const get = async (p: string) => {
      const r = await fetch(`${worker.url}${p}`);
      if (!r.ok) throw new Error(`${p}: HTTP ${r.status}`);
      return r.json();
    };
    for (const lane of [LANE_BIG, LANE_FRESH]) await post(`/v1/dev/bench/ping?lane=${lane}`);
    const inspector = await Inspector.connect(worker.inspectorPort);
    const heapStart = await inspector.heapAfterGcMiB();
    const rssStart = workerdRssMiB(worker);
    log(
      `workerd RSS at start: ${rssStart.toFixed(0)} MiB; adding ${ACCOUNTS.toLocaleString("en-US")} accounts…`,
    );

    const t0 = performance.now();
    for (let from = 0; from < ACCOUNTS; from += STEP) {
      await post(
        `/v1/dev/bench/accounts?lane=${LANE_BIG}&from=${from}&count=${Math.min(STEP, ACCOUNTS - from)}`,
      );
      const heap = await inspector.heapMiB();
      log(
        `  ${Math.min(from + STEP, ACCOUNTS).toLocaleString("en-US")} accounts: V8 heap ${heap.usedMiB.toFixed(1)} MiB (garbage included), workerd RSS ${workerdRssMiB(worker).toFixed(0)} MiB`,
      );
    }
    const buildSeconds = (performance.now() - t0) / 1000;
    const heapBuilt = await inspector.heapAfterGcMiB();
    const rssBuilt = workerdRssMiB(worker);
    const cacheBuilt = (await get(`/v1/dev/bench/cache?lane=${LANE_BIG}`)) as CacheStats;

    // Transfers to random accounts: the big lane, then a fresh lane with the same load.
    const senders = benchAccounts(vars.DEVNET_ACCOUNTS_SEED!, SENDERS);
    const prng = new Prng(0x1e6);
    const received = new Map<number, bigint>();
    const load = async (lane: number, recipients: number) => {
      const bodies = senders.map((a) =>
        Array.from({ length: REQUESTS / SENDERS }, () =>
          JSON.stringify({
            txs: signTransfers(a, {
              chainId: vars.CHAIN_ID!,
              lane,
              count: BATCH,
              to: () => {
                const i = prng.below(recipients);
                if (lane === LANE_BIG) received.set(i, (received.get(i) ?? 0n) + 1n);
                return syntheticOwner(i);
              },
            }),
          }),
        ),
      );
      const start = performance.now();
      await Promise.all(
        bodies.map(async (list) => {
          for (const b of list) {
            const r = await post(`/v1/lanes/${lane}/txs`, b);
            const { results } = JSON.parse(r.body) as { results: { status: string }[] };
            if (results.some((x) => x.status !== "included"))
              throw new Error(`lane ${lane}: a transfer was rejected`);
          }
        }),
      );
      return (REQUESTS * BATCH) / ((performance.now() - start) / 1000);
    };
    for (const a of senders) a.nonce = 0n;
    const bigTps = await load(LANE_BIG, ACCOUNTS);
    for (const a of senders) a.nonce = 0n;
    const freshTps = await load(LANE_FRESH, 1000);
    log(
      `transfers to random accounts: ${bigTps.toFixed(0)} tx/s (1M lane) vs ${freshTps.toFixed(0)} tx/s (fresh lane)`,
    );

    // Proven reads of random accounts, verified here.
    const readMs: number[] = [];
    for (let k = 0; k < READS; k++) {
      const i = prng.below(ACCOUNTS);
      const start = performance.now();
      const read = (await get(`/v1/lanes/${LANE_BIG}/accounts/${toHex(syntheticOwner(i))}`)) as {
        stateRoot: string;
        proof: string;
        entries: { key: string; value: string | null }[];
        value: { balance: string };
      };
      readMs.push(performance.now() - start);
      const entries = read.entries.map((x) => ({
        key: fromHex(x.key),
        value: x.value === null ? null : fromHex(x.value),
      }));
      if (!verifyMultiproof(fromHex(read.stateRoot), decodeSmtMultiproof(fromHex(read.proof)), entries))
        throw new Error(`account ${i}: proof does not verify`);
      if (BigInt(read.value.balance) !== AMOUNT + (received.get(i) ?? 0n))
        throw new Error(
          `account ${i}: balance ${read.value.balance}, expected ${AMOUNT + (received.get(i) ?? 0n)}`,
        );
    }
    const heapEnd = await inspector.heapAfterGcMiB();
    inspector.close();
    const rssEnd = workerdRssMiB(worker);
    const cacheEnd = (await get(`/v1/dev/bench/cache?lane=${LANE_BIG}`)) as CacheStats;
    if (cacheEnd.records > cacheEnd.recordsMax) throw new Error("node cache above its bound");
    readMs.sort((a, b) => a - b);
    const report = {
      accounts: ACCOUNTS,
      buildSeconds,
      heapAfterGcMiB: { start: heapStart, built: heapBuilt, end: heapEnd },
      rssMiB: { start: rssStart, built: rssBuilt, end: rssEnd },
      cache: { built: cacheBuilt, end: cacheEnd },
      transfersPerSecond: { millionLane: bigTps, freshLane: freshTps, ratio: bigTps / freshTps },
      provenReadMs: { n: READS, p50: quantile(readMs, 0.5), p99: quantile(readMs, 0.99) },
      totalSeconds: (performance.now() - started) / 1000,
    };
    console.log(`\n${ACCOUNTS.toLocaleString("en-US")} accounts in one lane (wrangler dev)`);
    console.log(
      `  build                 ${buildSeconds.toFixed(1)} s (${(ACCOUNTS / buildSeconds).toFixed(0)} accounts/s)`,
    );
    console.log(
      `  V8 heap after GC      ${heapStart.usedMiB.toFixed(1)} MiB at start → ${heapBuilt.usedMiB.toFixed(1)} MiB built → ${heapEnd.usedMiB.toFixed(1)} MiB after load (Worker isolate)`,
    );
    console.log(
      `  workerd RSS           ${rssStart.toFixed(0)} MiB at start → ${rssBuilt.toFixed(0)} MiB built → ${rssEnd.toFixed(0)} MiB after load`,
    );
    console.log(
      `  node cache            ${cacheEnd.records.toLocaleString("en-US")} / ${cacheEnd.recordsMax.toLocaleString("en-US")} records (hits ${cacheEnd.hits}, misses ${cacheEnd.misses})`,
    );
    console.log(
      `  transfers (random to) ${bigTps.toFixed(0)} tx/s vs fresh lane ${freshTps.toFixed(0)} tx/s = ${(bigTps / freshTps).toFixed(2)}×`,
    );
    console.log(
      `  proven reads          p50 ${report.provenReadMs.p50.toFixed(2)} ms, p99 ${report.provenReadMs.p99.toFixed(2)} ms (${READS}, all verified)`,
    );
    const out = path.join(ROOT, ".bench/edge-million.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${path.relative(ROOT, out)} (total ${report.totalSeconds.toFixed(0)} s)`);
  } finally {
    client.close();
    await worker.stop();
  }
}

if (import.meta.main)
  runMillion().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
