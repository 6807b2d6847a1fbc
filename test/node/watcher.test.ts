/**
 * The watcher (settlement-node/watcher) against a real settlement API served
 * over HTTP (the in-memory chain of settlement-node/api/testing.ts, which
 * applies blocks with the real ledger): it fails over from a dead URL,
 * verifies an honest checkpoint the LaneExecutor built, reports a checkpoint
 * with a wrong root as "fraud detected" (log and /v1/status) and halts the
 * lane there; its routes answer bad input with a 4xx naming the field; lane
 * genesis files round-trip and a bad one names its field.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { buildCheckpoint, LaneExecutor, type PostCheckpoint } from "../../shared/lane/index.ts";
import { signedTx, testLane, transferBody } from "../../shared/lane/testing.ts";
import { MemoryNodeStore } from "../../shared/smt/index.ts";
import { createSettlementApi } from "../../settlement-node/api/app.ts";
import {
  InMemorySettlementBackend,
  signSettlementTx,
  testNetwork,
} from "../../settlement-node/api/testing.ts";
import { type HttpServer, serveApi } from "../../settlement-node/node/http.ts";
import { createWatcherApi, WATCHER_ROUTES } from "../../settlement-node/watcher/api.ts";
import { WatcherConfigError } from "../../settlement-node/watcher/errors.ts";
import {
  laneGenesisFile,
  readLaneGenesis,
  writeLaneGenesis,
} from "../../settlement-node/watcher/genesis-file.ts";
import { SettlementClient } from "../../settlement-node/watcher/settlement-client.ts";
import { Watcher } from "../../settlement-node/watcher/watcher.ts";

const network = testNetwork();
const [alice, bob] = network.accounts as [(typeof network.accounts)[0], (typeof network.accounts)[0]];
const backend = new InMemorySettlementBackend({ network });
const lane = testLane({ accounts: 3, chainId: backend.chainId });
const executor = lane.newExecutor({ blockTxsMax: 2 });
const logLines: { level: number; msg: string; [k: string]: unknown }[] = [];
const logger = pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line)) });
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

let settlement: HttpServer;
let deadUrl: string;
let watcher: Watcher;
let bobNonce = 0n;
let laneNonce = 0n;

async function submitAndCommit(tx: Uint8Array): Promise<void> {
  const result = await backend.submitTx(tx);
  expect(result, result.message).toMatchObject({ accepted: true });
  const block = await backend.commitBlock();
  expect(block.receipts?.map((r) => r.status)).toEqual(block.txs.map(() => 0));
}

/**
 * The next executor step sealed into checkpoint `index`, claiming `claim(root)`
 * (the true root by default) and linking to `prevRoot` (the executor's).
 */
async function nextCheckpoint(
  index: bigint,
  claim?: (root: Uint8Array) => Uint8Array,
  prevRootClaimed?: Uint8Array,
): Promise<PostCheckpoint> {
  const txs: Uint8Array[] = [];
  for (let i = 0; i < 3; i++)
    txs.push(
      await signedTx(
        transferBody(lane, lane.accounts[0]!, lane.accounts[1]!.publicKey, laneNonce++),
        lane.accounts,
      ),
    );
  const prevRoot = prevRootClaimed ?? executor.head.root;
  const { step } = await executor.process(txs, 2_000n + index);
  executor.commit();
  return await buildCheckpoint({
    chainId: backend.chainId,
    lane: 1,
    index,
    prevRoot,
    newRoot: claim ? claim(step.stateRoot) : step.stateRoot,
    withdrawalCount: 0n,
    encodedBlocks: step.blocks.map((b) => b.encoded),
    signer: lane.sequencer,
  });
}

/** Settlement accepts a checkpoint without replaying it: that is the watcher's job. */
async function post(checkpoint: PostCheckpoint): Promise<void> {
  await submitAndCommit(
    signSettlementTx(backend.chainId, bob, bobNonce++, { type: "postCheckpoint", ...checkpoint }),
  );
}

async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  settlement = await serveApi(createSettlementApi(backend, { rateLimit: false }), "127.0.0.1", 0);
  deadUrl = await closedPortUrl();
  watcher = new Watcher({
    client: new SettlementClient({
      urls: [deadUrl, `http://127.0.0.1:${settlement.port}`],
      timeoutMs: 2_000,
    }),
    lanes: [{ lane: 1, genesis: lane.genesis }],
    logger,
  });
});

afterAll(async () => {
  await watcher.stop();
  await settlement.close();
});

describe("watcher against a settlement API", () => {
  it("waits while the lane is not on settlement, without an error", async () => {
    await watcher.pollOnce();
    const [status] = watcher.lanes();
    expect(status).toMatchObject({ lane: 1, status: "waiting", verified: 0n, lastError: null });
  });

  it("fails over from a dead URL and verifies an honest checkpoint", async () => {
    await submitAndCommit(
      signSettlementTx(backend.chainId, alice, 0n, {
        type: "openLane",
        sequencer: lane.sequencer.publicKey,
        bond: 500n,
        challengeWindowBlocks: 3n,
        genesisRoot: LaneExecutor.writeGenesis(new MemoryNodeStore(), lane.genesis).root,
        forcedInclusionBlocks: 3n,
        genesisEscrow: 0n,
      }),
    );
    const honest = await nextCheckpoint(0n);
    await post(honest);
    await watcher.pollOnce();
    expect(watcher.client.currentUrl).toBe(`http://127.0.0.1:${settlement.port}`);
    const [status] = watcher.lanes();
    expect(status).toMatchObject({
      status: "watching",
      verified: 1n,
      settlementCheckpoints: 1n,
      lastVerified: { index: 0n, root: honest.newRoot, height: 2n },
      mismatches: [],
      invalid: [],
    });
    expect(logLines.some((l) => l.msg === "watcher: checkpoint verified" && l.index === "0")).toBe(true);
  });

  it("reports a wrong claimed root as fraud detected, at the batch's last height, and halts the lane", async () => {
    let trueRoot: Uint8Array = new Uint8Array();
    const fraud = await nextCheckpoint(1n, (root) => {
      trueRoot = root;
      const claimed = root.slice();
      claimed[31]! ^= 0xff;
      return claimed;
    });
    await post(fraud);
    // The dishonest sequencer goes on from its own claim, as settlement requires.
    await post(await nextCheckpoint(2n, undefined, fraud.newRoot));
    await watcher.pollOnce();
    const [status] = watcher.lanes();
    expect(status).toMatchObject({
      status: "halted",
      verified: 1n,
      settlementCheckpoints: 3n,
      halt: { reason: "mismatch" },
    });
    expect(status!.mismatches).toHaveLength(1);
    expect(status!.mismatches[0]).toMatchObject({
      index: 1n,
      height: 4n,
      claimedRoot: fraud.newRoot,
      computedRoot: trueRoot,
    });
    const alarm = logLines.find((l) => l.msg === "fraud detected");
    expect(alarm).toMatchObject({
      level: 50,
      lane: 1,
      index: "1",
      height: "4",
      claimedRoot: `0x${toHex(fraud.newRoot)}`,
      computedRoot: `0x${toHex(trueRoot)}`,
    });
    // Halted: the checkpoint built on the fraudulent root is not replayed.
    await watcher.pollOnce();
    expect(watcher.lanes()[0]!.mismatches).toHaveLength(1);
    expect(logLines.filter((l) => l.msg === "fraud detected")).toHaveLength(1);
  });

  it("serves the status as JSON, with the lag behind settlement and the mismatch", async () => {
    const api = createWatcherApi(watcher);
    const body = await json(api.request("/v1/status"));
    expect(body.settlementUrl).toBe(`http://127.0.0.1:${settlement.port}`);
    expect(body.lanes).toHaveLength(1);
    const [one] = body.lanes;
    expect(one).toMatchObject({
      lane: 1,
      status: "halted",
      checkpointsVerified: "1",
      settlementCheckpoints: "3",
      lag: "2",
      lastVerified: { index: "0", height: "2" },
      invalid: [],
    });
    expect(one.mismatches).toEqual([
      expect.objectContaining({ index: "1", height: "4", detectedAt: expect.any(String) }),
    ]);
    expect(await json(api.request("/v1/lanes/1"))).toEqual(one);
    const metrics = await (await api.request("/metrics")).text();
    expect(metrics).toContain('bitlayer_watcher_mismatches{lane="1"} 1');
    expect(metrics).toContain('bitlayer_watcher_checkpoints_verified{lane="1"} 1');
    expect(metrics).toContain('bitlayer_watcher_lag_checkpoints{lane="1"} 2');
  });

  it("GET /v1/openapi.json documents every route the watcher serves, and only those", async () => {
    const api = createWatcherApi(watcher);
    const doc = await json(api.request("/v1/openapi.json"));
    const served = new Set(
      api.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([a-z]+)/g, "{$1}")}`),
    );
    const documented = new Set(
      Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m} ${p}`),
      ),
    );
    expect(documented).toEqual(served);
    expect(documented.size).toBe(WATCHER_ROUTES.length);
    expect(doc.info.title).toBe("Bitlayer watcher API");
    const status = doc.paths["/v1/status"].get.responses["200"].content["application/json"].schema;
    expect(status.properties.lanes.items.properties.invalid.items.properties.reason.enum).toContain(
      "withdrawal_count",
    );
  });

  const badInput: [string, string, number, string, string | undefined][] = [
    ["a lane id that is not a number", "/v1/lanes/abc", 400, "invalid_field", "id"],
    ["lane 0", "/v1/lanes/0", 400, "invalid_field", "id"],
    ["a lane not watched", "/v1/lanes/7", 404, "lane_not_watched", "id"],
    ["a query parameter on /v1/status", "/v1/status?lane=1", 400, "invalid_field", "query.lane"],
    ["an unknown route", "/v1/nope", 404, "route_not_found", undefined],
  ];
  for (const [name, route, status, code, field] of badInput)
    it(`${name} → ${status} ${code}`, async () => {
      const res = await createWatcherApi(watcher).request(route);
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = await json(res);
      expect(body.error).toMatchObject({ code, message: expect.any(String) });
      expect(body.error.field).toBe(field);
    });
});

describe("lane genesis files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-watcher-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("round-trip the genesis the Sequencer uses (same root)", () => {
    writeLaneGenesis(dir, lane.genesis);
    const read = readLaneGenesis(dir, 1);
    expect(read).toEqual(lane.genesis);
    const root = (g: typeof read) => toHex(LaneExecutor.writeGenesis(new MemoryNodeStore(), g).root);
    expect(root(read)).toBe(root(lane.genesis));
  });

  it("a missing file or a bad field is a WatcherConfigError naming it", () => {
    expect(() => readLaneGenesis(dir, 2)).toThrow(WatcherConfigError);
    const file = laneGenesisFile(dir, 1);
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    json.params.treasuryAccount = "0x12";
    fs.writeFileSync(file, JSON.stringify(json));
    expect(() => readLaneGenesis(dir, 1)).toThrow(/params\.treasuryAccount/);
  });
});
