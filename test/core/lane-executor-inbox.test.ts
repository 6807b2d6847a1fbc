/**
 * The executor applies settlement's inbox (deposits, forced transactions) in
 * a block of its own ahead of the step's transactions: deposits are credited
 * exactly once, a forced transaction that fails the STF stays in the block
 * with its rejection code, receipts stay chained, and replaying the blocks
 * with the STF gives the same roots.
 */
import { describe, expect, it } from "vitest";
import { laneDepositIdOf } from "../../settlement-node/ledger/tx.ts";
import { toHex } from "../../shared/bytes.ts";
import { decode } from "../../shared/codec/index.ts";
import { GENESIS_RECEIPT_HASH, receiptHash, verifyReceipt } from "../../shared/lane/index.ts";
import { signedTx, testLane, transferBody } from "../../shared/lane/testing.ts";
import { MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import {
  balanceCodec,
  type Deposit,
  executeBlock,
  genesisWrites,
  keys,
  NATIVE_ASSET,
  TxStatus,
} from "../../shared/stf/index.ts";

const lane = testLane({ accounts: 3 });
const [a, b, c] = lane.accounts as [
  (typeof lane.accounts)[0],
  (typeof lane.accounts)[0],
  (typeof lane.accounts)[0],
];

const deposit = (id: bigint, amount: bigint): Deposit => ({
  depositId: laneDepositIdOf(1, id),
  recipient: c.publicKey,
  asset: NATIVE_ASSET,
  amount,
});

function balance(tree: SparseMerkleTree, owner: Uint8Array): bigint {
  const raw = tree.get(keys.balance(owner, NATIVE_ASSET));
  return raw ? decode(balanceCodec, raw).amount : 0n;
}

describe("LaneExecutor inbox", () => {
  it("puts deposits and forced txs (even failing ones) in a first block, then the step's txs", async () => {
    const executor = lane.newExecutor();
    const before = balance(executor.tree, c.publicKey);
    const forcedOk = await signedTx(transferBody(lane, a, b.publicKey, 0n), lane.accounts);
    const forcedStale = await signedTx(transferBody(lane, b, a.publicKey, 7n), lane.accounts);
    const user = await signedTx(transferBody(lane, a, b.publicKey, 1n), lane.accounts);
    const forced = await executor.verify([forcedOk, forcedStale]);
    const step = executor.execute(await executor.verify([user]), 2_000n, {
      deposits: [deposit(0n, 500n), deposit(1n, 25n)],
      forced,
    });
    expect(step.inbox.deposits).toBe(2);
    expect(step.inbox.forced).toBe(2);
    expect(step.inbox.forcedReceipts.map((r) => r.status)).toEqual([TxStatus.Ok, TxStatus.NonceTooHigh]);
    expect(step.blocks).toHaveLength(2);
    expect(step.blocks[0]!.block.deposits).toHaveLength(2);
    expect(step.blocks[0]!.block.txs.map(toHex)).toEqual([toHex(forcedOk), toHex(forcedStale)]);
    expect(step.blocks[1]!.block.txs.map(toHex)).toEqual([toHex(user)]);

    const forcedSigned = await executor.signInbox(step);
    const userSigned = await executor.sign(step);
    executor.commit();
    // One receipt chain in block order: forced first, then the user's.
    let prev: Uint8Array = GENESIS_RECEIPT_HASH;
    for (const s of [...forcedSigned, ...userSigned]) {
      expect(await verifyReceipt(s, lane.sequencer.publicKey)).toBe(true);
      expect(toHex(s.receipt.prevReceiptHash)).toBe(toHex(prev));
      prev = receiptHash(s.receipt);
    }
    expect(toHex(executor.head.lastReceiptHash)).toBe(toHex(prev));
    expect(balance(executor.tree, c.publicKey)).toBe(before + 525n);

    // A watcher replaying the blocks with the STF alone reaches the same roots.
    const replay = new SparseMerkleTree(new MemoryNodeStore());
    replay.update(genesisWrites(lane.genesis));
    for (const sealed of step.blocks) {
      const r = executeBlock(
        replay,
        sealed.block,
        sealed.block.txs.map(() => true),
      );
      expect(toHex(replay.update(r.writes))).toBe(toHex(sealed.stateRoot));
    }
  });

  it("credits a deposit once: offered again, it is included with DepositAlreadyCredited and changes nothing", async () => {
    const executor = lane.newExecutor();
    executor.execute([], 2_000n, { deposits: [deposit(0n, 500n)], forced: [] });
    executor.commit();
    const after = balance(executor.tree, c.publicKey);
    const step = executor.execute([], 3_000n, { deposits: [deposit(0n, 500n)], forced: [] });
    executor.commit();
    expect(step.blocks[0]!.result.receipts[0]!.status).toBe(TxStatus.DepositAlreadyCredited);
    expect(balance(executor.tree, c.publicKey)).toBe(after);
  });

  it("an empty inbox adds no block", async () => {
    const executor = lane.newExecutor();
    const step = executor.execute([], 2_000n, { deposits: [], forced: [] });
    expect(step.blocks).toEqual([]);
    expect(step.inbox).toEqual({ deposits: 0, forced: 0, forcedReceipts: [] });
    executor.abort();
  });
});
