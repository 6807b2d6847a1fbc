/**
 * Settlement cluster benchmark: four real validator processes on loopback
 * (`bitlayer-settlement start`, temp directories, PGlite databases, WAL and
 * block-store fsyncs, signed WebSocket peers), driven over their HTTP API.
 *
 *   node_modules/.bin/node bench/settlement/cluster.ts [--quick] [--keep] [--cpu-prof DIR] [--database none] [--timeline N]
 *
 * Measured in the same run, on this machine:
 *   - the floor F = 3 × loopback WebSocket round trip (between two processes)
 *     + 3 Ed25519 verifies (node:crypto, the node's backend) + 1 fsync;
 *   - commit latency: one transfer at a time, from the HTTP submission to the
 *     answer of the same validator's waiting GET /v1/txs/{hash}?waitMs=
 *     (given once the block is applied and fsynced), p50 and p99, as
 *     multiples of F;
 *   - settlement throughput: signed transfers from many accounts submitted to
 *     the four validators concurrently, committed tx/s, as a ratio to one
 *     core's Node verify rate;
 *   - lane checkpoints per second: many lanes, each with its own sequencer,
 *     posting chained postCheckpoint transactions (real batch data) as a
 *     sequencer fleet would, committed checkpoints/s, and the ceiling the
 *     signature work allows on this machine (each checkpoint carries two
 *     signatures that each of the four validators verifies once).
 * --timeline N also prints the N slowest commits of the latency phase, each
 * validator's phases on one clock (ms since the submission).
 * Prints a table and writes .bench/settlement.json. --quick finishes in under
 * two minutes on two cores; the full run takes larger samples.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";
import { concatBytes, fromHex, toHex } from "../../shared/bytes.ts";
import { encode } from "../../shared/codec/index.ts";
import { formatAddress, generateKeyPair, type KeyPair, sign } from "../../shared/crypto/index.ts";
import { batchDataOf, laneBlockCodec } from "../../shared/lane/batch.ts";
import { hashTagged, domainTag } from "../../shared/hash.ts";
import {
  accountAddressOf,
  batchHashOf,
  checkpointBodyOf,
  checkpointSignBytes,
  encodeSettlementTx,
  type SettlementPayload,
  settlementTxHash,
  settlementTxSignBytes,
} from "../../settlement-node/ledger/index.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const NODE_BIN = path.join(ROOT, "node_modules/.bin/node");
const CLI = path.join(ROOT, "settlement-node/cli.ts");
const CHAIN_ID = "bitlayer-bench";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    /** Writes V8 CPU profiles into DIR/validator-<i>/ (main thread and database worker; they stop with SIGTERM). */
    "cpu-prof": { type: "string" },
    /** The validators' database: pglite (default, what the goals are measured with) or none (its cost). */
    database: { type: "string", default: "pglite" },
    /** Prints the N slowest latency samples' per-validator phases on one clock. */
    timeline: { type: "string" },
  },
});
if (values.database !== "pglite" && values.database !== "none") throw new Error("--database pglite|none");
const CPU_PROF_DIR = values["cpu-prof"] ? path.resolve(values["cpu-prof"]) : null;
const QUICK = values.quick;
const SIZES = QUICK
  ? { latencySamples: 40, transfers: 2000, transferAccounts: 64, lanes: 32, checkpointsPerLane: 40 }
  : { latencySamples: 500, transfers: 8000, transferAccounts: 128, lanes: 64, checkpointsPerLane: 60 };
const SUBMIT_CONCURRENCY = 32;
/** Latency samples taken and dropped before the kept ones (see latencyPhase). */
const LATENCY_WARMUP_SAMPLES = 20;
/** Warm-up transfers before the measured phases; "quiet" is the four validators using under this many cores. */
const WARMUP_TRANSFERS = 1000;
const QUIET_CORES = 0.1;
/** Empty blocks come at this pace; blocks with transactions start as soon as they arrive. */
const BLOCK_INTERVAL_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const log = (m: string) => process.stderr.write(`[bench/settlement] ${m}\n`);

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

// ---- the floor's parts ----------------------------------------------------------------------

/** Median round trip of a 200-byte binary frame to a WebSocket echo server in another process, ms. */
async function measureWsRoundTripMs(samples: number): Promise<number> {
  const [port] = await freePorts(1);
  const script = `
    const { WebSocketServer } = require(${JSON.stringify(path.join(ROOT, "node_modules/ws"))});
    const s = new WebSocketServer({ host: "127.0.0.1", port: ${port} });
    s.on("listening", () => process.stdout.write("ready\\n"));
    s.on("connection", (ws) => ws.on("message", (d) => ws.send(d)));`;
  const child = spawn(NODE_BIN, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`ws echo server exited with ${code}`)));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((r, j) => {
      ws.once("open", r);
      ws.once("error", j);
    });
    const frame = new Uint8Array(200);
    const times: number[] = [];
    for (let i = 0; i < samples + 100; i++) {
      const t0 = performance.now();
      await new Promise<void>((r) => {
        ws.once("message", () => r());
        ws.send(frame);
      });
      if (i >= 100) times.push(performance.now() - t0);
    }
    ws.terminate();
    return quantile(times, 0.5);
  } finally {
    child.kill("SIGKILL");
  }
}

/** Mean time of one Ed25519 verify with node:crypto (KeyObject built once, as the node caches it), ms. */
function measureVerifyMs(n: number): number {
  const k = generateKeyPair(new Uint8Array(32).fill(7));
  const msg = new Uint8Array(150).fill(1);
  const sig = sign(k.secretKey, msg);
  const key = createPublicKey({
    key: Buffer.from(concatBytes(fromHex("302a300506032b6570032100"), k.publicKey)),
    format: "der",
    type: "spki",
  });
  let ok = 0;
  for (let i = 0; i < 500; i++) if (nodeVerify(null, msg, key, sig)) ok++;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (nodeVerify(null, msg, key, sig)) ok++;
  const ms = (performance.now() - t0) / n;
  if (ok !== n + 500) throw new Error("verify failed");
  return ms;
}

/** Median of write(200 bytes) + fsync in `dir` (the validators' file system), ms. */
function measureFsyncMs(dir: string, n: number): number {
  const file = path.join(dir, "fsync-probe");
  const fd = fs.openSync(file, "w");
  const times: number[] = [];
  const buf = new Uint8Array(200);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fs.writeSync(fd, buf);
    fs.fsyncSync(fd);
    times.push(performance.now() - t0);
  }
  fs.closeSync(fd);
  fs.rmSync(file);
  return quantile(times, 0.5);
}

// ---- the cluster ------------------------------------------------------------------------------

type Cluster = { dir: string; urls: string[]; children: ChildProcess[]; accounts: KeyPair[] };
let stopping = false;

/** SIGTERM (a clean stop, which writes CPU profiles), then SIGKILL whatever is left after 20 s. */
async function stopCluster(c: Cluster): Promise<void> {
  stopping = true;
  await Promise.all(
    c.children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}

async function startCluster(accounts: number): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-bench-settlement-"));
  const ports = await freePorts(8);
  const out = JSON.parse(
    execFileSync(
      NODE_BIN,
      [
        CLI,
        "init",
        "--validators",
        "4",
        "--accounts",
        String(accounts),
        "--dir",
        dir,
        "--chain-id",
        CHAIN_ID,
        "--p2p-ports",
        ports.slice(0, 4).join(","),
        "--api-ports",
        ports.slice(4).join(","),
        "--database",
        values.database,
        "--block-interval-ms",
        String(BLOCK_INTERVAL_MS),
        "--api-rate-limit",
        "0",
      ],
      { encoding: "utf8" },
    ),
  ) as { configFiles: string[]; accountKeyFiles: string[] };
  for (const f of out.configFiles) {
    const c = JSON.parse(fs.readFileSync(f, "utf8"));
    c.logLevel = "warn";
    // Room for the whole burst: the mempool bounds are what a real operator would raise for a fleet.
    c.mempool = { txsMax: 50_000 };
    fs.writeFileSync(f, JSON.stringify(c, null, 2));
  }
  const children = out.configFiles.map((f, i) => {
    // One directory per validator: its main thread's profile and its database worker's (named by thread id).
    const prof = CPU_PROF_DIR
      ? ["--cpu-prof", `--cpu-prof-dir=${path.join(CPU_PROF_DIR, `validator-${i}`)}`]
      : [];
    const child = spawn(NODE_BIN, [...prof, CLI, "start", "--config", f], {
      stdio: ["ignore", fs.openSync(path.join(dir, `validator-${i}.log`), "a"), "inherit"],
    });
    child.once("exit", (code, signal) => {
      if (signal !== "SIGKILL" && !stopping)
        log(`validator ${i} exited (code ${code}, signal ${signal}): see ${dir}`);
    });
    return child;
  });
  const keys = out.accountKeyFiles.map((f) => {
    const k = JSON.parse(fs.readFileSync(f, "utf8")) as { publicKey: string; secretKey: string };
    return { publicKey: fromHex(k.publicKey), secretKey: fromHex(k.secretKey) };
  });
  return { dir, urls: ports.slice(4).map((p) => `http://127.0.0.1:${p}`), children, accounts: keys };
}

async function getJson<T>(url: string): Promise<T> {
  let r: Response;
  try {
    r = await fetch(url);
  } catch {
    // A kept-alive socket the validator closed just as it was reused (seen once after the
    // warm-up's load): a GET is safe to send again, on a new connection.
    r = await fetch(url);
  }
  if (!r.ok) throw new Error(`GET ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}
const heightOf = async (url: string) =>
  BigInt((await getJson<{ height: string }>(`${url}/v1/status`)).height);
const nonceOf = async (url: string, a: KeyPair) =>
  BigInt(
    (await getJson<{ nonce: string }>(`${url}/v1/accounts/${formatAddress(accountAddressOf(a.publicKey))}`))
      .nonce,
  );

function signedTx(a: KeyPair, nonce: bigint, payload: SettlementPayload): Uint8Array {
  const body = { sender: a.publicKey, nonce, fee: 1n, payload };
  return encodeSettlementTx({ body, signature: sign(a.secretKey, settlementTxSignBytes(CHAIN_ID, body)) });
}

/** POST /v1/txs as raw bytes; true when admitted (202). */
async function submit(url: string, tx: Uint8Array): Promise<boolean> {
  const r = await fetch(`${url}/v1/txs`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: new Uint8Array(tx),
  });
  await r.arrayBuffer();
  return r.status === 202;
}

/** Submits every tx, SUBMIT_CONCURRENCY at a time, spread over the validators. Returns the refused count. */
async function submitAll(urls: readonly string[], txs: readonly Uint8Array[]): Promise<number> {
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: SUBMIT_CONCURRENCY }, async (_, w) => {
      while (next < txs.length) {
        const k = next++;
        if (!(await submit(urls[(k + w) % urls.length]!, txs[k]!))) refused++;
      }
    }),
  );
  return refused;
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

// ---- per-height phase timings (GET /v1/node/phases, settlement-node/node/phases.ts) -------------

type PhaseSummary = { heights: number; median: Record<string, number>; p90: Record<string, number> };
const PHASE_ROWS: [string, string][] = [
  ["txWokeMs", "tx woke the idle node (before start)"],
  ["proposalMs", "proposal in the core"],
  ["prevoteMs", "own prevote sent"],
  ["precommitMs", "> 2/3 prevotes (own precommit sent)"],
  ["decidedMs", "> 2/3 precommits (decided)"],
  ["appliedMs", "ledger applied"],
  ["storedMs", "block store fsynced"],
  ["indexedMs", "database indexed"],
  ["indexWorkMs", "  index transaction itself"],
  ["walSyncMs", "  WAL fsyncs in the height"],
  ["verifyMs", "  consensus verifies in the height"],
  ["idleMs", "idle before the height"],
  ["txs", "txs per block"],
];

/** Each validator's phase medians over the heights in [from, to] that carried transactions. */
async function phaseSummaries(c: Cluster, from: bigint, to: bigint): Promise<PhaseSummary[]> {
  return await Promise.all(
    c.urls.map(
      async (url) =>
        (await getJson<{ summary: PhaseSummary }>(`${url}/v1/node/phases?txsMin=1&from=${from}&to=${to}`))
          .summary,
    ),
  );
}

/** CPU seconds the four validator processes (all their threads) have used so far. */
async function cpuSeconds(c: Cluster): Promise<number> {
  const all = await Promise.all(
    c.urls.map(
      async (url) => (await getJson<{ cpuMicros: number }>(`${url}/v1/node/phases?from=0&to=0`)).cpuMicros,
    ),
  );
  return all.reduce((a, b) => a + b, 0) / 1e6;
}

/** Native signature verifies so far, summed over the validators (their /metrics counter). */
async function verifiesOf(c: Cluster): Promise<number> {
  const all = await Promise.all(
    c.urls.map(async (url) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text
        .split("\n")
        .find((l) => l.startsWith("bitlayer_settlement_signature_verifies_total "));
      return Number(line?.split(" ")[1] ?? Number.NaN);
    }),
  );
  return all.reduce((a, b) => a + b, 0);
}

function phaseTable(title: string, summaries: PhaseSummary[]): string {
  const cell = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(1));
  const lines = [
    `  ${title}: ms since the height started, median per validator (heights with txs: ${summaries.map((s) => s.heights).join("/")})`,
  ];
  for (const [key, label] of PHASE_ROWS)
    lines.push(`    ${label.padEnd(40)} ${summaries.map((s) => cell(s.median[key]).padStart(8)).join("")}`);
  return lines.join("\n");
}

// ---- phases -----------------------------------------------------------------------------------

/**
 * One transfer at a time: from its submission to the answer of the
 * validator's waiting GET /v1/txs/{hash}?waitMs= (given at commit, once the
 * block is applied and fsynced), as a client that waits on settlement sees
 * it, and how long each POST took to be answered (202). The first
 * LATENCY_WARMUP_SAMPLES are not kept: the warm-up's transfers never took
 * this path (single-tx heights, waiting GETs), and the first commits met
 * its cold code and the database writing its blocks.
 */
async function latencyPhase(c: Cluster, senders: KeyPair[]): Promise<LatencySample[]> {
  const to = accountAddressOf(c.accounts[0]!.publicKey);
  const nonces = new Map<KeyPair, bigint>();
  const samples: LatencySample[] = [];
  for (let s = -LATENCY_WARMUP_SAMPLES; s < SIZES.latencySamples; s++) {
    const i = s + LATENCY_WARMUP_SAMPLES;
    const validator = i % c.urls.length;
    const url = c.urls[validator]!;
    const a = senders[i % senders.length]!;
    const nonce = nonces.get(a) ?? (await nonceOf(url, a));
    const tx = signedTx(a, nonce, { type: "transfer", to, amount: 1n });
    // Let the chain go idle between samples, so each one measures a block of its own.
    await sleep(20);
    const t0 = performance.now();
    if (!(await submit(url, tx))) throw new Error("latency transfer refused");
    const submitMs = performance.now() - t0;
    const landed = await getJson<{ state: string; status?: number; height?: string }>(
      `${url}/v1/txs/0x${toHex(settlementTxHash(tx))}?waitMs=10000`,
    );
    if (landed.state !== "committed" || landed.status !== 0)
      throw new Error(`latency transfer not applied: ${JSON.stringify(landed)}`);
    const commitMs = performance.now() - t0;
    nonces.set(a, nonce + 1n);
    if (s >= 0)
      samples.push({
        submittedAtUnixMs: performance.timeOrigin + t0,
        validator,
        submitMs,
        commitMs,
        height: landed.height!,
      });
  }
  return samples;
}

type LatencySample = {
  submittedAtUnixMs: number;
  validator: number;
  submitMs: number;
  commitMs: number;
  height: string;
};

/** The `count` slowest samples, each validator's phases of that height on the client's clock. */
async function printTimeline(c: Cluster, samples: LatencySample[], count: number): Promise<void> {
  type Phases = Record<string, number | string | boolean | null> & {
    height: string;
    startedAtUnixMs: number;
  };
  const byValidator = await Promise.all(
    c.urls.map(async (url) => {
      const { recent } = await getJson<{ recent: Phases[] }>(`${url}/v1/node/phases?recent=512`);
      return new Map(recent.map((h) => [h.height, h]));
    }),
  );
  const columns = [
    ["proposalMs", "proposal"],
    ["prevoteMs", "prevote"],
    ["precommitMs", "precommit"],
    ["decidedMs", "decided"],
    ["appliedMs", "applied"],
    ["storedMs", "stored"],
    ["indexedMs", "indexed"],
  ] as const;
  const slowest = [...samples].sort((a, b) => b.commitMs - a.commitMs).slice(0, count);
  for (const s of slowest) {
    console.log(
      `  height ${s.height}: committed after ${s.commitMs.toFixed(1)} ms, tx to validator ${s.validator}, ` +
        `POST answered after ${s.submitMs.toFixed(1)} ms; ms since the submission:`,
    );
    console.log(
      `    ${["validator", "start", ...columns.map(([, label]) => label), "wal fsyncs"].map((x) => x.padStart(9)).join(" ")}`,
    );
    byValidator.forEach((phases, i) => {
      const h = phases.get(s.height);
      if (!h) return;
      const start = h.startedAtUnixMs - s.submittedAtUnixMs;
      const at = (k: string) => (typeof h[k] === "number" ? (start + (h[k] as number)).toFixed(1) : "-");
      const cells = [
        `${i}${h.proposed ? " (P)" : ""}`,
        start.toFixed(1),
        ...columns.map(([k]) => at(k)),
        `${h.walSyncs}/${Number(h.walSyncMs).toFixed(1)}ms`,
      ];
      console.log(`    ${cells.map((x) => x.padStart(9)).join(" ")}`);
    });
  }
}

async function throughputPhase(c: Cluster, senders: KeyPair[], transfers = SIZES.transfers) {
  const url = c.urls[0]!;
  const to = accountAddressOf(c.accounts[0]!.publicKey);
  const start = await Promise.all(senders.map((a) => nonceOf(url, a)));
  const txs: Uint8Array[] = [];
  const perSender = Math.ceil(transfers / senders.length);
  // Nonce-major order: every sender's next nonce is admitted before its later ones are needed.
  for (let k = 0; k < perSender; k++)
    for (const [i, a] of senders.entries())
      txs.push(signedTx(a, start[i]! + BigInt(k), { type: "transfer", to, amount: 1n }));
  const h0 = await heightOf(url);
  const cpu0 = await cpuSeconds(c);
  const verifies0 = await verifiesOf(c);
  const t0 = performance.now();
  const refused = await submitAll(c.urls, txs);
  const tSubmitted = performance.now();
  const target = start.map((n) => n + BigInt(perSender));
  await waitUntil("transfers committed", 300_000, async () => {
    const last = senders.length - 1;
    if ((await nonceOf(url, senders[last]!)) < target[last]!) return false;
    const now = await Promise.all(senders.map((a) => nonceOf(url, a)));
    return now.every((n, i) => n >= target[i]!);
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await cpuSeconds(c)) - cpu0;
  const verifies = (await verifiesOf(c)) - verifies0;
  const blocks = Number((await heightOf(url)) - h0);
  return {
    validatorCpuMsPerTx: (1000 * cpu) / (txs.length - refused),
    verifiesPerTxPerValidator: verifies / c.urls.length / (txs.length - refused),
    validatorCoresBusy: cpu / seconds,
    txs: txs.length,
    refused,
    seconds,
    submitSeconds: (tSubmitted - t0) / 1000,
    blocks,
    txPerSecond: (txs.length - refused) / seconds,
  };
}

/**
 * Before anything is measured: transfers through every validator, so the
 * JIT and PGlite's WebAssembly tier up on real work (a fresh cluster spends
 * seconds of background compilation on it), then a wait until the
 * validators' CPU use is down to what idle empty blocks cost.
 */
async function warmUp(c: Cluster, senders: KeyPair[]): Promise<void> {
  await throughputPhase(c, senders, WARMUP_TRANSFERS);
  const deadline = performance.now() + 60_000;
  for (let before = await cpuSeconds(c); performance.now() < deadline; ) {
    await sleep(1000);
    const now = await cpuSeconds(c);
    if (now - before < QUIET_CORES) return;
    before = now;
  }
  log("the validators did not go quiet within 60 s of the warm-up; measuring anyway");
}

/** A lane block of two opaque 150-byte transactions: batch data that decodes as settlement requires. */
function laneBatch(lane: number, height: bigint): Uint8Array {
  const block = encode(laneBlockCodec, {
    header: {
      chainId: "bench-lane",
      lane,
      height,
      timestampMs: 0n,
      sequencer: new Uint8Array(32),
      baseFeePerGas: 0n,
    },
    deposits: [],
    txs: [new Uint8Array(150).fill(1), new Uint8Array(150).fill(2)],
  });
  return batchDataOf([block]);
}

async function checkpointPhase(c: Cluster, sequencers: KeyPair[]) {
  const url = c.urls[0]!;
  const tag = domainTag("bench/lane-root");
  const genesisRoot = (lane: number) => hashTagged(tag, new Uint8Array([lane & 0xff, lane >> 8, 0, 0]));
  // Open one lane per sequencer (its own account); lane ids follow the order they commit in.
  const opens = sequencers.map((s) =>
    signedTx(s, 0n, {
      type: "openLane",
      sequencer: s.publicKey,
      bond: 5_000n,
      challengeWindowBlocks: 10n,
      genesisRoot: genesisRoot(0),
      forcedInclusionBlocks: 100n,
      genesisEscrow: 0n,
    }),
  );
  if ((await submitAll(c.urls, opens)) > 0) throw new Error("openLane refused");
  type LaneJson = { id: number; sequencer: string; lastRoot: string; checkpointCount: string };
  const lanes = async () => {
    const out: LaneJson[] = [];
    for (let from = 1; ; ) {
      const page = await getJson<{ lanes: LaneJson[]; next: string | null }>(
        `${url}/v1/lanes?from=${from}&limit=200`,
      );
      out.push(...page.lanes);
      if (!page.next) return out;
      from = Number(page.next);
    }
  };
  await waitUntil("lanes open", 120_000, async () => (await lanes()).length >= sequencers.length);
  const byKey = new Map((await lanes()).map((l) => [l.sequencer, l]));

  // Every lane's chain of checkpoints, signed before the clock starts.
  const txs: Uint8Array[] = [];
  const perLane = SIZES.checkpointsPerLane;
  let batchBytes = 0;
  const chains = sequencers.map((s) => {
    const lane = byKey.get(`0x${Buffer.from(s.publicKey).toString("hex")}`)!;
    const list: Uint8Array[] = [];
    let prevRoot = fromHex(lane.lastRoot.slice(2));
    for (let i = 0; i < perLane; i++) {
      const newRoot = hashTagged(tag, prevRoot);
      const batchData = laneBatch(lane.id, BigInt(i + 1));
      batchBytes = batchData.length;
      const payload = {
        type: "postCheckpoint" as const,
        lane: lane.id,
        index: BigInt(i),
        prevRoot,
        newRoot,
        withdrawalCount: 0n,
        depositCursor: 0n,
        forcedCursor: 0n,
        batchData,
        batchHash: batchHashOf(batchData),
        stfVersion: 1,
        sequencer: s.publicKey,
        sequencerSignature: new Uint8Array(64) as Uint8Array,
      };
      payload.sequencerSignature = sign(
        s.secretKey,
        checkpointSignBytes(CHAIN_ID, checkpointBodyOf(payload)),
      );
      list.push(signedTx(s, BigInt(i + 1), payload));
      prevRoot = newRoot;
    }
    return list;
  });
  for (let i = 0; i < perLane; i++) for (const chain of chains) txs.push(chain[i]!);
  const h0 = await heightOf(url);
  const cpu0 = await cpuSeconds(c);
  const verifies0 = await verifiesOf(c);
  const t0 = performance.now();
  const refused = await submitAll(c.urls, txs);
  const total = sequencers.length * perLane;
  await waitUntil("checkpoints committed", 300_000, async () => {
    let sum = 0;
    for (const l of await lanes()) sum += Number(l.checkpointCount);
    return sum >= total - refused;
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await cpuSeconds(c)) - cpu0;
  const verifies = (await verifiesOf(c)) - verifies0;
  return {
    validatorCpuMsPerCheckpoint: (1000 * cpu) / (total - refused),
    verifiesPerCheckpointPerValidator: verifies / c.urls.length / (total - refused),
    validatorCoresBusy: cpu / seconds,
    lanes: sequencers.length,
    checkpoints: total,
    refused,
    batchDataBytes: batchBytes,
    seconds,
    blocks: Number((await heightOf(url)) - h0),
    checkpointsPerSecond: (total - refused) / seconds,
  };
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const tStart = performance.now();
  const accounts = SIZES.transferAccounts + SIZES.lanes;
  const c = await startCluster(accounts);
  const kill = () => {
    for (const child of c.children) child.kill("SIGKILL");
  };
  process.on("exit", kill);
  try {
    log(`4 validators starting in ${c.dir}`);
    for (const url of c.urls)
      await waitUntil(`validator ${url}`, 180_000, async () => {
        try {
          return (await heightOf(url)) >= 1n;
        } catch {
          return false;
        }
      });
    const tReady = performance.now();
    log(`cluster up in ${((tReady - tStart) / 1000).toFixed(1)} s; measuring the floor`);
    const rttMs = await measureWsRoundTripMs(QUICK ? 1000 : 4000);
    const verifyMs = measureVerifyMs(QUICK ? 3000 : 10000);
    const fsyncMs = measureFsyncMs(c.dir, QUICK ? 100 : 400);
    const floorMs = 3 * rttMs + 3 * verifyMs + fsyncMs;

    const transferAccounts = c.accounts.slice(0, SIZES.transferAccounts);
    const sequencers = c.accounts.slice(SIZES.transferAccounts);
    log(`warm-up: ${WARMUP_TRANSFERS} transfers, then until the validators are quiet`);
    await warmUp(c, transferAccounts);
    log(`latency: ${SIZES.latencySamples} transfers one at a time, after ${LATENCY_WARMUP_SAMPLES} not kept`);
    const hLatency = await heightOf(c.urls[0]!);
    const cpuLatency0 = await cpuSeconds(c);
    const samples = await latencyPhase(c, transferAccounts);
    const latencies = samples.map((x) => x.commitMs);
    const latencyCpuSeconds = (await cpuSeconds(c)) - cpuLatency0;
    const hThroughput = await heightOf(c.urls[0]!);
    const latencyPhases = await phaseSummaries(c, hLatency + 1n, hThroughput);
    log(`throughput: ${SIZES.transfers} transfers from ${transferAccounts.length} accounts`);
    const tput = await throughputPhase(c, transferAccounts);
    const hCheckpoints = await heightOf(c.urls[0]!);
    const throughputPhases = await phaseSummaries(c, hThroughput + 1n, hCheckpoints);
    log(`checkpoints: ${SIZES.lanes} lanes × ${SIZES.checkpointsPerLane}`);
    const cps = await checkpointPhase(c, sequencers);
    const checkpointPhases = await phaseSummaries(c, hCheckpoints + 1n, await heightOf(c.urls[0]!));

    const cores = os.cpus().length;
    const verifyPerSecond = 1000 / verifyMs;
    // Each checkpoint: the sender's and the sequencer's signature, verified once by each of 4 validators.
    const checkpointCeiling = (cores * verifyPerSecond) / (2 * 4);
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    const result = {
      quick: QUICK,
      machine: { cpus: cores, loadAverage1m: os.loadavg()[0], node: process.version },
      floor: {
        wsRoundTripMs: rttMs,
        verifyMs,
        fsyncMs,
        F_ms: floorMs,
      },
      latency: {
        samples: latencies.length,
        p50Ms: p50,
        p99Ms: p99,
        p50OverF: p50 / floorMs,
        p99OverF: p99 / floorMs,
        submitP50Ms: quantile(
          samples.map((x) => x.submitMs),
          0.5,
        ),
        validatorCpuMsPerTx: (1000 * latencyCpuSeconds) / (latencies.length + LATENCY_WARMUP_SAMPLES),
        goals: { p50OverF: 10, p99OverF: 40 },
      },
      throughput: {
        ...tput,
        verifyPerSecondOneCore: verifyPerSecond,
        txPerSecondOverVerifyRate: tput.txPerSecond / verifyPerSecond,
      },
      checkpoints: {
        ...cps,
        goalPerSecond: 1000,
        signatureCeilingPerSecond: checkpointCeiling,
        overCeiling: cps.checkpointsPerSecond / checkpointCeiling,
      },
      phases: { latency: latencyPhases, throughput: throughputPhases, checkpoints: checkpointPhases },
      seconds: (performance.now() - tStart) / 1000,
    };
    fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, ".bench/settlement.json"), `${JSON.stringify(result, null, 2)}\n`);
    printTable(result);
    if (values.timeline) {
      console.log(`slowest ${values.timeline} commits of the latency phase ((P): the proposer):`);
      await printTimeline(c, samples, Number(values.timeline));
    }
  } finally {
    if (CPU_PROF_DIR) {
      await stopCluster(c);
      log(`CPU profiles in ${CPU_PROF_DIR}`);
    }
    kill();
    if (!values.keep) fs.rmSync(c.dir, { recursive: true, force: true });
    else log(`kept ${c.dir}`);
  }
}

function printTable(r: {
  machine: { cpus: number; loadAverage1m: number | undefined };
  floor: { wsRoundTripMs: number; verifyMs: number; fsyncMs: number; F_ms: number };
  latency: {
    samples: number;
    p50Ms: number;
    p99Ms: number;
    p50OverF: number;
    p99OverF: number;
    submitP50Ms: number;
    validatorCpuMsPerTx: number;
  };
  throughput: {
    validatorCpuMsPerTx: number;
    verifiesPerTxPerValidator: number;
    validatorCoresBusy: number;
    txs: number;
    refused: number;
    blocks: number;
    txPerSecond: number;
    verifyPerSecondOneCore: number;
    txPerSecondOverVerifyRate: number;
  };
  checkpoints: {
    validatorCpuMsPerCheckpoint: number;
    verifiesPerCheckpointPerValidator: number;
    validatorCoresBusy: number;
    lanes: number;
    checkpoints: number;
    refused: number;
    batchDataBytes: number;
    checkpointsPerSecond: number;
    signatureCeilingPerSecond: number;
    overCeiling: number;
  };
  phases: { latency: PhaseSummary[]; throughput: PhaseSummary[]; checkpoints: PhaseSummary[] };
  seconds: number;
}): void {
  const f = (x: number, d = 2) => x.toFixed(d);
  const rows: [string, string, string][] = [
    ["loopback ws round trip (2 processes)", `${f(r.floor.wsRoundTripMs, 3)} ms`, ""],
    ["Ed25519 verify (node:crypto)", `${f(r.floor.verifyMs, 3)} ms`, ""],
    ["fsync (200 B)", `${f(r.floor.fsyncMs, 3)} ms`, ""],
    ["F = 3 rtt + 3 verify + 1 fsync", `${f(r.floor.F_ms, 3)} ms`, "1 F"],
    [
      `commit latency p50 (${r.latency.samples} txs)`,
      `${f(r.latency.p50Ms)} ms`,
      `${f(r.latency.p50OverF, 1)} F (goal ≤ 10 F)`,
    ],
    [`commit latency p99`, `${f(r.latency.p99Ms)} ms`, `${f(r.latency.p99OverF, 1)} F (goal ≤ 40 F)`],
    [`  of which POST /v1/txs answered (p50)`, `${f(r.latency.submitP50Ms)} ms`, ""],
    [`  validator CPU per transfer (4 processes)`, `${f(r.latency.validatorCpuMsPerTx)} ms`, ""],
    [
      `settlement transfers (${r.throughput.txs - r.throughput.refused} in ${r.throughput.blocks} blocks)`,
      `${f(r.throughput.txPerSecond, 0)} tx/s`,
      `${f(r.throughput.txPerSecondOverVerifyRate, 3)} × verify rate (${f(r.throughput.verifyPerSecondOneCore, 0)}/s/core)`,
    ],
    [
      `  validator CPU per transfer (4 processes)`,
      `${f(r.throughput.validatorCpuMsPerTx)} ms`,
      `${f(r.throughput.validatorCoresBusy)} cores busy`,
    ],
    [`  signature verifies per transfer (per validator)`, f(r.throughput.verifiesPerTxPerValidator), ""],
    [
      `lane checkpoints (${r.checkpoints.lanes} lanes, ${r.checkpoints.checkpoints - r.checkpoints.refused} × ${r.checkpoints.batchDataBytes} B batches)`,
      `${f(r.checkpoints.checkpointsPerSecond, 0)} /s`,
      `goal 1000/s; ${f(r.checkpoints.overCeiling, 2)} × signature ceiling ${f(r.checkpoints.signatureCeilingPerSecond, 0)}/s`,
    ],
    [
      `  validator CPU per checkpoint (4 processes)`,
      `${f(r.checkpoints.validatorCpuMsPerCheckpoint)} ms`,
      `${f(r.checkpoints.validatorCoresBusy)} cores busy`,
    ],
    [
      `  signature verifies per checkpoint (per validator)`,
      f(r.checkpoints.verifiesPerCheckpointPerValidator),
      "2 = one of the sender's, one of the sequencer's",
    ],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = [
    `settlement cluster: 4 validators, ${values.database === "none" ? "no database" : "PGlite"}, ${r.machine.cpus} CPUs, load ${f(r.machine.loadAverage1m ?? 0, 1)}, ${f(r.seconds, 0)} s`,
    ...rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`),
    phaseTable("latency phase", r.phases.latency),
    phaseTable("throughput phase", r.phases.throughput),
    phaseTable("checkpoint phase", r.phases.checkpoints),
    "  (written to .bench/settlement.json)",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
