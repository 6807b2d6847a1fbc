/**
 * Edge HTTP benchmarks (issue #6, Speed): the Worker, the Sequencer Durable
 * Object and its SQLite through real HTTP against `wrangler dev`, each figure
 * with a baseline measured in the same run and the same Worker:
 *
 *   a. signed transactions per second, batches of 100 per request
 *      ÷ native Ed25519 verifies per second inside the Worker   (goal ≥ 0.6×)
 *   b. soft-confirmation latency of single-transaction submits
 *      vs an HTTP ping to the same lane object (an RPC doing nothing),
 *      at 1 and at 16 concurrent clients    (goal p50 ≤ ping p50 + 0.5 ms, p99 ≤ 1.5 × ping p99)
 *   c. single-transaction requests per second from 16 concurrent clients
 *      ÷ calls per second of one DO call doing one SQL write, same 16 clients  (goal ≥ 1.8×)
 *
 *   node_modules/.bin/node bench/edge/http.ts [--quick] [--clients N] [--json PATH]
 *   node_modules/.bin/node bench/edge/http.ts --million   (1,000,000 accounts: bench/edge/million.ts)
 *
 * Writes .bench/edge.json. Benchmarks never assert: a missed goal is printed
 * as such, and the exit code is 0 unless the run itself failed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { wranglerVars } from "../../scripts/devnet/plan.ts";
import { BenchClient, quantile, type Reply } from "./client.ts";
import { type BenchAccount, benchAccounts, signTransfers } from "./txs.ts";
import { startWranglerDev } from "./wrangler.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const argValue = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const THROUGHPUT_CLIENTS = Number(argValue("--clients") ?? 4);
const JSON_OUT = argValue("--json") ?? path.join(ROOT, ".bench/edge.json");

const P = quick
  ? { batchesPerClient: 20, latencyRounds: 4, perRound1: 50, perRound16: 10, verifyReps: 5 }
  : { batchesPerClient: 80, latencyRounds: 12, perRound1: 100, perRound16: 25, verifyReps: 9 };
const BATCH = 100;
const CONCURRENT = 16;
const LANE_THROUGHPUT = 1;
const LANE_LATENCY = 2;
const ACCOUNTS = THROUGHPUT_CLIENTS + 1 + CONCURRENT;

const toml = fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
const tomlVars = wranglerVars(toml);
const chainId = tomlVars.CHAIN_ID!;
const accountsSeed = tomlVars.DEVNET_ACCOUNTS_SEED!;

const log = (msg: string) => process.stderr.write(`[bench:edge] ${msg}\n`);
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

class BenchRunError extends Error {
  override name = "BenchRunError";
}

function expectOk(r: Reply, what: string): void {
  if (r.status !== 200) throw new BenchRunError(`${what}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
}

/** Counts included outcomes; anything else is a failed run (the figures would lie). */
function includedCount(r: Reply, expected: number, what: string): number {
  expectOk(r, what);
  const body = JSON.parse(r.body) as { status?: string; results?: { status: string; reason?: string }[] };
  const results = body.results ?? [body as { status: string; reason?: string }];
  const bad = results.filter((o) => o.status !== "included");
  if (bad.length > 0 || results.length !== expected)
    throw new BenchRunError(
      `${what}: ${bad.length} of ${results.length} not included (first: ${JSON.stringify(bad[0])})`,
    );
  return results.length;
}

async function main(): Promise<void> {
  if (args.includes("--million")) {
    await (await import("./million.ts")).runMillion();
    return;
  }
  const started = performance.now();
  const accounts = benchAccounts(accountsSeed, ACCOUNTS);
  log(`starting wrangler dev (${ACCOUNTS} funded accounts)…`);
  const worker = await startWranglerDev({
    vars: {
      BITLAYER_DEV: "1",
      DEVNET_ACCOUNTS: String(ACCOUNTS),
      RATE_LIMIT_PER_MINUTE: "1000000000",
      SETTLEMENT_URLS: "",
    },
  });
  const startupMs = performance.now() - started;
  log(`wrangler dev ready at ${worker.url} in ${(startupMs / 1000).toFixed(1)} s`);
  const client = new BenchClient(worker.url, CONCURRENT + THROUGHPUT_CLIENTS);
  try {
    const result = await run(client, accounts);
    const report = {
      machine: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
      options: { quick, throughputClients: THROUGHPUT_CLIENTS, batch: BATCH, concurrent: CONCURRENT, ...P },
      startupMs,
      totalMs: performance.now() - started,
      ...result,
    };
    printTable(report.figures);
    fs.mkdirSync(path.dirname(JSON_OUT), { recursive: true });
    fs.writeFileSync(JSON_OUT, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${path.relative(ROOT, JSON_OUT)} (total ${(report.totalMs / 1000).toFixed(1)} s)`);
  } finally {
    client.close();
    await worker.stop();
  }
}

type Figure = {
  id: string;
  figure: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  /** value ÷ baseline, or value − baseline for the p50 latency goal (ms). */
  ratio: number;
  ratioKind: "x" | "+ms";
  goal: string;
  met: boolean;
};

async function run(client: BenchClient, accounts: BenchAccount[]) {
  // Warm up: construct both lane objects (genesis, migrations), compile the hot paths.
  for (const lane of [LANE_THROUGHPUT, LANE_LATENCY]) {
    expectOk(await client.post(`/v1/dev/bench/ping?lane=${lane}`), "warm-up ping");
    expectOk(await client.post(`/v1/dev/bench/write?lane=${lane}`), "warm-up write");
  }
  expectOk(await client.post("/v1/dev/bench/verify?n=200"), "warm-up verify");

  const throughputSenders = accounts.slice(0, THROUGHPUT_CLIENTS);
  const soloSender = accounts[THROUGHPUT_CLIENTS]!;
  const concurrentSenders = accounts.slice(THROUGHPUT_CLIENTS + 1);

  // ---- a. batches of 100 vs in-Worker native verify ----
  log(`signing ${THROUGHPUT_CLIENTS * (P.batchesPerClient + 2) * BATCH} transfers for the batch phase…`);
  const batches = throughputSenders.map((a) =>
    Array.from({ length: P.batchesPerClient + 2 }, () =>
      JSON.stringify({ txs: signTransfers(a, { chainId, lane: LANE_THROUGHPUT, count: BATCH }) }),
    ),
  );
  const verifyBefore = await verifyRate(client);
  // Two warm-up batches per client, untimed.
  await Promise.all(
    batches.map(async (list) => {
      for (const body of list.splice(0, 2))
        includedCount(await client.post(`/v1/lanes/${LANE_THROUGHPUT}/txs`, body), BATCH, "warm-up batch");
    }),
  );
  log(`batch phase: ${THROUGHPUT_CLIENTS} clients × ${P.batchesPerClient} requests of ${BATCH} txs…`);
  const t0 = performance.now();
  const counts = await Promise.all(
    batches.map(async (list) => {
      let n = 0;
      for (const body of list)
        n += includedCount(await client.post(`/v1/lanes/${LANE_THROUGHPUT}/txs`, body), BATCH, "batch");
      return n;
    }),
  );
  const batchSeconds = (performance.now() - t0) / 1000;
  const batchTxs = counts.reduce((a, b) => a + b, 0);
  const txPerSecond = batchTxs / batchSeconds;
  const verifyAfter = await verifyRate(client);
  const verifyPerSecond = (verifyBefore.perSecond + verifyAfter.perSecond) / 2;

  // ---- b. latency at 1 client, interleaved with pings to the same object ----
  log(`latency phase, 1 client: ${P.latencyRounds} rounds of ${P.perRound1} pings, writes and submits…`);
  const solo = Array.from({ length: P.latencyRounds + 1 }, () =>
    signTransfers(soloSender, { chainId, lane: LANE_LATENCY, count: P.perRound1 }).map((tx) =>
      JSON.stringify({ tx }),
    ),
  );
  const ping1: number[] = [];
  const tx1: number[] = [];
  const write1: number[] = [];
  let write1Seconds = 0;
  for (let round = 0; round <= P.latencyRounds; round++) {
    const warm = round === 0;
    for (let k = 0; k < P.perRound1; k++) {
      const r = await client.post(`/v1/dev/bench/ping?lane=${LANE_LATENCY}`);
      expectOk(r, "ping");
      if (!warm) ping1.push(r.ms);
    }
    // One client, one write per call, one call at a time: what a lane without group commit could do.
    const w0 = performance.now();
    for (let k = 0; k < P.perRound1; k++) {
      const r = await client.post(`/v1/dev/bench/write?lane=${LANE_LATENCY}`);
      expectOk(r, "write");
      if (!warm) write1.push(r.ms);
    }
    if (!warm) write1Seconds += (performance.now() - w0) / 1000;
    for (const body of solo[round]!) {
      const r = await client.post(`/v1/lanes/${LANE_LATENCY}/txs`, body);
      includedCount(r, 1, "single submit");
      if (!warm) tx1.push(r.ms);
    }
  }

  // ---- b16 + c. 16 clients: pings, single submits and one-write calls, interleaved ----
  log(
    `16-client phase: ${P.latencyRounds} rounds of ${CONCURRENT} × ${P.perRound16} pings, submits and writes…`,
  );
  const conc = concurrentSenders.map((a) =>
    Array.from({ length: P.latencyRounds + 1 }, () =>
      signTransfers(a, { chainId, lane: LANE_LATENCY, count: P.perRound16 }).map((tx) =>
        JSON.stringify({ tx }),
      ),
    ),
  );
  const ping16: number[] = [];
  const tx16: number[] = [];
  const write16: number[] = [];
  let txSeconds = 0;
  let txCount = 0;
  let writeSeconds = 0;
  let writeCount = 0;
  for (let round = 0; round <= P.latencyRounds; round++) {
    const warm = round === 0;
    const wave = async (send: (c: number, k: number) => Promise<Reply>, check: (r: Reply) => void) => {
      const start = performance.now();
      const lat: number[] = [];
      await Promise.all(
        Array.from({ length: CONCURRENT }, async (_, c) => {
          for (let k = 0; k < P.perRound16; k++) {
            const r = await send(c, k);
            check(r);
            lat.push(r.ms);
          }
        }),
      );
      return { lat, seconds: (performance.now() - start) / 1000 };
    };
    const p = await wave(
      () => client.post(`/v1/dev/bench/ping?lane=${LANE_LATENCY}`),
      (r) => expectOk(r, "ping"),
    );
    const t = await wave(
      (c, k) => client.post(`/v1/lanes/${LANE_LATENCY}/txs`, conc[c]![round]![k]!),
      (r) => includedCount(r, 1, "concurrent submit"),
    );
    const w = await wave(
      () => client.post(`/v1/dev/bench/write?lane=${LANE_LATENCY}`),
      (r) => expectOk(r, "write"),
    );
    if (warm) continue;
    ping16.push(...p.lat);
    tx16.push(...t.lat);
    write16.push(...w.lat);
    txSeconds += t.seconds;
    txCount += t.lat.length;
    writeSeconds += w.seconds;
    writeCount += w.lat.length;
  }
  const tx16PerSecond = txCount / txSeconds;
  const write16PerSecond = writeCount / writeSeconds;

  const lat = (xs: number[]) => {
    const s = sorted(xs);
    return { n: s.length, p50: quantile(s, 0.5), p99: quantile(s, 0.99), mean: mean(s) };
  };
  const write1PerSecond = write1.length / write1Seconds;
  const L = {
    ping1: lat(ping1),
    tx1: lat(tx1),
    write1: lat(write1),
    ping16: lat(ping16),
    tx16: lat(tx16),
    write16: lat(write16),
  };

  const figures: Figure[] = [
    {
      id: "a.batch100",
      figure: `signed tx/s, batches of ${BATCH} (${THROUGHPUT_CLIENTS} clients)`,
      value: txPerSecond,
      unit: "tx/s",
      baseline: "native verify/s in the Worker",
      baselineValue: verifyPerSecond,
      ratio: txPerSecond / verifyPerSecond,
      ratioKind: "x",
      goal: "≥ 0.6×",
      met: txPerSecond / verifyPerSecond >= 0.6,
    },
  ];
  for (const [n, tx, ping] of [
    [1, L.tx1, L.ping1],
    [CONCURRENT, L.tx16, L.ping16],
  ] as const) {
    figures.push(
      {
        id: `b.p50.c${n}`,
        figure: `submit p50, ${n} client${n > 1 ? "s" : ""}`,
        value: tx.p50,
        unit: "ms",
        baseline: "ping p50 (same DO)",
        baselineValue: ping.p50,
        ratio: tx.p50 - ping.p50,
        ratioKind: "+ms",
        goal: "≤ +0.5 ms",
        met: tx.p50 - ping.p50 <= 0.5,
      },
      {
        id: `b.p99.c${n}`,
        figure: `submit p99, ${n} client${n > 1 ? "s" : ""}`,
        value: tx.p99,
        unit: "ms",
        baseline: "ping p99 (same DO)",
        baselineValue: ping.p99,
        ratio: tx.p99 / ping.p99,
        ratioKind: "x",
        goal: "≤ 1.5×",
        met: tx.p99 / ping.p99 <= 1.5,
      },
    );
  }
  figures.push(
    {
      id: "c.single16",
      figure: `single-tx requests/s, ${CONCURRENT} clients`,
      value: tx16PerSecond,
      unit: "tx/s",
      baseline: "one-SQL-write DO calls/s, one at a time",
      baselineValue: write1PerSecond,
      ratio: tx16PerSecond / write1PerSecond,
      ratioKind: "x",
      goal: "≥ 1.8×",
      met: tx16PerSecond / write1PerSecond >= 1.8,
    },
    {
      // Stricter than the goal: the baseline calls come from 16 clients too, so
      // only the DO's work per request differs (informational).
      id: "c.single16.vsWrite16",
      figure: `single-tx requests/s, ${CONCURRENT} clients`,
      value: tx16PerSecond,
      unit: "tx/s",
      baseline: `one-SQL-write DO calls/s, ${CONCURRENT} clients`,
      baselineValue: write16PerSecond,
      ratio: tx16PerSecond / write16PerSecond,
      ratioKind: "x",
      goal: "(info)",
      met: true,
    },
  );
  return {
    figures,
    detail: {
      batch: { txs: batchTxs, seconds: batchSeconds },
      verify: { before: verifyBefore, after: verifyAfter },
      latencyMs: L,
      single16: { txs: txCount, seconds: txSeconds, writes: writeCount, writeSeconds },
      write1: { calls: write1.length, seconds: write1Seconds },
    },
  };
}

/**
 * Native verifies per second inside the Worker: requests of n verifies, timed
 * from here, minus the median round trip of n = 0 (workerd's clock does not
 * move while the request computes). n doubles until a request takes ≥ 80 ms.
 */
async function verifyRate(client: BenchClient): Promise<{ perSecond: number; n: number; emptyMs: number }> {
  const empty: number[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await client.post("/v1/dev/bench/verify?n=0");
    expectOk(r, "verify n=0");
    empty.push(r.ms);
  }
  const emptyMs = quantile(sorted(empty), 0.5);
  let n = 500;
  for (;;) {
    const r = await client.post(`/v1/dev/bench/verify?n=${n}`);
    expectOk(r, "verify");
    if (r.ms >= 80 || n >= 50_000) break;
    n *= 2;
  }
  const times: number[] = [];
  for (let i = 0; i < P.verifyReps; i++) {
    const r = await client.post(`/v1/dev/bench/verify?n=${n}`);
    expectOk(r, "verify");
    const { valid } = JSON.parse(r.body) as { valid: number };
    if (valid !== n) throw new BenchRunError(`verify: ${valid} of ${n} valid signatures accepted`);
    times.push(r.ms - emptyMs);
  }
  return { perSecond: n / (quantile(sorted(times), 0.5) / 1000), n, emptyMs };
}

function printTable(figures: Figure[]): void {
  const fmt = (v: number, unit: string) =>
    unit === "ms" ? `${v.toFixed(2)} ms` : `${Math.round(v).toLocaleString("en-US")} ${unit}`;
  const rows = figures.map((f) => [
    f.figure,
    fmt(f.value, f.unit),
    `${f.baseline}: ${fmt(f.baselineValue, f.unit === "ms" ? "ms" : f.id.startsWith("a") ? "verify/s" : "call/s")}`,
    f.ratioKind === "x" ? `${f.ratio.toFixed(2)}×` : `${f.ratio >= 0 ? "+" : ""}${f.ratio.toFixed(2)} ms`,
    f.goal,
    f.goal === "(info)" ? "" : f.met ? "met" : "MISSED",
  ]);
  const header = ["figure", "value", "baseline", "ratio", "goal", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(`\nEdge HTTP benchmarks (wrangler dev, ${quick ? "quick" : "full"} run)`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
