/**
 * The real devnet (`scripts/devnet.ts`) as a child process for end-to-end
 * tests: a free port range, its own process group (so one kill reaches
 * wrangler, workerd and the validators), readiness from its "ready" line and
 * devnet.json, and small HTTP helpers that talk to it only through fetch.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { isAlive } from "../../../settlement-node/storage/data-dir-lock.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const NODE_BIN = path.join(ROOT, "node_modules/.bin/node");
const DEVNET = path.join(ROOT, "scripts/devnet.ts");

export type DevnetInfo = {
  edgeUrl: string;
  validatorUrls: string[];
  /** The watcher replaying lane 1's checkpoints (settlement-node/watcher). */
  watcherUrl: string;
  chainId: string;
  lane: number;
  accounts: { address: string; publicKey: string; secretKey: string }[];
};

export type DevnetOptions = {
  dir: string;
  basePort: number;
  fresh: boolean;
  blockIntervalMs: number;
  challengeWindowBlocks: number;
  readyTimeoutMs: number;
};

export type RunningDevnet = {
  child: ChildProcess;
  info: DevnetInfo;
  /** From spawn to the "ready" line. */
  readyMs: number;
  output: () => string;
};

/** Every port the devnet binds for a base port (docs/devnet.md): 4 × (P2P, API), edge, inspector, watcher. */
export function devnetPorts(basePort: number): number[] {
  const edge = basePort + 100;
  return [
    ...[0, 1, 2, 3].flatMap((i) => [basePort + 2 * i, basePort + 2 * i + 1]),
    edge,
    edge + 1,
    basePort + 102,
  ];
}

async function portFree(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * The lowest port the kernel hands out for outgoing connections and
 * listen(0). A devnet range above it can be free when checked and taken a
 * moment later by another test's socket: a validator then exits with
 * EADDRINUSE on every restart (seen in CI).
 */
function ephemeralPortLow(): number {
  try {
    return Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
  } catch {
    return 32_768;
  }
}

/** Slots this process has claimed (lock files in the temp directory), reused before new ones. */
const ownSlots = new Set<number>();

/**
 * Claims the slot at `base` for this process with a lock file: test files
 * run in parallel processes, and two that check the same free slot before
 * either binds it would collide. A claim whose process is gone is stale.
 */
function claimSlot(base: number): boolean {
  const file = path.join(os.tmpdir(), `bitlayer-test-ports-${base}.pid`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      ownSlots.add(base);
      process.once("exit", () => fs.rmSync(file, { force: true }));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number(fs.readFileSync(file, "utf8"));
      if (isAlive(owner)) return false;
      fs.rmSync(file, { force: true });
    }
  }
  return false;
}

const slotFree = async (base: number) => (await Promise.all(devnetPorts(base).map(portFree))).every(Boolean);

/**
 * A base port whose whole devnet range is free and claimed by this process,
 * below the kernel's ephemeral range: one of its own claimed slots if one is
 * free again, else a random one (so parallel runs rarely meet).
 */
export async function freeDevnetBasePort(): Promise<number> {
  for (const base of ownSlots) if (await slotFree(base)) return base;
  const slots = Math.max(1, Math.floor((ephemeralPortLow() - 200 - 20_000) / 200));
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 200 * Math.floor(Math.random() * slots);
    if (!ownSlots.has(base) && (await slotFree(base)) && claimSlot(base)) return base;
  }
  throw new Error("no free devnet port range found in 50 attempts");
}

/** Ports of `ports` that still accept a TCP connection on loopback. */
export async function listeningPorts(ports: number[]): Promise<number[]> {
  const open = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect({ port, host: "127.0.0.1" });
          socket.once("connect", () => {
            socket.destroy();
            resolve(true);
          });
          socket.once("error", () => resolve(false));
        }),
    ),
  );
  return ports.filter((_, i) => open[i]);
}

/** Whether any process of the group led by `pgid` still exists. */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to the whole group; the last resort of afterAll. */
export function killProcessGroup(child: ChildProcess | undefined): void {
  if (!child?.pid || !processGroupAlive(child.pid)) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone between the check and the kill.
  }
}

const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of started) killProcessGroup(child);
});

/** Starts `scripts/devnet.ts` in its own process group and waits for "ready" and devnet.json. */
export async function startDevnet(o: DevnetOptions): Promise<RunningDevnet> {
  const infoFile = path.join(o.dir, "devnet.json");
  // A warm restart rewrites the file at "ready"; removing it first proves the new run wrote it.
  fs.rmSync(infoFile, { force: true });
  const args = [
    DEVNET,
    ...(o.fresh ? ["--fresh"] : []),
    "--dir",
    o.dir,
    "--base-port",
    String(o.basePort),
    "--block-interval-ms",
    String(o.blockIntervalMs),
    "--challenge-window-blocks",
    String(o.challengeWindowBlocks),
  ];
  const t0 = performance.now();
  const child = spawn(NODE_BIN, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  started.add(child);
  let text = "";
  child.stdout?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`devnet not ready within ${o.readyTimeoutMs} ms; output:\n${text}`)),
      o.readyTimeoutMs,
    );
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`devnet exited (code ${code}) before ready; output:\n${text}`));
    };
    child.once("exit", onExit);
    const poll = setInterval(() => {
      if (/\[devnet\] ready/.test(text) && fs.existsSync(infoFile)) {
        clearInterval(poll);
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve();
      }
    }, 50);
    child.once("exit", () => clearInterval(poll));
  });
  const readyMs = performance.now() - t0;
  const info = JSON.parse(fs.readFileSync(infoFile, "utf8")) as DevnetInfo;
  return { child, info, readyMs, output: () => text };
}

/** SIGTERM to the devnet process (not the group: it must stop its own children) and its exit code. */
export async function stopDevnet(devnet: RunningDevnet, timeoutMs: number): Promise<number | null> {
  const { child } = devnet;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`devnet did not exit within ${timeoutMs} ms of SIGTERM`)), timeoutMs),
  );
  return await Promise.race([exited, timeout]);
}

/** Polls `probe` until it returns a value, or throws after `timeoutMs` naming `what`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class HttpStatusError extends Error {
  override readonly name = "HttpStatusError";
  readonly status: number;
  readonly body: string;
  constructor(status: number, url: string, body: string) {
    super(`${url} answered ${status}: ${body.slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  const body = await r.text();
  if (!r.ok) throw new HttpStatusError(r.status, url, body);
  return JSON.parse(body) as T;
}

export async function postJson<T>(url: string, payload: unknown): Promise<T> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
  const body = await r.text();
  if (!r.ok) throw new HttpStatusError(r.status, url, body);
  return JSON.parse(body) as T;
}
