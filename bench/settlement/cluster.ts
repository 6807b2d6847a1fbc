/**
 * Settlement cluster benchmark (Node only, run by hand):
 *
 *   node bench/settlement/cluster.ts [--txs 2000] [--latency-samples 40] [--keep]
 *
 * Four validators on loopback (real processes, WAL and block store fsyncs,
 * no database), then:
 *   - throughput: signed transfers submitted over HTTP to the four validators
 *     round-robin; committed tx/s from the first submission to the last commit;
 *   - commit latency: one transfer at a time, submission to commit as seen by
 *     the validator it was sent to, p50 and p99;
 *   - the floor F = 3 × loopback WebSocket round trip + 3 Ed25519 verifies +
 *     1 fsync, each measured in this run on this machine, and the ratios.
 * Prints one JSON object (also written to .bench/settlement-cluster.json).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { WebSocket, WebSocketServer } from "ws";
import { concatBytes, fromHex, toHex } from "../../shared/bytes.ts";
import { generateKeyPair, sign, verifySignature } from "../../shared/crypto/index.ts";
import { installNodeVerifier } from "../../settlement-node/crypto/node-verifier.ts";
import {
  accountAddressOf,
  encodeSettlementTx,
  settlementTxSignBytes,
} from "../../settlement-node/ledger/index.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const NODE_BIN = path.join(ROOT, "node_modules/.bin/node");
const CLI = path.join(ROOT, "settlement-node/cli.ts");

const { values } = parseArgs({
  options: {
    txs: { type: "string", default: "2000" },
    "latency-samples": { type: "string", default: "40" },
    keep: { type: "boolean", default: false },
  },
});
const TXS = Number(values.txs);
const LATENCY_SAMPLES = Number(values["latency-samples"]);
const ACCOUNTS = 32;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((r) => {
          const s = net.createServer();
          s.listen(0, "127.0.0.1", () => r(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Median loopback WebSocket round trip of a small binary frame, in ms. */
async function measureWsRoundTripMs(): Promise<number> {
  const [port] = await freePorts(1);
  const server = new WebSocketServer({ host: "127.0.0.1", port: port! });
  server.on("connection", (ws) => ws.on("message", (d) => ws.send(d)));
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((r) => ws.once("open", r));
  const samples: number[] = [];
  const frame = new Uint8Array(200);
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      ws.once("message", () => r());
      ws.send(frame);
    });
    if (i >= 200) samples.push(performance.now() - t0);
  }
  ws.terminate();
  await new Promise((r) => server.close(r));
  return quantile(samples, 0.5);
}

/** Mean time of one Ed25519 verify through the node's policy path (node:crypto backend), in ms. */
async function measureVerifyMs(): Promise<number> {
  installNodeVerifier();
  const k = generateKeyPair(new Uint8Array(32).fill(7));
  const msg = new Uint8Array(150).fill(1);
  const sig = sign(k.secretKey, msg);
  for (let i = 0; i < 500; i++) await verifySignature(k.publicKey, msg, sig);
  const n = 5000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await verifySignature(k.publicKey, msg, sig);
  const viaPolicy = (performance.now() - t0) / n;
  // Raw node:crypto for reference (not used in F).
  const key = createPublicKey({
    key: Buffer.from(concatBytes(fromHex("302a300506032b6570032100"), k.publicKey)),
    format: "der",
    type: "spki",
  });
  const t1 = performance.now();
  for (let i = 0; i < n; i++) nodeVerify(null, msg, key, sig);
  rawVerifyMs = (performance.now() - t1) / n;
  return viaPolicy;
}
let rawVerifyMs = 0;

/** Median of write(200 bytes) + fsync on the temp file system, in ms. */
function measureFsyncMs(dir: string): number {
  const fd = fs.openSync(path.join(dir, "fsync-probe"), "w");
  const samples: number[] = [];
  const buf = new Uint8Array(200);
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    fs.writeSync(fd, buf);
    fs.fsyncSync(fd);
    samples.push(performance.now() - t0);
  }
  fs.closeSync(fd);
  return quantile(samples, 0.5);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-bench-"));
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
        String(ACCOUNTS),
        "--dir",
        dir,
        "--chain-id",
        "bitlayer-bench",
        "--p2p-ports",
        ports.slice(0, 4).join(","),
        "--api-ports",
        ports.slice(4).join(","),
        "--database",
        "none",
        "--block-interval-ms",
        "0",
        "--timeout-propose-ms",
        "500",
        "--gossip-interval-ms",
        "100",
        "--api-rate-limit",
        "0",
      ],
      { encoding: "utf8" },
    ),
  ) as { configFiles: string[] };
  for (const f of out.configFiles) {
    const c = JSON.parse(fs.readFileSync(f, "utf8"));
    c.logLevel = "warn";
    fs.writeFileSync(f, JSON.stringify(c, null, 2));
  }
  const urls = ports.slice(4).map((p) => `http://127.0.0.1:${p}`);
  const children: ChildProcess[] = out.configFiles.map((f, i) =>
    spawn(NODE_BIN, [CLI, "start", "--config", f], {
      stdio: ["ignore", fs.openSync(path.join(dir, `validator-${i}.log`), "a"), "inherit"],
    }),
  );
  const killAll = () => {
    for (const c of children) c.kill("SIGKILL");
  };
  process.on("exit", killAll);
  try {
    const getJson = async (u: string) => (await fetch(u)).json() as Promise<Record<string, string>>;
    const height = async (i: number) => BigInt((await getJson(`${urls[i]}/v1/status`)).height!);
    for (let i = 0; i < 4; i++)
      for (;;) {
        try {
          if ((await height(i)) >= 2n) break;
        } catch {}
        await sleep(100);
      }

    const keysDir = path.join(dir, "keys");
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => {
      const k = JSON.parse(fs.readFileSync(path.join(keysDir, `account-${i}.json`), "utf8"));
      return { publicKey: fromHex(k.publicKey), secretKey: fromHex(k.secretKey), nonce: 0n };
    });
    const to = accountAddressOf(accounts[0]!.publicKey);
    const makeTx = (a: (typeof accounts)[number]) => {
      const body = {
        sender: a.publicKey,
        nonce: a.nonce++,
        fee: 1n,
        payload: { type: "transfer" as const, to, amount: 1n },
      };
      return toHex(
        encodeSettlementTx({
          body,
          signature: sign(a.secretKey, settlementTxSignBytes("bitlayer-bench", body)),
        }),
      );
    };
    const submit = async (i: number, txHex: string) => {
      const r = await fetch(`${urls[i]}/v1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tx: `0x${txHex}` }),
      });
      const body = (await r.json()) as { hash?: string; error?: { code: string } };
      return { accepted: r.status === 202, hash: body.hash ?? "", message: body.error?.code ?? null };
    };
    /** Height at which node i commits tx `hash`, polling new blocks from `from`. */
    const committedTxs = async (i: number, from: bigint, to: bigint) => {
      const hashes: string[] = [];
      for (let h = from; h <= to; h++) {
        const b = (await (await fetch(`${urls[i]}/v1/blocks/${h}`)).json()) as { txs: { hash: string }[] };
        for (const t of b.txs) hashes.push(t.hash);
      }
      return hashes;
    };

    // ---- commit latency: one tx at a time --------------------------------------------------
    const latencies: number[] = [];
    for (let s = 0; s < LATENCY_SAMPLES; s++) {
      const node = s % 4;
      const a = accounts[s % ACCOUNTS]!;
      const h0 = await height(node);
      const t0 = performance.now();
      const r = await submit(node, makeTx(a));
      if (!r.accepted) throw new Error(`latency tx refused: ${r.message}`);
      let seen = h0;
      for (let found = false; !found; ) {
        const h = await height(node);
        if (h > seen) {
          found = (await committedTxs(node, seen + 1n, h)).includes(r.hash);
          seen = h;
        }
        if (!found) await sleep(1);
      }
      latencies.push(performance.now() - t0);
    }

    // ---- throughput ------------------------------------------------------------------------
    const txs: string[] = [];
    for (let k = 0; k < TXS; k++) txs.push(makeTx(accounts[k % ACCOUNTS]!));
    const hStart = await height(0);
    const t0 = performance.now();
    let refused = 0;
    const CONCURRENCY = 16;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        while (next < txs.length) {
          const k = next++;
          const r = await submit((k + w) % 4, txs[k]!);
          if (!r.accepted) refused++;
        }
      }),
    );
    const tSubmitted = performance.now();
    const target = TXS - refused;
    let committed = 0;
    let hSeen = hStart;
    while (committed < target) {
      const h = await height(0);
      if (h > hSeen) {
        committed += (await committedTxs(0, hSeen + 1n, h)).length;
        hSeen = h;
      } else await sleep(2);
      if (performance.now() - t0 > 120_000) break;
    }
    const tDone = performance.now();

    const rttMs = await measureWsRoundTripMs();
    const verifyMs = await measureVerifyMs();
    const fsyncMs = measureFsyncMs(dir);
    const floorMs = 3 * rttMs + 3 * verifyMs + fsyncMs;
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    const tps = (committed / (tDone - t0)) * 1000;
    const result = {
      machine: { cpus: os.cpus().length, node: process.version },
      throughput: {
        txsSubmitted: TXS,
        txsRefused: refused,
        txsCommitted: committed,
        heights: Number(hSeen - hStart),
        submitSeconds: +((tSubmitted - t0) / 1000).toFixed(3),
        totalSeconds: +((tDone - t0) / 1000).toFixed(3),
        txPerSecond: +tps.toFixed(1),
      },
      latencyMs: { samples: latencies.length, p50: +p50.toFixed(2), p99: +p99.toFixed(2) },
      floor: {
        wsRoundTripMs: +rttMs.toFixed(4),
        verifyMs: +verifyMs.toFixed(4),
        verifyRawNodeCryptoMs: +rawVerifyMs.toFixed(4),
        fsyncMs: +fsyncMs.toFixed(4),
        F_ms: +floorMs.toFixed(3),
      },
      ratios: {
        latencyP50OverF: +(p50 / floorMs).toFixed(1),
        latencyP99OverF: +(p99 / floorMs).toFixed(1),
        /** Blocks per second the floor would allow, times the mean block size we saw, vs measured tx/s. */
        floorTxPerSecondAtObservedBlockSize: +(
          (committed / Math.max(1, Number(hSeen - hStart))) *
          (1000 / floorMs)
        ).toFixed(0),
      },
    };
    fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, ".bench/settlement-cluster.json"),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    killAll();
    if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

await main();
