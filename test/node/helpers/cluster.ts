/**
 * Real validator clusters for tests: `bitlayer-settlement init` into a temp
 * directory, one process per validator (Node 22 from node_modules/.bin),
 * free loopback ports, readiness by polling the API, kill -9 and restart.
 * Every spawned process is tracked and killed by `stop()` and, as a last
 * resort, when the test process exits.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fromHex } from "../../../shared/bytes.ts";
import { freeDevnetBasePort } from "./devnet.ts";
import { formatAddress, type KeyPair, sign } from "../../../shared/crypto/index.ts";
import {
  accountAddressOf,
  encodeSettlementTx,
  settlementTxSignBytes,
  type SettlementPayload,
} from "../../../settlement-node/ledger/index.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
export const NODE_BIN = path.join(ROOT, "node_modules/.bin/node");
export const CLI = path.join(ROOT, "settlement-node/cli.ts");

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export async function freePorts(count: number): Promise<number[]> {
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

/**
 * Ports for a cluster's validators from one free devnet slot, below the
 * kernel's ephemeral range: the crash tests restart a killed validator on
 * its port, and a port from listen(0) can be taken in between by any
 * socket's outgoing connection (a peer reconnecting, say).
 */
async function validatorPorts(count: number): Promise<number[]> {
  if (count > 8) throw new Error(`A devnet slot holds 8 validator ports, not ${count}`);
  const base = await freeDevnetBasePort();
  return Array.from({ length: count }, (_, i) => base + i);
}

export type ClusterOptions = {
  validators?: number;
  database?: "pglite" | "postgres" | "none";
  schemaPrefix?: string;
  blockIntervalMs?: number;
  timeoutProposeMs?: number;
  gossipIntervalMs?: number;
  env?: Record<string, string>;
};

export type StatusJson = {
  chainId: string;
  height: string;
  lastBlockHash: string;
  catchingUp: boolean;
  peers: number;
};
export type NodeJson = {
  height: string;
  round: number;
  conflictingVotesSeen: number;
  evidenceSeen: number;
  peers: string[];
};
export type BlockJson = {
  height: string;
  hash: string;
  appHash: string;
  txs: { hash: string }[];
  certificate: { round: number; precommits: { validatorIndex: number; signature: string }[] };
};

export class Cluster {
  readonly dir: string;
  readonly chainId: string;
  readonly configFiles: string[];
  readonly apiPorts: number[];
  readonly accounts: KeyPair[];
  readonly processes: (ChildProcess | null)[];
  /** Exits that the test did not cause: a validator that stopped on its own (fatal error). */
  readonly unexpectedExits: { index: number; code: number | null; signal: string | null }[] = [];
  private readonly env: Record<string, string>;

  private constructor(
    dir: string,
    chainId: string,
    configFiles: string[],
    apiPorts: number[],
    env: Record<string, string>,
  ) {
    this.dir = dir;
    this.chainId = chainId;
    this.configFiles = configFiles;
    this.apiPorts = apiPorts;
    this.env = env;
    this.processes = configFiles.map(() => null);
    const keysDir = path.join(dir, "keys");
    this.accounts = fs
      .readdirSync(keysDir)
      .filter((f) => f.startsWith("account-"))
      .sort()
      .map((f) => {
        const k = JSON.parse(fs.readFileSync(path.join(keysDir, f), "utf8"));
        return { publicKey: fromHex(k.publicKey), secretKey: fromHex(k.secretKey) };
      });
  }

  static async init(o: ClusterOptions = {}): Promise<Cluster> {
    const n = o.validators ?? 4;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-cluster-"));
    const ports = await validatorPorts(2 * n);
    const chainId = `bitlayer-test-${path.basename(dir).slice(-6)}`;
    const args = [
      CLI,
      "init",
      "--validators",
      String(n),
      "--dir",
      dir,
      "--chain-id",
      chainId,
      "--p2p-ports",
      ports.slice(0, n).join(","),
      "--api-ports",
      ports.slice(n).join(","),
      "--database",
      o.database ?? "none",
      "--schema-prefix",
      o.schemaPrefix ?? "bl_test",
      "--block-interval-ms",
      String(o.blockIntervalMs ?? 200),
      "--timeout-propose-ms",
      String(o.timeoutProposeMs ?? 300),
      "--gossip-interval-ms",
      String(o.gossipIntervalMs ?? 100),
      "--api-rate-limit",
      "0",
    ];
    const out = JSON.parse(execFileSync(NODE_BIN, args, { encoding: "utf8" })) as { configFiles: string[] };
    return new Cluster(dir, chainId, out.configFiles, ports.slice(n), o.env ?? {});
  }

  get size(): number {
    return this.configFiles.length;
  }

  url(i: number): string {
    return `http://127.0.0.1:${this.apiPorts[i]}`;
  }

  logFile(i: number): string {
    return path.join(this.dir, `validator-${i}.log`);
  }

  spawn(i: number): void {
    const fd = fs.openSync(this.logFile(i), "a");
    const child = spawn(NODE_BIN, [CLI, "start", "--config", this.configFiles[i]!], {
      stdio: ["ignore", fd, fd],
      env: { ...process.env, ...this.env },
    });
    fs.closeSync(fd);
    live.add(child);
    this.processes[i] = child;
    child.once("exit", (code, signal) => {
      live.delete(child);
      if (this.processes[i] === child) {
        this.processes[i] = null;
        this.unexpectedExits.push({ index: i, code, signal });
      }
    });
  }

  async startAll(): Promise<void> {
    for (let i = 0; i < this.size; i++) this.spawn(i);
    await Promise.all(Array.from({ length: this.size }, (_, i) => this.waitReady(i)));
  }

  // A loaded 2-core machine has taken over 30 s to bring four validators with PGlite up.
  async waitReady(i: number, timeoutMs = 90_000): Promise<void> {
    await waitFor(`validator ${i} API`, timeoutMs, async () => (await this.tryStatus(i)) !== null);
  }

  /** kill -9, and wait until the process is gone. */
  async kill9(i: number): Promise<void> {
    const child = this.processes[i];
    if (!child) return;
    this.processes[i] = null;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }

  async restart(i: number): Promise<void> {
    this.spawn(i);
    await this.waitReady(i);
  }

  async stop(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, (_, i) => this.kill9(i)));
  }

  /** Removes the temp directory unless KEEP_CLUSTER is set (for debugging a failure). */
  cleanup(): void {
    if (!process.env.KEEP_CLUSTER) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async get<T>(i: number, p: string): Promise<T> {
    const r = await fetch(this.url(i) + p, { signal: AbortSignal.timeout(5000) });
    if (!r.ok) throw new Error(`GET ${p} on validator ${i}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }

  async tryStatus(i: number): Promise<StatusJson | null> {
    try {
      return await this.get<StatusJson>(i, "/v1/status");
    } catch {
      return null;
    }
  }

  async height(i: number): Promise<bigint> {
    return BigInt((await this.get<StatusJson>(i, "/v1/status")).height);
  }

  block(i: number, height: bigint): Promise<BlockJson> {
    return this.get<BlockJson>(i, `/v1/blocks/${height}`);
  }

  nodeInfo(i: number): Promise<NodeJson> {
    return this.get<NodeJson>(i, "/v1/node");
  }

  /** Waits until validator i has committed `height`. */
  async waitHeight(i: number, height: bigint, timeoutMs = 30_000): Promise<void> {
    try {
      await waitFor(`validator ${i} at height ${height}`, timeoutMs, async () => {
        const s = await this.tryStatus(i);
        return s !== null && BigInt(s.height) >= height;
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${this.diagnose(i)}`);
    }
  }

  /** Unexpected exits and the last log lines of validator i, for a failure message. */
  diagnose(i: number): string {
    const lines = fs.existsSync(this.logFile(i))
      ? fs.readFileSync(this.logFile(i), "utf8").trim().split("\n")
      : [];
    return [
      `unexpected exits: ${JSON.stringify(this.unexpectedExits)}`,
      `last log lines of validator ${i} (${this.logFile(i)}):`,
      ...lines.slice(-8).map((l) => l.slice(0, 400)),
    ].join("\n");
  }

  /** A signed settlement transaction from account `from` (hex with 0x). */
  tx(from: number, nonce: bigint, payload: SettlementPayload): string {
    const a = this.accounts[from]!;
    const body = { sender: a.publicKey, nonce, fee: 1n, payload };
    const signature = sign(a.secretKey, settlementTxSignBytes(this.chainId, body));
    return `0x${Buffer.from(encodeSettlementTx({ body, signature })).toString("hex")}`;
  }

  /** Validator i's key pair as init wrote it (keys/validator-<i>.json). */
  validatorKey(i: number): KeyPair {
    const k = JSON.parse(fs.readFileSync(path.join(this.dir, "keys", `validator-${i}.json`), "utf8"));
    return { publicKey: fromHex(k.publicKey), secretKey: fromHex(k.secretKey) };
  }

  accountAddress(index: number): Uint8Array {
    return accountAddressOf(this.accounts[index]!.publicKey);
  }

  /** POST /v1/txs: accepted is HTTP 202; a refusal carries the API's error code. */
  async submit(
    i: number,
    txHex: string,
  ): Promise<{ accepted: boolean; hash: string | null; code: string | null }> {
    const r = await fetch(`${this.url(i)}/v1/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx: txHex }),
    });
    const body = (await r.json()) as { hash?: string; error?: { code: string } };
    return { accepted: r.status === 202, hash: body.hash ?? null, code: body.error?.code ?? null };
  }

  /** GET /v1/accounts/:address (bl-prefixed text form). */
  account(i: number, address: Uint8Array): Promise<{ balance: string; nonce: string }> {
    return this.get(i, `/v1/accounts/${formatAddress(address)}`);
  }
}

export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function maxOf(values: readonly bigint[]): bigint {
  let m = values[0]!;
  for (const v of values) if (v > m) m = v;
  return m;
}

export function minOf(values: readonly bigint[]): bigint {
  let m = values[0]!;
  for (const v of values) if (v < m) m = v;
  return m;
}
