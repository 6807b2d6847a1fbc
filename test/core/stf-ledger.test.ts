/** Behaviour of accepted lane transactions: fees, the gas market, items, deposits, withdrawals, blocks. */
import { describe, expect, it } from "vitest";
import { equalBytes, toHex } from "../../shared/bytes.ts";
import { decode, encode } from "../../shared/codec/index.ts";
import { MemoryNodeStore, SparseMerkleTree, verifyProof } from "../../shared/smt/index.ts";
import {
  collectionIdOf,
  executeBlock,
  GAS,
  genesisWrites,
  itemIdOf,
  keys,
  LaneHarness,
  NATIVE_ASSET,
  nextBaseFeePerGas,
  receiptCodec,
  StfBlockError,
  TEST_PARAMS,
  TxStatus,
  testAddress,
  withdrawalCodec,
} from "../../shared/stf/index.ts";

const alice = testAddress("alice");
const bob = testAddress("bob");
const game = testAddress("game");
const utf8 = (s: string) => new TextEncoder().encode(s);
const lane = () =>
  new LaneHarness([
    { owner: alice, amount: 10_000_000n },
    { owner: bob, amount: 10_000_000n },
    { owner: game, amount: 10_000_000n },
  ]);

describe("fees", () => {
  it("charges gas × (base fee + tip) and splits it 50/30/20 into sequencer, validators and treasury", () => {
    const h = lane();
    const r = h.commit([
      h.tx(alice, { type: "transfer", to: bob, amount: 500n }, { maxFeePerGas: 100n, tipPerGas: 3n }),
    ]);
    const fee = GAS.transfer * (10n + 3n);
    expect(r.receipts[0]).toMatchObject({ status: TxStatus.Ok, gasUsed: GAS.transfer, feePaid: fee });
    expect(h.balance(alice, NATIVE_ASSET)).toBe(10_000_000n - 500n - fee);
    expect(h.balance(bob, NATIVE_ASSET)).toBe(10_000_000n + 500n);
    expect(h.balance(h.sequencer, NATIVE_ASSET)).toBe(fee / 2n);
    expect(h.balance(TEST_PARAMS.validatorsAccount, NATIVE_ASSET)).toBe((fee * 3n) / 10n);
    expect(h.balance(TEST_PARAMS.treasuryAccount, NATIVE_ASSET)).toBe(fee - fee / 2n - (fee * 3n) / 10n);
    const l = h.lane;
    expect([l.feesSequencerTotal, l.feesValidatorsTotal, l.feesTreasuryTotal]).toEqual([
      fee / 2n,
      (fee * 3n) / 10n,
      fee - fee / 2n - (fee * 3n) / 10n,
    ]);
    expect(h.nonce(alice)).toBe(1n);
  });

  it("caps the tip at maxFeePerGas − baseFee", () => {
    const h = lane();
    const r = h.commit([
      h.tx(alice, { type: "transfer", to: bob, amount: 1n }, { maxFeePerGas: 12n, tipPerGas: 9n }),
    ]);
    expect(r.receipts[0]!.feePaid).toBe(GAS.transfer * 12n);
  });
});

describe("gas market", () => {
  it("moves the base fee toward the target by at most 1/8 per block, never below the floor", () => {
    const p = TEST_PARAMS; // target 50,000, limit 100,000
    expect(nextBaseFeePerGas(800n, 50_000n, p)).toBe(800n);
    expect(nextBaseFeePerGas(800n, 100_000n, p)).toBe(900n);
    expect(nextBaseFeePerGas(800n, 0n, p)).toBe(700n);
    expect(nextBaseFeePerGas(8n, 50_001n, p)).toBe(9n); // rises by at least 1 when over target
    expect(nextBaseFeePerGas(1n, 0n, p)).toBe(1n); // floor
  });

  it("records the next base fee in state and requires the next header to carry it", () => {
    const h = lane();
    const txs = [0n, 1n, 2n].map((n) =>
      h.tx(game, { type: "createToken", symbol: `T${n}`, decimals: 0, supplyMax: 1n }, { nonce: n }),
    );
    const r = h.commit(txs);
    expect(r.gasUsed).toBe(60_000n);
    expect(r.nextBaseFeePerGas).toBe(11n); // 10 × (10,000 over target) / 50,000 / 8 rounds to 0: +1
    expect(h.lane.baseFeePerGas).toBe(r.nextBaseFeePerGas);
    expect(() => h.execute([], { baseFeePerGas: 10n })).toThrow(StfBlockError);
  });
});

describe("items", () => {
  it("a retried identical mint succeeds without a second item or a second mint charge", () => {
    const h = lane();
    const mint = {
      type: "mintItem" as const,
      referenceId: utf8("sword#1"),
      owner: alice,
      metadata: utf8("+5"),
    };
    const first = h.commit([h.tx(game, mint)]);
    expect(first.receipts[0]).toMatchObject({ status: TxStatus.Ok, gasUsed: GAS.mintItem });
    const retry = h.commit([h.tx(game, mint)]);
    expect(retry.receipts[0]).toMatchObject({ status: TxStatus.Ok, gasUsed: GAS.mintItemRetry });
    expect(h.supply(collectionIdOf(game)).minted).toBe(1n);
    expect(toHex(h.item(itemIdOf(game, utf8("sword#1")))!.owner)).toBe(toHex(alice));
  });

  it("transfers and burns an item; the collection's supply records the burn", () => {
    const h = lane();
    const id = itemIdOf(game, utf8("shield"));
    h.commit([
      h.tx(game, { type: "mintItem", referenceId: utf8("shield"), owner: alice, metadata: utf8("") }),
    ]);
    h.commit([h.tx(alice, { type: "transferItem", itemId: id, to: bob })]);
    expect(toHex(h.item(id)!.owner)).toBe(toHex(bob));
    h.commit([h.tx(bob, { type: "burnItem", itemId: id })]);
    expect(h.item(id)!.burned).toBe(true);
    expect(h.supply(collectionIdOf(game))).toMatchObject({ minted: 1n, burned: 1n });
  });
});

describe("deposits and withdrawals", () => {
  it("credits a deposit exactly once", () => {
    const h = lane();
    const deposit = {
      depositId: new Uint8Array(32).fill(4),
      recipient: bob,
      asset: NATIVE_ASSET,
      amount: 77n,
    };
    expect(h.commit([], { deposits: [deposit] }).receipts[0]!.status).toBe(TxStatus.Ok);
    expect(h.commit([], { deposits: [deposit] }).receipts[0]!.status).toBe(TxStatus.DepositAlreadyCredited);
    expect(h.balance(bob, NATIVE_ASSET)).toBe(10_000_077n);
    expect(h.supply(NATIVE_ASSET).deposited).toBe(77n);
  });

  it("burns on the lane and writes a withdrawal leaf provable against the SMT root", () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore());
    const h = lane();
    tree.update(genesisWrites(h.genesis));
    const recipient = new Uint8Array(32).fill(0xaa);
    const r = h.execute([h.tx(alice, { type: "withdraw", asset: NATIVE_ASSET, amount: 1_000n, recipient })]);
    expect(r.receipts[0]!.status).toBe(TxStatus.Ok);
    expect(r.supplyDelta).toEqual([
      { asset: NATIVE_ASSET, minted: 0n, burned: 0n, deposited: 0n, withdrawn: 1_000n },
    ]);
    const root = tree.update(r.writes);
    const leafValue = tree.get(keys.withdrawal(0n))!;
    expect(decode(withdrawalCodec, leafValue)).toEqual({
      id: 0n,
      lane: 1,
      recipient,
      asset: NATIVE_ASSET,
      amount: 1_000n,
      height: 1n,
    });
    expect(verifyProof(root, keys.withdrawal(0n), leafValue, tree.prove(keys.withdrawal(0n)))).toBe(true);
    const forged = encode(withdrawalCodec, { ...decode(withdrawalCodec, leafValue), amount: 1_001n });
    expect(verifyProof(root, keys.withdrawal(0n), forged, tree.prove(keys.withdrawal(0n)))).toBe(false);
  });
});

describe("blocks", () => {
  it("rejects a header whose time goes backwards, skips a height or has another lane", () => {
    const h = lane();
    h.commit([], { timestampMs: 5_000n });
    expect(() => h.execute([], { timestampMs: 4_999n })).toThrow(/monotonic/);
    const header = { ...h.header(), height: 3n };
    expect(() => executeBlock(h.state, { header, deposits: [], txs: [] }, [])).toThrow(StfBlockError);
    const other = { ...h.header(), lane: 2 };
    expect(() => executeBlock(h.state, { header: other, deposits: [], txs: [] }, [])).toThrow(StfBlockError);
    expect(() =>
      h.execute([h.tx(alice, { type: "transfer", to: bob, amount: 1n })], { sigValid: [] }),
    ).toThrow(/sigValid/);
  });

  it("encodes receipts canonically and commits to them in order", () => {
    const h = lane();
    const a = h.tx(alice, { type: "transfer", to: bob, amount: 1n });
    const b = h.tx(bob, { type: "transfer", to: alice, amount: 2n });
    const r1 = h.execute([a, b]);
    const r2 = h.execute([b, a]);
    for (const r of r1.receipts) expect(decode(receiptCodec, encode(receiptCodec, r))).toEqual(r);
    expect(r1.receipts.map((r) => r.index)).toEqual([0, 1]);
    expect(equalBytes(r1.receiptsHash, r2.receiptsHash)).toBe(false);
  });
});
