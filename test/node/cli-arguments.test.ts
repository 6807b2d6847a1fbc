/**
 * The bitlayer CLI's command-line contract without a network: bad arguments,
 * flags, keys and config are refused with a message naming the flag and exit
 * code 2 before anything is sent; an unreachable server is exit code 1 with
 * the URL; --json puts the error on stderr as JSON. Spawns the real CLI
 * (cli/bitlayer.ts on the project's Node 22) for the exit codes, and runs
 * main() in-process for the many message cases.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/bitlayer.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");
const CLI = path.join(ROOT, "cli/bitlayer.ts");

type Run = { code: number | null; stdout: string; stderr: string };

/** The real CLI as a user runs it, in `cwd` (default: an empty temp dir, so no devnet.json is found). */
function runCli(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], {
      cwd: o.cwd ?? emptyDir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...o.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** main() in-process: same code path as the binary, without a process start per case. */
async function runMain(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: o.env ?? {},
    cwd: o.cwd ?? emptyDir,
  });
  return { code, stdout, stderr };
}

/** A loopback port with nothing listening: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

let emptyDir = "";
let devnetDir = "";
const SECRET = "11".repeat(32);

beforeAll(() => {
  emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-cli-args-"));
  // A devnet.json whose URLs point nowhere: enough for every check made before the network.
  devnetDir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-cli-devnet-"));
  fs.mkdirSync(path.join(devnetDir, ".devnet"));
  fs.writeFileSync(
    path.join(devnetDir, ".devnet/devnet.json"),
    JSON.stringify({
      edgeUrl: "http://127.0.0.1:9",
      validatorUrls: ["http://127.0.0.1:9"],
      chainId: "bitlayer-devnet",
      lane: 1,
      accounts: [{ address: "bl00", publicKey: "aa".repeat(32), secretKey: "22".repeat(32) }],
    }),
  );
});

describe("bitlayer exit codes (the real binary)", () => {
  it("--help exits 0 and lists every command", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of [
      "keys",
      "balance",
      "transfer",
      "mint",
      "trade",
      "deposit",
      "withdraw",
      "status",
      "lanes",
      "validators",
    ])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${c} `));
  });

  it("a bad flag value is exit 2 with a message naming the flag, and nothing is sent", async () => {
    const r = await runCli(["transfer", "--to", "@0", "--amount", "12.5"], { cwd: devnetDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--amount");
    expect(r.stderr).not.toContain("127.0.0.1:9"); // refused before any request
    expect(r.stdout).toBe("");
  });

  it("--json turns a usage error into a JSON error on stderr, stdout empty", async () => {
    const r = await runCli(["status", "nothex", "--json"], { cwd: devnetDir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr)).toEqual({
      error: { code: "usage", message: expect.stringContaining("64 hex"), field: "TXHASH" },
    });
  });

  it("an unreachable edge is exit 1 naming the URL", async () => {
    const port = await closedPort();
    const r = await runCli(
      [
        "balance",
        "--edge",
        `http://127.0.0.1:${port}`,
        "--settlement",
        `http://127.0.0.1:${port}`,
        "--key",
        SECRET,
      ],
      {},
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
  });

  it("keys new --json prints a fresh key whose show matches", async () => {
    const a = await runCli(["keys", "new", "--json"]);
    const b = await runCli(["keys", "new", "--json"]);
    expect(a.code).toBe(0);
    const ka = JSON.parse(a.stdout);
    expect(ka.secretKey).toMatch(/^[0-9a-f]{64}$/);
    expect(ka.address).toMatch(/^bl[0-9a-f]{40}$/);
    expect(JSON.parse(b.stdout).secretKey).not.toBe(ka.secretKey);
    const shown = await runCli(["keys", "show", "--key", ka.secretKey, "--json"]);
    expect(JSON.parse(shown.stdout)).toEqual({ publicKey: ka.publicKey, address: ka.address });
  });
});

describe("bitlayer argument checks (main in-process)", () => {
  const usageCases: [string, string[], string][] = [
    ["no command", [], "usage"],
    ["unknown command", ["teleport"], "command"],
    ["unknown flag", ["balance", "--bogus"], "--bogus"],
    ["extra argument", ["lanes", "extra"], "extra"],
    ["keys without subcommand", ["keys"], "new or show"],
    ["keys with a bad subcommand", ["keys", "rotate"], "rotate"],
    ["transfer without --to", ["transfer", "--amount", "5"], "--to"],
    ["transfer without --amount", ["transfer", "--to", "@0"], "--amount"],
    ["transfer to a short address", ["transfer", "--to", "abcd", "--amount", "5"], "--to"],
    ["transfer of zero", ["transfer", "--to", "@0", "--amount", "0"], "--amount"],
    ["transfer of a negative amount", ["transfer", "--to", "@0", "--amount=-5"], "--amount"],
    ["amount above u128", ["transfer", "--to", "@0", "--amount", (1n << 128n).toString()], "u128"],
    ["devnet account out of range", ["transfer", "--to", "@7", "--amount", "5"], "@0..@0"],
    ["bad --wait status", ["transfer", "--to", "@0", "--amount", "5", "--wait", "done"], "--wait"],
    ["bad --timeout-ms", ["status", "aa".repeat(32), "--timeout-ms", "soon"], "--timeout-ms"],
    ["status without a hash", ["status"], "TXHASH"],
    ["bad lane", ["balance", "--lane", "0"], "--lane"],
    ["bad edge URL", ["balance", "--edge", "not a url"], "--edge"],
    ["ftp edge URL", ["balance", "--edge", "ftp://x"], "--edge"],
    ["bad key", ["keys", "show", "--key", "zz"], "--key"],
    ["mint with neither item nor token", ["mint"], "--item"],
    ["mint with both", ["mint", "--item", "a", "--token", "GOLD", "--amount", "1"], "exactly one"],
    ["mint token with a bad symbol", ["mint", "--token", "gold", "--amount", "1"], "--token"],
    ["trade without --with", ["trade", "--give", "native:1"], "--with"],
    ["trade with a bad asset", ["trade", "--with", "@0", "--give", "gold:1"], "native:AMOUNT"],
    ["trade with itself", ["trade", "--with", "@0", "--give", "native:1"], "two parties"],
    ["balance of a bad bl address", ["balance", "blxyz"], "settlement address"],
    ["deposit without --amount", ["deposit"], "--amount"],
    ["deposit to a bad address", ["deposit", "--amount", "5", "--to", "bl00"], "--to"],
    ["withdraw of a fraction", ["withdraw", "--amount", "1.5"], "--amount"],
    ["withdraw with a bad timeout", ["withdraw", "--amount", "5", "--timeout-ms", "-1"], "--timeout-ms"],
  ];
  for (const [what, args, mention] of usageCases)
    it(`${what}: exit 2`, async () => {
      const r = await runMain(args, { cwd: devnetDir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(mention);
      expect(r.stdout).toBe("");
    });

  it("without a devnet.json, a command that needs the network names the missing flag and npm start", async () => {
    const r = await runMain(["balance"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--key");
    expect(r.stderr).toContain("npm start");
    const v = await runMain(["validators"]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain("--settlement");
  });

  it("an explicit --devnet file that does not exist is a usage error", async () => {
    const r = await runMain(["lanes", "--devnet", path.join(emptyDir, "nope.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("does not exist");
  });

  it("flags win over environment, environment over devnet.json", async () => {
    // Every source points at a different closed port; the error names the one that was used.
    const [a, b] = [await closedPort(), await closedPort()];
    const env = { BITLAYER_SETTLEMENT_URLS: `http://127.0.0.1:${a}` };
    const fromEnv = await runMain(["validators"], { cwd: devnetDir, env });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain(`127.0.0.1:${a}`);
    const fromFlag = await runMain(["validators", "--settlement", `http://127.0.0.1:${b}`], {
      cwd: devnetDir,
      env,
    });
    expect(fromFlag.code).toBe(1);
    expect(fromFlag.stderr).toContain(`127.0.0.1:${b}`);
    const fromFile = await runMain(["validators"], { cwd: devnetDir });
    expect(fromFile.stderr).toContain("127.0.0.1:9");
  });

  it("keys new --out writes a 0600 key file, refuses to overwrite it, and --key reads it", async () => {
    const file = path.join(emptyDir, "player.json");
    const made = await runMain(["keys", "new", "--out", file, "--json"]);
    expect(made.code).toBe(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = await runMain(["keys", "new", "--out", file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("never overwritten");
    const shown = await runMain(["keys", "show", "--key", file, "--json"]);
    expect(JSON.parse(shown.stdout).publicKey).toBe(JSON.parse(made.stdout).publicKey);
  });
});
