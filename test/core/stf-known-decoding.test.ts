/**
 * executeBlock with the caller's hashes and decodings of its transactions
 * (what the lane executor's verify step hands over) gives exactly the result
 * of executeBlock decoding and hashing the bytes itself: receipts, writes,
 * gas and supply deltas, on random mixed workloads with malformed and
 * invalid transactions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { CodecError } from "../../shared/codec/index.ts";
import type { DecodedTx } from "../../shared/stf/execute.ts";
import { executeBlock, genesisWrites, MemoryState } from "../../shared/stf/index.ts";
import { decodeSignedTx, type SignedTx, txHash } from "../../shared/stf/tx.ts";
import { Workload } from "../../shared/stf/workload.ts";

function knownOf(bytes: Uint8Array): DecodedTx {
  let decoded: SignedTx | null;
  try {
    decoded = decodeSignedTx(bytes);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    decoded = null;
  }
  return { hash: txHash(bytes), decoded };
}

const summary = (r: ReturnType<typeof executeBlock>) => ({
  receipts: r.receipts.map((x) => ({ ...x, hash: toHex(x.hash) })),
  receiptsHash: toHex(r.receiptsHash),
  writes: r.writes.map((w) => [toHex(w.key), w.value === null ? null : toHex(w.value)]),
  gasUsed: r.gasUsed,
  nextBaseFeePerGas: r.nextBaseFeePerGas,
  supplyDelta: r.supplyDelta.map((d) => ({ ...d, asset: toHex(d.asset) })),
});

describe("executeBlock with known decodings", () => {
  it("equals executeBlock without them, block after block", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 60 }), (seed, invalid) => {
        const w = new Workload({ seed, accountCount: 16, txsPerBlock: 40, invalidPercent: invalid });
        const state = new MemoryState();
        state.apply(genesisWrites(w.genesis));
        let baseFee = w.genesis.baseFeePerGas;
        for (let b = 0; b < 3; b++) {
          const { block, sigValid } = w.nextBlock(state, baseFee);
          // Some entries left to executeBlock (undefined), as a caller that decoded only part of a batch.
          const known = block.txs.map((bytes, i) => (i % 3 === 2 ? undefined : knownOf(bytes)));
          const plain = executeBlock(state, block, sigValid);
          const withKnown = executeBlock(state, block, sigValid, known);
          expect(summary(withKnown)).toEqual(summary(plain));
          state.apply(plain.writes);
          baseFee = plain.nextBaseFeePerGas;
        }
      }),
      { numRuns: 25 },
    );
  });

  it("reports an undecodable transaction as Malformed either way, and rejects a known list of the wrong length", () => {
    const w = new Workload({ seed: 7, accountCount: 4, txsPerBlock: 3, invalidPercent: 0 });
    const state = new MemoryState();
    state.apply(genesisWrites(w.genesis));
    const { block, sigValid } = w.nextBlock(state, w.genesis.baseFeePerGas);
    const garbage = new Uint8Array([0xff, 0xff, 0xff]);
    const txs = [...block.txs, garbage];
    const sigs = [...sigValid, true];
    const withGarbage = { ...block, txs };
    const plain = executeBlock(state, withGarbage, sigs);
    const withKnown = executeBlock(state, withGarbage, sigs, txs.map(knownOf));
    expect(withKnown.receipts.at(-1)!.status).toBe(plain.receipts.at(-1)!.status);
    expect(summary(withKnown)).toEqual(summary(plain));
    expect(() => executeBlock(state, withGarbage, sigs, [])).toThrow(/known has 0 entries/);
  });
});
