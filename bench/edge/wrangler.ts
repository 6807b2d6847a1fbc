/**
 * `wrangler dev` as a child of the benchmark: Node 22 from node_modules (the
 * machine's node is older), a free port and inspector port, a fresh temp
 * --persist-to, metrics off, its own process group so one kill reaches
 * workerd too. Ready when GET /v1/health answers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export type RunningWorker = {
  url: string;
  /** workerd's inspector (Chrome DevTools protocol): bench/edge/profile.ts profiles through it. */
  inspectorPort: number;
  dir: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
};

/** A port nothing listens on at the moment of asking (127.0.0.1). */
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

/** Two free ports (server and inspector), distinct. */
async function freePorts(): Promise<[number, number]> {
  for (;;) {
    const a = await freePort();
    const b = await freePort();
    if (a !== b) return [a, b];
  }
}

export async function startWranglerDev(o: {
  vars: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<RunningWorker> {
  const [port, inspectorPort] = await freePorts();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-bench-edge-"));
  const args = [
    path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--config",
    path.join(ROOT, "wrangler.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    path.join(dir, "state"),
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
    ...Object.entries(o.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
  });
  let out = "";
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const deadline = Date.now() + 5_000;
      while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!exited) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`wrangler dev exited before it was ready:\n${out.slice(-4000)}`);
    }
    try {
      const r = await fetch(`${url}/v1/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev not ready within ${o.readyTimeoutMs ?? 60_000} ms:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, inspectorPort, dir, child, output: () => out, stop };
}
