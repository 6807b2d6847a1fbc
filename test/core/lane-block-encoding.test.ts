import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { CodecError, encode } from "../../shared/codec/index.ts";
import { decodeBlock, encodeBlock, laneBlockCodec } from "../../shared/lane/batch.ts";
import type { Block } from "../../shared/stf/block.ts";
import { TX_BYTES_MAX } from "../../shared/stf/limits.ts";

const b32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const header = fc.record({
  chainId: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  lane: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  height: u64,
  timestampMs: u64,
  sequencer: b32,
  baseFeePerGas: u64,
});
const deposit = fc.record({
  depositId: b32,
  recipient: b32,
  asset: b32,
  amount: fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
});
// Lengths around the varuint's one/two-byte boundary (128) and up to the limit.
const tx = fc.oneof(
  fc.uint8Array({ maxLength: 140 }),
  fc.integer({ min: 120, max: TX_BYTES_MAX }).map((n) => new Uint8Array(n).fill(n & 0xff)),
);
const block: fc.Arbitrary<Block> = fc.record({
  header,
  deposits: fc.array(deposit, { maxLength: 3 }),
  txs: fc.array(tx, { maxLength: 200 }),
});

const viaCodec = (b: Block) =>
  encode(laneBlockCodec, { header: b.header, deposits: [...b.deposits], txs: [...b.txs] });

describe("encodeBlock", () => {
  it("gives exactly the canonical laneBlockCodec bytes, which decode back to the block", () => {
    fc.assert(
      fc.property(block, (b) => {
        const bytes = encodeBlock(b);
        expect(toHex(bytes)).toBe(toHex(viaCodec(b)));
        const back = decodeBlock(bytes);
        expect(back.txs.map(toHex)).toEqual(b.txs.map(toHex));
      }),
      { numRuns: 150 },
    );
  });

  it("rejects an oversized transaction with the codec's error, like the codec", () => {
    const b = fc.sample(block, { numRuns: 1, seed: 5 })[0]!;
    const bad: Block = { ...b, txs: [...b.txs, new Uint8Array(TX_BYTES_MAX + 1)] };
    expect(() => viaCodec(bad)).toThrow(CodecError);
    expect(() => encodeBlock(bad)).toThrow(CodecError);
  });
});
