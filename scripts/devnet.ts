/**
 * `npm start`: the one-command devnet (docs/devnet.md). Four settlement
 * validators, lane 1 opened on settlement, the edge Worker under
 * `wrangler dev` posting its checkpoints to them, and a watcher replaying
 * those checkpoints (settlement-node/watcher). State lives in .devnet/ and
 * persists between runs unless --fresh (the watcher's is in memory: it
 * replays lane 1 from genesis on every start).
 *
 *   npm start [-- --fresh] [--dir D] [--base-port P] [--edge-port E] [--watcher-port W]
 *             [--block-interval-ms T] [--challenge-window-blocks N]
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { writeLaneGenesis } from "../settlement-node/watcher/genesis-file.ts";
import { openLane, type DevnetPlan, planDevnet, prepareGenesis, wranglerArgsOf } from "./devnet/plan.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

const { values } = parseArgs({
  options: {
    fresh: { type: "boolean", default: false },
    dir: { type: "string", default: path.join(ROOT, ".devnet") },
    "base-port": { type: "string", default: "26650" },
    "edge-port": { type: "string" },
    "watcher-port": { type: "string" },
    "block-interval-ms": { type: "string", default: "500" },
    "challenge-window-blocks": { type: "string", default: "20" },
  },
});
const plan: DevnetPlan = planDevnet({
  dir: path.resolve(values.dir),
  basePort: Number(values["base-port"]),
  edgePort: values["edge-port"] ? Number(values["edge-port"]) : Number(values["base-port"]) + 100,
  watcherPort: values["watcher-port"] ? Number(values["watcher-port"]) : Number(values["base-port"]) + 102,
  blockIntervalMs: Number(values["block-interval-ms"]),
  challengeWindowBlocks: BigInt(values["challenge-window-blocks"]),
  wranglerToml: fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8"),
});

const log = (msg: string) => process.stdout.write(`[devnet] ${msg}\n`);
const children = new Map<string, ChildProcess>();
let stopping = false;

async function portFree(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Starts a child and restarts it (logged) whenever it dies while the devnet runs. */
function supervise(name: string, command: string, args: string[]): void {
  const logFile = fs.openSync(path.join(plan.dir, `${name}.log`), "a");
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: ["ignore", logFile, logFile],
    // BITLAYER_DEV=1: validators serve the settlement time controls (/v1/dev/fast-forward).
    env: { ...process.env, BITLAYER_DEV: "1", PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` },
  });
  children.set(name, child);
  child.on("exit", (code, signal) => {
    fs.closeSync(logFile);
    if (stopping) return;
    log(`${name} exited (${signal ?? `code ${code}`}); restarting in 1 s (log: ${name}.log)`);
    setTimeout(() => {
      if (!stopping) supervise(name, command, args);
    }, 1000);
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`devnet: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(signal: string, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping ${children.size} children`);
  await Promise.all(
    [...children.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
          setTimeout(() => c.kill("SIGKILL"), 5000).unref();
        }),
    ),
  );
  log("stopped");
  process.exit(exitCode);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));

async function main(): Promise<void> {
  const taken = [];
  for (const port of plan.ports) if (!(await portFree(port))) taken.push(port);
  if (taken.length > 0) {
    process.stderr.write(
      `devnet: port(s) ${taken.join(", ")} already in use. Stop what holds them (another devnet?) or pass --base-port.\n`,
    );
    process.exit(1);
  }
  if (values.fresh) fs.rmSync(plan.dir, { recursive: true, force: true });
  const first = !fs.existsSync(plan.genesisFile);
  if (first) {
    log(`creating ${plan.dir} (4 validators, chain ${plan.chainId})`);
    fs.mkdirSync(plan.dir, { recursive: true });
    const init = spawn(
      process.execPath,
      [path.join(ROOT, "settlement-node/cli.ts"), "init", ...plan.initArgs],
      { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
    );
    const code = await new Promise((r) => init.on("exit", r));
    if (code !== 0) throw new Error(`settlement init failed (exit ${code})`);
    prepareGenesis(plan);
  }
  plan.configFiles.forEach((file, i) => {
    supervise(`validator-${i}`, process.execPath, [path.join(ROOT, "scripts/devnet/validator.ts"), file]);
  });
  log(`starting validators on ${plan.validatorUrls.join(", ")}`);
  await waitFor(
    "the first settlement block",
    async () => {
      const s = (await (await fetch(`${plan.validatorUrls[0]}/v1/status`)).json()) as { height: string };
      return BigInt(s.height) >= 1n ? s : undefined;
    },
    60_000,
  );
  log("settlement is committing blocks; opening lane 1");
  await openLane(plan, log);
  // Rewritten on every start: derived from wrangler.toml, as the Sequencer derives it.
  writeLaneGenesis(plan.watcherDir, plan.laneGenesis);
  supervise("watcher", process.execPath, [
    path.join(ROOT, "settlement-node/watcher/cli.ts"),
    ...plan.watcherArgs,
  ]);
  log(`starting the watcher on ${plan.watcherUrl}`);
  // Through our own Node 22: wrangler refuses the machine's older node.
  supervise("wrangler", process.execPath, [
    path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
    ...wranglerArgsOf(plan),
  ]);
  log(`starting the edge Worker (wrangler dev) on ${plan.edgeUrl}`);
  await waitFor(
    "the edge Worker",
    async () => ((await fetch(`${plan.edgeUrl}/v1/health`)).ok ? true : undefined),
    90_000,
  );
  await waitFor(
    "the watcher",
    async () => ((await fetch(`${plan.watcherUrl}/v1/status`)).ok ? true : undefined),
    30_000,
  );
  const info = {
    edgeUrl: plan.edgeUrl,
    validatorUrls: plan.validatorUrls,
    watcherUrl: plan.watcherUrl,
    chainId: plan.chainId,
    lane: 1,
    accounts: plan.accounts.map((a) => ({
      address: a.address,
      publicKey: a.publicKey,
      secretKey: a.secretKey,
    })),
  };
  fs.writeFileSync(path.join(plan.dir, "devnet.json"), `${JSON.stringify(info, null, 2)}\n`);
  log("ready");
  process.stdout.write(
    [
      "",
      `  edge        ${plan.edgeUrl}   (lane 1: ${plan.edgeUrl}/v1/lanes/1/status)`,
      ...plan.validatorUrls.map((u, i) => `  validator-${i} ${u}`),
      `  watcher     ${plan.watcherUrl}   (replays lane 1's checkpoints: ${plan.watcherUrl}/v1/status)`,
      `  chain id    ${plan.chainId}`,
      "  prefunded accounts (on lane 1 and on settlement):",
      ...plan.accounts.map((a) => `    ${a.address}  public ${a.publicKey}  secret ${a.secretKey}`),
      `  written to  ${path.join(plan.dir, "devnet.json")}; logs in ${plan.dir}/*.log; Ctrl-C stops everything`,
      "",
    ].join("\n"),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`devnet: ${e instanceof Error ? e.message : String(e)}\n`);
  void stop("error", 1);
});
