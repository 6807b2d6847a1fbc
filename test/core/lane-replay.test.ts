/**
 * The watcher's verifier (shared/lane/replay.ts) against checkpoints the real
 * LaneExecutor built: honest ones verify, a wrong claimed root is a mismatch
 * at the batch's last height, and batches that cannot be judged (unlinked,
 * undecodable, a forged signature, a header that does not follow, a claimed
 * withdrawalCount the lane record does not hold) are invalid, each leaving
 * the replayer at its last verified root.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { encode } from "../../shared/codec/index.ts";
import {
  batchDataCodec,
  buildCheckpoint,
  type CheckpointToReplay,
  decodeBatchData,
  LaneExecutor,
  LaneReplayer,
  LaneReplayStateError,
  type PostCheckpoint,
} from "../../shared/lane/index.ts";
import { signedTx, testLane, transferBody } from "../../shared/lane/testing.ts";
import { MemoryNodeStore } from "../../shared/smt/store.ts";
import { NATIVE_ASSET, TxStatus } from "../../shared/stf/index.ts";

const lane = testLane({ accounts: 4 });
const [a, b, c] = lane.accounts as [
  (typeof lane.accounts)[0],
  (typeof lane.accounts)[0],
  (typeof lane.accounts)[0],
];

/** `count` signed transfers a → b, then c → b, nonces from `nonce`. */
async function transfers(count: number, nonce: bigint): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const from = i % 2 === 0 ? a : c;
    out.push(await signedTx(transferBody(lane, from, b.publicKey, nonce + BigInt(i >> 1)), lane.accounts));
  }
  return out;
}

/** One committed executor step sealed into checkpoint `index` (two transactions per block). */
async function checkpointOf(
  executor: LaneExecutor,
  index: bigint,
  txs: Uint8Array[],
  nowMs: bigint,
): Promise<PostCheckpoint> {
  const prevRoot = executor.head.root;
  const { step } = await executor.process(txs, nowMs);
  executor.commit();
  expect(step.rejected).toEqual([]);
  return await buildCheckpoint({
    chainId: lane.genesis.chainId,
    lane: lane.genesis.lane,
    index,
    prevRoot,
    newRoot: step.stateRoot,
    withdrawalCount: 0n,
    encodedBlocks: step.blocks.map((block) => block.encoded),
    signer: lane.sequencer,
  });
}

/** Checkpoint 0 (heights 1–3) and checkpoint 1 (heights 4–5) of an honest lane. */
async function honestCheckpoints(): Promise<[PostCheckpoint, PostCheckpoint]> {
  const executor = lane.newExecutor({ blockTxsMax: 2 });
  const first = await checkpointOf(executor, 0n, await transfers(6, 0n), 2_000n);
  const second = await checkpointOf(executor, 1n, await transfers(4, 3n), 3_000n);
  return [first, second];
}

let honest: [PostCheckpoint, PostCheckpoint];
beforeAll(async () => {
  honest = await honestCheckpoints();
});

/** The batch data with `edit` applied to its decoded blocks, encoded again. */
function editBatch(batchData: Uint8Array, edit: (blocks: ReturnType<typeof decodeBatchData>) => void) {
  const blocks = decodeBatchData(batchData);
  edit(blocks);
  return encode(batchDataCodec, { blocks });
}

describe("LaneReplayer", () => {
  it("verifies an honest lane's checkpoints in order, reaching the sequencer's root", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    expect(toHex(replayer.root)).toBe(toHex(honest[0].prevRoot));
    const first = await replayer.replay(honest[0]);
    expect(first).toEqual({
      status: "verified",
      index: 0n,
      firstHeight: 1n,
      lastHeight: 3n,
      root: honest[0].newRoot,
    });
    const second = await replayer.replay(honest[1]);
    expect(second).toMatchObject({ status: "verified", index: 1n, firstHeight: 4n, lastHeight: 5n });
    expect(toHex(replayer.root)).toBe(toHex(honest[1].newRoot));
    expect(replayer.height).toBe(5n);
    expect(replayer.nextIndex).toBe(2n);
  });

  it("starts from a genesis tree the caller already wrote into its store, without writing it again", async () => {
    const store = new MemoryNodeStore();
    const genesisHead = LaneExecutor.writeGenesis(store, lane.genesis);
    const nodes = store.size;
    const replayer = new LaneReplayer({ genesis: lane.genesis, genesisHead, store });
    expect(store.size).toBe(nodes);
    expect(toHex(replayer.root)).toBe(toHex(honest[0].prevRoot));
    expect(await replayer.replay(honest[0])).toMatchObject({ status: "verified", index: 0n });
    expect(await replayer.replay(honest[1])).toMatchObject({ status: "verified", index: 1n });
    expect(toHex(replayer.root)).toBe(toHex(honest[1].newRoot));
  });

  it("reports a wrong claimed root as a mismatch at the batch's last height, and stays at the verified root", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    await replayer.replay(honest[0]);
    const claimedRoot = honest[1].newRoot.slice();
    claimedRoot[0]! ^= 1;
    const outcome = await replayer.replay({ ...honest[1], newRoot: claimedRoot });
    expect(outcome).toEqual({
      status: "mismatch",
      index: 1n,
      height: 5n,
      claimedRoot,
      computedRoot: honest[1].newRoot,
    });
    expect(toHex(replayer.root)).toBe(toHex(honest[0].newRoot));
    expect(replayer.nextIndex).toBe(1n);
    // Nothing of the failed replay stuck: the honest checkpoint still verifies.
    expect((await replayer.replay(honest[1])).status).toBe("verified");
  });

  it("a claimed root that the blocks do not give is a mismatch even when the blocks change nothing else", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    const outcome = await replayer.replay({ ...honest[0], newRoot: honest[1].newRoot });
    expect(outcome).toMatchObject({ status: "mismatch", index: 0n, height: 3n });
  });

  it("checks the claimed withdrawalCount against the lane record at newRoot", async () => {
    const executor = lane.newExecutor();
    const withdraw = await signedTx(
      transferBody(lane, a, b.publicKey, 0n, {
        payload: {
          type: "withdraw",
          asset: NATIVE_ASSET,
          amount: 500n,
          recipient: new Uint8Array(32).fill(4),
        },
      }),
      lane.accounts,
    );
    const prevRoot = executor.head.root;
    const { step } = await executor.process([withdraw], 2_000n);
    executor.commit();
    expect(step.rejected).toEqual([]);
    const withCount = (withdrawalCount: bigint) =>
      buildCheckpoint({
        chainId: lane.genesis.chainId,
        lane: lane.genesis.lane,
        index: 0n,
        prevRoot,
        newRoot: step.stateRoot,
        withdrawalCount,
        encodedBlocks: step.blocks.map((block) => block.encoded),
        signer: lane.sequencer,
      });
    for (const lie of [0n, 2n]) {
      const replayer = new LaneReplayer({ genesis: lane.genesis });
      const outcome = await replayer.replay(await withCount(lie));
      expect(outcome).toMatchObject({ status: "invalid", index: 0n, reason: "withdrawal_count" });
      expect(replayer.nextIndex).toBe(0n);
    }
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    expect((await replayer.replay(await withCount(1n))).status).toBe("verified");
  });

  it("a checkpoint whose prevRoot does not link to the verified root is invalid", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    await replayer.replay(honest[0]);
    const unlinked: CheckpointToReplay = { ...honest[1], prevRoot: honest[0].prevRoot };
    expect(await replayer.replay(unlinked)).toMatchObject({
      status: "invalid",
      index: 1n,
      reason: "prev_root",
    });
    expect(replayer.nextIndex).toBe(1n);
  });

  it("a checkpoint out of index order is invalid", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    expect(await replayer.replay(honest[1])).toMatchObject({ status: "invalid", reason: "out_of_order" });
  });

  it("a tampered transaction signature is invalid at its block and index", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    const batchData = editBatch(honest[0].batchData, (blocks) => {
      const tx = blocks[1]!.txs[1]!.slice();
      tx[tx.length - 1]! ^= 1;
      blocks[1]!.txs[1] = tx;
    });
    const outcome = await replayer.replay({ ...honest[0], batchData, batchHash: undefined });
    expect(outcome).toMatchObject({ status: "invalid", reason: "tx_signature", height: 2n, txIndex: 1 });
    expect(replayer.nextIndex).toBe(0n);
  });

  it("a forced transaction with a bad signature is the lane's to include: its inbox block verifies", async () => {
    const executor = lane.newExecutor();
    const forged = (await transfers(1, 0n))[0]!.slice();
    forged[forged.length - 1]! ^= 1;
    const [verifiedForged] = await executor.verify([forged]);
    const prevRoot = executor.head.root;
    const step = executor.execute(await executor.verify(await transfers(2, 0n)), 2_000n, {
      deposits: [],
      forced: [verifiedForged!],
    });
    executor.commit();
    expect(step.inbox.forcedReceipts[0]!.status).toBe(TxStatus.SignatureInvalid);
    const checkpoint = await buildCheckpoint({
      chainId: lane.genesis.chainId,
      lane: lane.genesis.lane,
      index: 0n,
      prevRoot,
      newRoot: step.stateRoot,
      withdrawalCount: 0n,
      forcedCursor: 1n,
      encodedBlocks: step.blocks.map((block) => block.encoded),
      signer: lane.sequencer,
    });
    const withoutQueue = await new LaneReplayer({ genesis: lane.genesis }).replay(checkpoint);
    expect(withoutQueue).toMatchObject({ status: "invalid", reason: "tx_signature", height: 1n, txIndex: 0 });
    const withQueue = await new LaneReplayer({ genesis: lane.genesis }).replay({
      ...checkpoint,
      forced: [forged],
    });
    expect(withQueue).toMatchObject({ status: "verified", firstHeight: 1n, lastHeight: 2n });
  });

  it("batch data that does not decode, or does not match its hash, is invalid", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    const truncated = honest[0].batchData.slice(0, -3);
    expect(await replayer.replay({ ...honest[0], batchData: truncated, batchHash: undefined })).toMatchObject(
      {
        status: "invalid",
        reason: "batch_malformed",
      },
    );
    expect(await replayer.replay({ ...honest[0], batchData: truncated })).toMatchObject({
      status: "invalid",
      reason: "batch_hash",
    });
    expect(await replayer.replay({ ...honest[0], stfVersion: 99 })).toMatchObject({
      status: "invalid",
      reason: "stf_version",
    });
  });

  it("a block whose header does not follow the lane's height is invalid at that block", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    const batchData = editBatch(honest[0].batchData, (blocks) => {
      blocks.splice(1, 1);
    });
    expect(await replayer.replay({ ...honest[0], batchData, batchHash: undefined })).toMatchObject({
      status: "invalid",
      reason: "block",
      height: 3n,
    });
  });

  it("refuses a second replay while one is running", async () => {
    const replayer = new LaneReplayer({ genesis: lane.genesis });
    const running = replayer.replay(honest[0]);
    await expect(replayer.replay(honest[0])).rejects.toBeInstanceOf(LaneReplayStateError);
    expect((await running).status).toBe("verified");
  });
});
