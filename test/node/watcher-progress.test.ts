/**
 * The watcher's progress file (settlement-node/watcher/progress-file.ts)
 * against a real settlement API over HTTP (the in-memory chain of
 * settlement-node/api/testing.ts): a restarted watcher resumes after its
 * last verified checkpoint without fetching the verified batches again; a
 * torn last record is dropped and that checkpoint verified again; a
 * checkpoint that did not verify is never recorded, so after a restart the
 * lane halts at it again.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Hono } from "hono";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { LaneProgressFile } from "../../settlement-node/watcher/progress-file.ts";
import { SettlementClient } from "../../settlement-node/watcher/settlement-client.ts";
import { Watcher } from "../../settlement-node/watcher/watcher.ts";

const network = testNetwork();
const [alice, bob] = network.accounts as [(typeof network.accounts)[0], (typeof network.accounts)[0]];
const backend = new InMemorySettlementBackend({ network });
const lane = testLane({ accounts: 3, chainId: backend.chainId });
const executor = lane.newExecutor({ blockTxsMax: 2 });
const logger = pino({ level: "silent" });
/** Paths the settlement API served, in order. */
const served: string[] = [];

let settlement: HttpServer;
let dir: string;
let bobNonce = 0n;
let laneNonce = 0n;
const posted: PostCheckpoint[] = [];

async function submitAndCommit(tx: Uint8Array): Promise<void> {
  expect((await backend.submitTx(tx)).accepted).toBe(true);
  await backend.commitBlock();
}

/** The executor's next step as checkpoint `index` (claiming a wrong root if `lie`), posted to settlement. */
async function postNext(o: { lie?: boolean } = {}): Promise<PostCheckpoint> {
  const index = BigInt(posted.length);
  const txs = [];
  for (let i = 0; i < 3; i++)
    txs.push(
      await signedTx(
        transferBody(lane, lane.accounts[0]!, lane.accounts[1]!.publicKey, laneNonce++),
        lane.accounts,
      ),
    );
  const prevRoot = executor.head.root;
  const { step } = await executor.process(txs, 2_000n + index);
  executor.commit();
  const newRoot = step.stateRoot.slice();
  if (o.lie) newRoot[0]! ^= 1;
  const checkpoint = await buildCheckpoint({
    chainId: backend.chainId,
    lane: 1,
    index,
    prevRoot,
    newRoot,
    withdrawalCount: 0n,
    encodedBlocks: step.blocks.map((b) => b.encoded),
    signer: lane.sequencer,
  });
  await submitAndCommit(
    signSettlementTx(backend.chainId, bob, bobNonce++, { type: "postCheckpoint", ...checkpoint }),
  );
  posted.push(checkpoint);
  return checkpoint;
}

function newWatcher(): Watcher {
  return new Watcher({
    client: new SettlementClient({ urls: [`http://127.0.0.1:${settlement.port}`], timeoutMs: 2_000 }),
    lanes: [{ lane: 1, genesis: lane.genesis }],
    logger,
    progressDir: dir,
  });
}

const batchesServed = () => served.filter((p) => p.endsWith("/batch"));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-watcher-progress-"));
  const app = new Hono();
  app.use("*", async (c, next) => {
    served.push(c.req.path);
    await next();
  });
  app.route("/", createSettlementApi(backend, { rateLimit: false }));
  settlement = await serveApi(app, "127.0.0.1", 0);
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
});

afterAll(async () => {
  await settlement.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("watcher progress file", () => {
  it("a restarted watcher resumes after its last verified checkpoint, fetching only the new batches", async () => {
    for (let i = 0; i < 3; i++) await postNext();
    const first = newWatcher();
    await first.pollOnce();
    expect(first.lanes()[0]).toMatchObject({ status: "watching", verified: 3n });
    await first.stop();

    const again = newWatcher();
    expect(again.lanes()[0]).toMatchObject({
      verified: 3n,
      lastVerified: { index: 2n, root: posted[2]!.newRoot, height: 6n },
    });
    await postNext();
    served.length = 0;
    await again.pollOnce();
    expect(again.lanes()[0]).toMatchObject({ status: "watching", verified: 4n, invalid: [], mismatches: [] });
    expect(batchesServed()).toEqual(["/v1/lanes/1/checkpoints/3/batch"]);
    await again.stop();
  });

  it("drops a torn last record and verifies that checkpoint again", async () => {
    const file = LaneProgressFile.fileOf(
      dir,
      1,
      LaneExecutor.writeGenesis(new MemoryNodeStore(), lane.genesis).root,
    );
    fs.truncateSync(file, fs.statSync(file).size - 5);
    const resumed = newWatcher();
    expect(resumed.lanes()[0]!.verified).toBe(3n);
    served.length = 0;
    await resumed.pollOnce();
    expect(resumed.lanes()[0]).toMatchObject({ status: "watching", verified: 4n });
    expect(batchesServed()).toEqual(["/v1/lanes/1/checkpoints/3/batch"]);
    await resumed.stop();
    expect(newWatcher().lanes()[0]!.verified).toBe(4n);
  });

  it("never records a checkpoint that did not verify: after a restart the lane halts at it again", async () => {
    await postNext({ lie: true });
    const w = newWatcher();
    await w.pollOnce();
    expect(w.lanes()[0]).toMatchObject({ status: "halted", verified: 4n, halt: { reason: "mismatch" } });
    await w.stop();
    const restarted = newWatcher();
    expect(restarted.lanes()[0]!.verified).toBe(4n);
    await restarted.pollOnce();
    expect(restarted.lanes()[0]).toMatchObject({ status: "halted", verified: 4n });
    expect(restarted.lanes()[0]!.mismatches).toHaveLength(1);
    await restarted.stop();
  });
});
