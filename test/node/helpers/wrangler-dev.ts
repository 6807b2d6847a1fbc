/**
 * `wrangler dev` as a child process for Node tests that need the real edge
 * runtime: Node 22 from node_modules, a free port, a temp --persist-to,
 * its own process group (one SIGKILL reaches wrangler, esbuild and both
 * workerd processes), and a way to find the workerd process that runs the
 * Worker and its Durable Objects (the one holding the persist dir's
 * Durable Object files open), so a test can kill -9 exactly that process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const NODE_BIN = path.join(ROOT, "node_modules/.bin/node");
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const OUTPUT_CHARS_MAX = 200_000;

export type WranglerDevOptions = {
  persistTo: string;
  /** Reused on a restart so clients keep their URL; a free one when omitted. */
  port?: number;
  /** `--var KEY:VALUE` overrides of wrangler.toml [vars]. */
  vars?: Record<string, string>;
  readyTimeoutMs?: number;
};

export type WranglerDev = {
  url: string;
  port: number;
  persistTo: string;
  child: ChildProcess;
  /** The last ~200 KB of wrangler's stdout and stderr. */
  output: () => string;
};

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of started) killGroup(child);
});

/** Starts `wrangler dev` and resolves once GET /v1/health answers 200. */
export async function startWranglerDev(o: WranglerDevOptions): Promise<WranglerDev> {
  const port = o.port ?? (await freePort());
  const inspectorPort = await freePort();
  const vars = Object.entries(o.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const args = [
    WRANGLER,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    o.persistTo,
    "--show-interactive-dev-session=false",
    ...vars,
  ];
  const child = spawn(NODE_BIN, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  started.add(child);
  let text = "";
  const append = (d: Buffer) => {
    text += d.toString();
    if (text.length > OUTPUT_CHARS_MAX) text = text.slice(-OUTPUT_CHARS_MAX / 2);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const dev: WranglerDev = {
    url: `http://127.0.0.1:${port}`,
    port,
    persistTo: o.persistTo,
    child,
    output: () => text,
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before ready:\n${text}`);
    try {
      const r = await fetch(`${dev.url}/v1/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return dev;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`wrangler dev not ready on ${dev.url}:\n${text}`);
    }
    await sleep(100);
  }
}

/** SIGKILL to wrangler's whole process group; resolves when wrangler itself has exited. */
export async function killWranglerDev(dev: WranglerDev): Promise<void> {
  const exited =
    dev.child.exitCode !== null || dev.child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => dev.child.once("exit", () => resolve()));
  killGroup(dev.child);
  await exited;
  started.delete(dev.child);
}

function killGroup(child: ChildProcess): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Parent pid of every live process (from /proc/<pid>/stat). */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // Exited while listing.
    }
  }
  return parents;
}

/** Every descendant of `pid` (children, grandchildren, ...). */
export function descendants(pid: number): number[] {
  const parents = parentPids();
  const out: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const p = frontier.pop()!;
    for (const [child, parent] of parents)
      if (parent === p) {
        out.push(child);
        frontier.push(child);
      }
  }
  return out;
}

function isWorkerd(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd";
  } catch {
    return false;
  }
}

function holdsFileUnder(pid: number, dir: string): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dir);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * The workerd process that runs the Worker: a descendant of wrangler holding
 * a file under the persist dir's v3/do open. wrangler dev also runs a second
 * workerd (its proxy in front of the Worker), which holds no such file.
 */
export function workerRuntimePid(dev: WranglerDev): number | undefined {
  if (!dev.child.pid) return undefined;
  const doDir = path.join(dev.persistTo, "v3", "do");
  return descendants(dev.child.pid).find((pid) => isWorkerd(pid) && holdsFileUnder(pid, doDir));
}

/** Whether `pid` exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
