/**
 * txSignBytesFromWire (what the lane executor's verify uses) equals
 * txSignBytes(body) (the body re-encoded) for every canonical signed
 * transaction: random bodies of every payload type, chain ids of any UTF-8
 * up to the 64-byte limit, 0-2 signatures; and on the STF workload's
 * transactions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { CodecError } from "../../shared/codec/index.ts";
import { MAX_CHAIN_ID_BYTES } from "../../shared/domain.ts";
import { genesisWrites, MemoryState } from "../../shared/stf/index.ts";
import {
  decodeSignedTx,
  encodeSignedTx,
  type SignedTx,
  type TradeAsset,
  type TxPayload,
  txSignBytes,
  txSignBytesFromWire,
} from "../../shared/stf/tx.ts";
import { Workload } from "../../shared/stf/workload.ts";

const bytesN = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
const chainId = fc
  .string({ unit: "grapheme", maxLength: 64 })
  .filter((s) => new TextEncoder().encode(s).length <= MAX_CHAIN_ID_BYTES);
const asset: fc.Arbitrary<TradeAsset> = fc.oneof(
  fc.record({ type: fc.constant("native" as const), amount: u128 }),
  fc.record({ type: fc.constant("token" as const), tokenId: bytesN(32), amount: u128 }),
  fc.record({ type: fc.constant("item" as const), itemId: bytesN(32) }),
);
const payload: fc.Arbitrary<TxPayload> = fc.oneof(
  fc.record({ type: fc.constant("transfer" as const), to: bytesN(32), amount: u128 }),
  fc.record({
    type: fc.constant("createToken" as const),
    symbol: fc.string({ maxLength: 16 }).filter((s) => new TextEncoder().encode(s).length <= 16),
    decimals: fc.integer({ min: 0, max: 255 }),
    supplyMax: u128,
  }),
  fc.record({ type: fc.constant("mintToken" as const), tokenId: bytesN(32), to: bytesN(32), amount: u128 }),
  fc.record({ type: fc.constant("transferToken" as const), tokenId: bytesN(32), to: bytesN(32), amount: u128 }),
  fc.record({
    type: fc.constant("mintItem" as const),
    referenceId: fc.uint8Array({ maxLength: 64 }),
    owner: bytesN(32),
    metadata: fc.uint8Array({ maxLength: 300 }),
  }),
  fc.record({ type: fc.constant("transferItem" as const), itemId: bytesN(32), to: bytesN(32) }),
  fc.record({ type: fc.constant("burnItem" as const), itemId: bytesN(32) }),
  fc.record({
    type: fc.constant("trade" as const),
    counterparty: bytesN(32),
    give: fc.array(asset, { maxLength: 2 }),
    take: fc.array(asset, { maxLength: 2 }),
  }),
  fc.record({ type: fc.constant("withdraw" as const), asset: bytesN(32), amount: u128, recipient: bytesN(32) }),
);
const signedTx: fc.Arbitrary<SignedTx> = fc.record({
  body: fc.record({
    chainId,
    lane: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    sender: bytesN(32),
    nonce: u64,
    maxFeePerGas: u64,
    tipPerGas: u64,
    idempotencyKey: fc.option(bytesN(32), { nil: null }),
    payload,
  }),
  signatures: fc.array(bytesN(64), { maxLength: 2 }),
});

function expectSameSignBytes(bytes: Uint8Array): void {
  const tx = decodeSignedTx(bytes);
  expect(toHex(txSignBytesFromWire(bytes, tx))).toBe(toHex(txSignBytes(tx.body)));
}

describe("txSignBytesFromWire", () => {
  it("equals txSignBytes(body) on random canonical transactions", () => {
    fc.assert(
      fc.property(signedTx, (tx) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeSignedTx(tx);
        } catch (error) {
          // A trade with assets the codec refuses, etc.: not a transaction, nothing to sign.
          if (error instanceof CodecError) return;
          throw error;
        }
        expectSameSignBytes(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("equals txSignBytes(body) on the STF workload's transactions (malformed ones skipped)", () => {
    const w = new Workload({ seed: 7, accountCount: 16, txsPerBlock: 60, invalidPercent: 40 });
    const state = new MemoryState();
    state.apply(genesisWrites(w.genesis));
    let checked = 0;
    for (const bytes of w.nextBlock(state, w.genesis.baseFeePerGas).block.txs) {
      try {
        decodeSignedTx(bytes);
      } catch (error) {
        if (error instanceof CodecError) continue;
        throw error;
      }
      expectSameSignBytes(bytes);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });
});
