import { describe, expect, it } from "vitest";
import {
  batchHashOf,
  checkpointBodyOf,
  checkpointSignBytes,
  encodeSettlementTx,
  settlementPayloadCodec,
} from "../../settlement-node/ledger/tx.ts";
import { equalBytes, toHex } from "../../shared/bytes.ts";
import { decode, encode } from "../../shared/codec/index.ts";
import { verifySignature } from "../../shared/crypto/index.ts";
import {
  blocksForNextCheckpoint,
  buildCheckpoint,
  decodeBatchData,
  GENESIS_RECEIPT_HASH,
  receiptHash,
  verifyReceipt,
} from "../../shared/lane/index.ts";
import { signedTx, testLane, transferBody } from "../../shared/lane/testing.ts";
import { MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import { executeBlock, genesisWrites, TxStatus } from "../../shared/stf/index.ts";

const lane = testLane({ accounts: 6 });
const [a, b, c, d] = lane.accounts as [
  (typeof lane.accounts)[0],
  (typeof lane.accounts)[0],
  (typeof lane.accounts)[0],
  (typeof lane.accounts)[0],
];

async function transfers(count: number, nonceStart = 0n) {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++)
    out.push(await signedTx(transferBody(lane, a, b.publicKey, nonceStart + BigInt(i)), lane.accounts));
  return out;
}

describe("LaneExecutor step", () => {
  it("includes valid transactions and signs receipts that verify and chain", async () => {
    const executor = lane.newExecutor();
    const before = executor.tree.root;
    const { step, receipts } = await executor.process(await transfers(3), 2_000n);
    executor.commit();
    expect(step.rejected).toEqual([]);
    expect(receipts).toHaveLength(3);
    let prev: Uint8Array = GENESIS_RECEIPT_HASH;
    for (const [i, signed] of receipts.entries()) {
      expect(await verifyReceipt(signed, lane.sequencer.publicKey)).toBe(true);
      expect(await verifyReceipt(signed, a.publicKey)).toBe(false);
      expect(toHex(signed.receipt.prevReceiptHash)).toBe(toHex(prev));
      expect(signed.receipt.index).toBe(i);
      expect(signed.receipt.height).toBe(1n);
      expect(toHex(signed.receipt.stateRoot)).toBe(toHex(executor.tree.root));
      prev = receiptHash(signed.receipt);
    }
    expect(toHex(executor.head.lastReceiptHash)).toBe(toHex(prev));
    expect(equalBytes(before, executor.tree.root)).toBe(false);
  });

  it("a tampered receipt no longer verifies", async () => {
    const executor = lane.newExecutor();
    const { receipts } = await executor.process(await transfers(1), 2_000n);
    const signed = receipts[0]!;
    const tampered = { ...signed, receipt: { ...signed.receipt, index: 7 } };
    expect(await verifyReceipt(tampered, lane.sequencer.publicKey)).toBe(false);
  });

  it("rejects bad signatures, wrong chain, wrong lane and replayed nonces, leaving the root unchanged", async () => {
    const executor = lane.newExecutor();
    const [first] = await transfers(1);
    await executor.process([first!], 2_000n);
    executor.commit();
    const root = executor.tree.root;
    const badSig = first!.slice();
    badSig[badSig.length - 1]! ^= 1;
    const wrongChain = await signedTx(
      transferBody(lane, c, d.publicKey, 0n, { chainId: "other" }),
      lane.accounts,
    );
    const wrongLane = await signedTx(transferBody(lane, c, d.publicKey, 0n, { lane: 9 }), lane.accounts);
    const garbage = new Uint8Array([1, 2, 3]);
    const badNonce = await signedTx(transferBody(lane, c, d.publicKey, 0n), lane.accounts);
    badNonce[badNonce.length - 1]! ^= 0x40; // same tx, broken signature
    const { step, receipts } = await executor.process(
      [first!, wrongChain, wrongLane, garbage, badNonce],
      3_000n,
    );
    expect(receipts).toEqual([]);
    expect(step.blocks).toEqual([]);
    expect(step.rejected.map((r) => r.status)).toEqual([
      TxStatus.NonceTooLow,
      TxStatus.ChainMismatch,
      TxStatus.LaneMismatch,
      TxStatus.Malformed,
      TxStatus.SignatureInvalid,
    ]);
    executor.commit();
    expect(toHex(executor.tree.root)).toBe(toHex(root));
    expect(executor.lane.height).toBe(1n);
  });

  it("drops rejected transactions from the block; the rest keep their outcome", async () => {
    const executor = lane.newExecutor();
    const good = await transfers(2);
    const bad = await signedTx(transferBody(lane, c, d.publicKey, 5n), lane.accounts);
    const { step } = await executor.process([good[0]!, bad, good[1]!], 2_000n);
    expect(step.included.map((t) => t.inputIndex)).toEqual([0, 2]);
    expect(step.rejected).toMatchObject([
      { inputIndex: 1, status: TxStatus.NonceTooHigh, reason: "NonceTooHigh" },
    ]);
    expect(step.blocks).toHaveLength(1);
    expect(step.blocks[0]!.block.txs).toEqual([good[0], good[1]]);
  });

  it("seals several blocks when a step exceeds the block size, heights consecutive", async () => {
    const executor = lane.newExecutor({ blockTxsMax: 3 });
    const { step, receipts } = await executor.process(await transfers(7), 2_000n);
    executor.commit();
    expect(step.blocks.map((blk) => blk.block.header.height)).toEqual([1n, 2n, 3n]);
    expect(step.blocks.map((blk) => blk.block.txs.length)).toEqual([3, 3, 1]);
    expect(receipts.map((r) => [r.receipt.height, r.receipt.index])).toEqual([
      [1n, 0],
      [1n, 1],
      [1n, 2],
      [2n, 0],
      [2n, 1],
      [2n, 2],
      [3n, 0],
    ]);
    expect(executor.lane.height).toBe(3n);
  });

  it("abort returns to the committed head; a new executor over the same store continues from the head", async () => {
    const store = new MemoryNodeStore();
    const executor = lane.newExecutor({ store });
    await executor.process(await transfers(2), 2_000n);
    executor.commit();
    const head = executor.head;
    await executor.process(await transfers(1, 2n), 3_000n);
    expect(equalBytes(executor.tree.root, head.root)).toBe(false);
    executor.abort();
    expect(toHex(executor.tree.root)).toBe(toHex(head.root));

    const reopened = lane.newExecutor({ store, head });
    const { receipts } = await reopened.process(await transfers(1, 2n), 3_000n);
    expect(receipts[0]!.receipt.height).toBe(2n);
    expect(toHex(receipts[0]!.receipt.prevReceiptHash)).toBe(toHex(head.lastReceiptHash));
  });

  it("time never goes backwards: a step at an earlier time uses the last block's time", async () => {
    const executor = lane.newExecutor();
    const { step } = await executor.process(await transfers(1), 5_000n);
    executor.commit();
    const { step: next } = await executor.process(await transfers(1, 1n), 4_000n);
    expect(step.blocks[0]!.block.header.timestampMs).toBe(5_000n);
    expect(next.blocks[0]!.block.header.timestampMs).toBe(5_000n);
  });
});

describe("checkpoints", () => {
  it("replaying the batch data from prevRoot with the STF gives newRoot, and settlement's checks pass", async () => {
    const executor = lane.newExecutor({ blockTxsMax: 2 });
    const genesisRoot = executor.tree.root;
    const { step } = await executor.process(await transfers(5), 2_000n);
    executor.commit();
    const checkpoint = await buildCheckpoint({
      chainId: lane.genesis.chainId,
      lane: lane.genesis.lane,
      index: 0n,
      prevRoot: genesisRoot,
      newRoot: step.stateRoot,
      withdrawalCount: executor.lane.withdrawalCount,
      encodedBlocks: step.blocks.map((blk) => blk.encoded),
      signer: lane.sequencer,
    });
    expect(toHex(checkpoint.batchHash)).toBe(toHex(batchHashOf(checkpoint.batchData)));
    const body = checkpointBodyOf({ type: "postCheckpoint", ...checkpoint });
    expect(
      await verifySignature(
        lane.sequencer.publicKey,
        checkpointSignBytes(lane.genesis.chainId, body),
        checkpoint.sequencerSignature,
      ),
    ).toBe(true);
    const payloadBytes = encode(settlementPayloadCodec, { type: "postCheckpoint", ...checkpoint });
    expect(decode(settlementPayloadCodec, payloadBytes)).toEqual({ type: "postCheckpoint", ...checkpoint });
    expect(typeof encodeSettlementTx).toBe("function");

    // A watcher's replay.
    const tree = new SparseMerkleTree(new MemoryNodeStore());
    expect(toHex(tree.update(genesisWrites(lane.genesis)))).toBe(toHex(checkpoint.prevRoot));
    const blocks = decodeBatchData(checkpoint.batchData);
    expect(blocks).toHaveLength(3);
    for (const blk of blocks) {
      const result = executeBlock(
        tree,
        blk,
        blk.txs.map(() => true),
      );
      expect(result.receipts.every((r) => r.status === TxStatus.Ok)).toBe(true);
      tree.update(result.writes);
    }
    expect(toHex(tree.root)).toBe(toHex(checkpoint.newRoot));
  });

  it("seals a checkpoint when the next block would not fit or the oldest block is old enough", () => {
    const policy = { ageMsMax: 1_000, bytesTarget: 50_000 };
    const small = (t: number) => ({ bytes: 10_000, sealedAtMs: t });
    expect(blocksForNextCheckpoint([], 10_000, policy)).toBe(0);
    expect(blocksForNextCheckpoint([small(0), small(500)], 900, policy)).toBe(0);
    expect(blocksForNextCheckpoint([small(0), small(500)], 1_000, policy)).toBe(2);
    expect(blocksForNextCheckpoint([small(0), small(1), small(2), small(3), small(4)], 10, policy)).toBe(5);
    const big = Array.from({ length: 20 }, (_, i) => small(i));
    expect(blocksForNextCheckpoint(big, 10, policy)).toBe(13);
  });
});
