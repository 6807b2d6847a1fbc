/**
 * The bitlayer CLI against the real devnet (started by the test helper on a
 * free port range): the binary is spawned as a user runs it, in --json mode,
 * and every answer is checked against the network itself (settlement's API
 * and proven lane reads through the SDK), not against the CLI's own output.
 * The flow of issue #7: a new key, deposit, transfer, mint, trade, withdraw,
 * `final`; plus lanes, validators, status, and a refused transaction that
 * exits 1 with the server's error and changes nothing.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BitlayerClient, createBitlayerClient } from "../../sdk/index.ts";
import {
  freeDevnetBasePort,
  getJson,
  killProcessGroup,
  type RunningDevnet,
  startDevnet,
  stopDevnet,
} from "./helpers/devnet.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEPOSIT = 300_000n;
const WITHDRAW = 120_000n;
/** Printed at the end: what issue #7 asks to measure. */
const figures: Record<string, number> = {};
const NODE = path.join(ROOT, "node_modules/.bin/node");
const CLI = path.join(ROOT, "cli/bitlayer.ts");

let devnet: RunningDevnet | undefined;
let devnetFile = "";
let workDir = "";
let lane: BitlayerClient;

type Run = { code: number | null; stdout: string; stderr: string };

function runCli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args, "--devnet", devnetFile], {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
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

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON is checked field by field
async function cliJson(args: string[]): Promise<any> {
  const r = await runCli([...args, "--json"]);
  expect(r.code, `bitlayer ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-cli-devnet-"));
  devnet = await startDevnet({
    dir: path.join(workDir, "devnet"),
    basePort: await freeDevnetBasePort(),
    fresh: true,
    blockIntervalMs: 200,
    challengeWindowBlocks: 10,
    readyTimeoutMs: 90_000,
  });
  devnetFile = path.join(workDir, "devnet", "devnet.json");
  figures.devnetReadyMs = Math.round(devnet.readyMs);
  lane = createBitlayerClient({
    edgeUrl: devnet.info.edgeUrl,
    settlementUrls: devnet.info.validatorUrls,
    chainId: devnet.info.chainId,
    lane: devnet.info.lane,
  });
});

afterAll(async () => {
  console.log(`[cli-devnet] figures ${JSON.stringify(figures)}`);
  if (devnet) await stopDevnet(devnet, 30_000).catch(() => killProcessGroup(devnet?.child));
  killProcessGroup(devnet?.child);
});

describe("bitlayer CLI on the devnet", () => {
  let player: { secretKey: string; publicKey: string; address: string };
  let keyFile = "";
  let itemId = "";
  let transferHash = "";

  it("keys new --out makes a key file that --key accepts", async () => {
    keyFile = path.join(workDir, "player.json");
    const made = await cliJson(["keys", "new", "--out", keyFile]);
    player = JSON.parse(fs.readFileSync(keyFile, "utf8"));
    expect(made.publicKey).toBe(player.publicKey);
    expect(await cliJson(["keys", "show", "--key", keyFile])).toEqual({
      publicKey: player.publicKey,
      address: player.address,
    });
  });

  it("balance reads the lane and settlement, matching each layer's own API", async () => {
    const b = await cliJson(["balance", "@0"]);
    const a0 = devnet!.info.accounts[0]!;
    expect(b.publicKey).toBe(a0.publicKey);
    expect(b.address).toBe(a0.address);
    const onLane = await lane.getAccount({ address: a0.publicKey });
    expect(b.lane.balance).toBe(onLane.balance.toString());
    const onSettlement = await getJson<{ balance: string }>(
      `${devnet!.info.validatorUrls[0]}/v1/accounts/${a0.address}`,
    );
    expect(b.settlement.balance).toBe(onSettlement.balance);
    const fresh = await cliJson(["balance", "--key", keyFile]);
    expect(fresh.lane.balance).toBe("0");
    expect(fresh.settlement.balance).toBe("0");
  });

  it("lanes and validators list what settlement holds", async () => {
    const l = await cliJson(["lanes"]);
    const settlementLanes = await getJson<{ lanes: { id: number; sequencer: string }[] }>(
      `${devnet!.info.validatorUrls[1]}/v1/lanes`,
    );
    expect(l.lanes.map((x: { id: number }) => x.id)).toEqual(settlementLanes.lanes.map((x) => x.id));
    expect(l.edge.lane).toBe(1);
    const v = await cliJson(["validators"]);
    expect(v.validators).toHaveLength(4);
    expect(v.validators.every((x: { status: string }) => x.status === "active")).toBe(true);
  });

  it("deposit from @2's settlement balance credits the new key on the lane", async () => {
    const payer = devnet!.info.accounts[2]!;
    const before = await getJson<{ balance: string }>(
      `${devnet!.info.validatorUrls[0]}/v1/accounts/${payer.address}`,
    );
    const d = await cliJson([
      "deposit",
      "--key",
      "@2",
      "--amount",
      String(DEPOSIT),
      "--to",
      player.publicKey,
    ]);
    expect(d.status).toBe("credited");
    expect(d.laneBalance).toBe(String(DEPOSIT));
    expect((await lane.getAccount({ address: player.publicKey })).balance).toBe(DEPOSIT);
    const lanes = await getJson<{ deposits: { id: string; amount: string; recipient: string }[] }>(
      `${devnet!.info.validatorUrls[3]}/v1/lanes/1/deposits`,
    );
    const record = lanes.deposits.find((x) => x.id === d.depositId)!;
    expect(record.amount).toBe(String(DEPOSIT));
    const after = await getJson<{ balance: string }>(
      `${devnet!.info.validatorUrls[0]}/v1/accounts/${payer.address}`,
    );
    // The amount left the payer's settlement balance, plus a fee.
    expect(BigInt(before.balance) - BigInt(after.balance)).toBeGreaterThan(DEPOSIT);
  });

  it("transfer from a devnet account to the new key lands on the lane", async () => {
    const t = await cliJson(["transfer", "--to", player.publicKey, "--amount", "5000000"]);
    transferHash = t.hash;
    expect(t.finality).toBe("soft");
    expect(t.receipt.statusName).toBe("Ok");
    const onLane = await lane.getAccount({ address: player.publicKey });
    expect(onLane.balance).toBe(DEPOSIT + 5_000_000n);
  });

  it("mint an item and a token to the new key", async () => {
    const m = await cliJson([
      "mint",
      "--item",
      "shield-1",
      "--to",
      player.publicKey,
      "--metadata",
      '{"def":3}',
    ]);
    itemId = m.itemId;
    const { item } = await lane.getItem({ itemId });
    expect(Buffer.from(item!.owner).toString("hex")).toBe(player.publicKey);
    const t = await cliJson(["mint", "--token", "GEMS", "--amount", "70", "--to", player.publicKey]);
    expect(t.createdInTx).toMatch(/^[0-9a-f]{64}$/);
    const again = await cliJson(["mint", "--token", "GEMS", "--amount", "5", "--to", player.publicKey]);
    expect(again.createdInTx).toBeNull(); // the token exists now: only minted
    const held = await lane.getTokenBalance({ address: player.publicKey, tokenId: t.tokenId });
    expect(held.balance).toBe(75n);
  });

  it("trade: the new key sells its item to @1 for native coins, waiting until final", async () => {
    const buyer = devnet!.info.accounts[1]!;
    const before = await lane.getAccount({ address: buyer.publicKey });
    const r = await runCli([
      "trade",
      "--key",
      keyFile,
      "--with",
      "@1",
      "--give",
      `item:${itemId}`,
      "--take",
      "native:1234",
      "--wait",
      "final",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.finality).toBe("final");
    expect(Object.keys(t.waitedMs)).toContain("final");
    figures.tradeSoftToFinalMs = t.waitedMs.final;
    const { item } = await lane.getItem({ itemId });
    expect(Buffer.from(item!.owner).toString("hex")).toBe(buyer.publicKey);
    expect((await lane.getAccount({ address: buyer.publicKey })).balance).toBe(before.balance - 1234n);
    expect((await lane.getTransactionStatus({ hash: t.hash })).status).toBe("final");
  });

  it("withdraw walks the ladder to final and is paid once on settlement", async () => {
    const payer = devnet!.info.accounts[2]!;
    const laneBefore = await lane.getAccount({ address: payer.publicKey });
    const r = await runCli([
      "withdraw",
      "--key",
      "@2",
      "--amount",
      String(WITHDRAW),
      "--to",
      player.publicKey,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const w = JSON.parse(r.stdout);
    expect(w.status).toBe("claimed");
    expect(Object.keys(w.timings)).toEqual(expect.arrayContaining(["soft", "final", "claimed"]));
    figures.withdrawToFinalMs = w.timings.final;
    figures.withdrawToClaimedMs = w.timings.claimed;
    // The payout went to the new key's settlement account, which held nothing before.
    const paid = await getJson<{ balance: string }>(
      `${devnet!.info.validatorUrls[2]}/v1/accounts/${player.address}`,
    );
    expect(paid.balance).toBe(String(WITHDRAW));
    const laneAfter = await lane.getAccount({ address: payer.publicKey });
    expect(laneBefore.balance - laneAfter.balance).toBeGreaterThanOrEqual(WITHDRAW);
    const checkpoint = await getJson<{ finality: { status: string } }>(
      `${devnet!.info.validatorUrls[1]}/v1/lanes/1/checkpoints/${w.checkpointIndex}`,
    );
    expect(checkpoint.finality.status).toBe("final");
    // Human mode shows each rung as it is reached.
    const human = await runCli(["withdraw", "--key", "@2", "--amount", "1000", "--to", player.publicKey]);
    expect(human.code, human.stderr).toBe(0);
    for (const status of ["soft", "final", "claimed"])
      expect(human.stdout).toMatch(new RegExp(`^  ${status} `, "m"));
  });

  it("a withdrawal above the lane balance exits 1 and changes nothing", async () => {
    const before = await lane.getAccount({ address: player.publicKey });
    const r = await runCli(["withdraw", "--key", keyFile, "--amount", "999999999999999", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error.message).toContain("BalanceInsufficient");
    const after = await lane.getAccount({ address: player.publicKey });
    expect([after.balance, after.nonce]).toEqual([before.balance, before.nonce]);
  });

  it("status reports a receipt's finality, and unknown for a hash the lane never saw", async () => {
    const s = await cliJson(["status", transferHash]);
    expect(s.status).toBe((await lane.getTransactionStatus({ hash: transferHash })).status);
    expect(s.receipt.txHash).toBe(transferHash);
    const unknown = await cliJson(["status", "ab".repeat(32)]);
    expect(unknown.status).toBe("unknown");
  });

  it("a transaction the lane refuses exits 1 with the server's error and changes nothing", async () => {
    const before = await lane.getAccount({ address: player.publicKey });
    const r = await runCli([
      "transfer",
      "--key",
      keyFile,
      "--to",
      "@2",
      "--amount",
      "999999999999",
      "--json",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const error = JSON.parse(r.stderr).error;
    expect(error.status).toBe(422);
    expect(error.code).toBe("tx_rejected");
    expect(error.message).toContain("BalanceInsufficient");
    const after = await lane.getAccount({ address: player.publicKey });
    expect([after.balance, after.nonce]).toEqual([before.balance, before.nonce]);
  });

  it("human output is readable text, not JSON", async () => {
    const r = await runCli(["balance", "@0"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^public key\s+[0-9a-f]{64}$/m);
    expect(r.stdout).toMatch(/^lane 1\s+balance \d+/m);
    expect(() => JSON.parse(r.stdout)).toThrow();
  });
});
