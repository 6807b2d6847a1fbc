/**
 * Canonical codec benchmarks (runtime-agnostic: imports only shared/).
 * A two-signature trade is about the largest common lane transaction
 * (~300 bytes): encode and decode it, as a sequencer does for every request.
 */
import { fromHex, fromHexLoop, toHex } from "../../shared/bytes.ts";
import { decode, encode } from "../../shared/codec/index.ts";
import { type SignedTx, signedTxCodec } from "../../shared/stf/tx.ts";
import type { BenchCase } from "../lib/types.ts";

const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);

function tradeTx(nonce: bigint): SignedTx {
  return {
    body: {
      chainId: "bitlayer-bench",
      lane: 1,
      sender: filled(32, 1),
      nonce,
      maxFeePerGas: 2_000n,
      tipPerGas: 10n,
      idempotencyKey: filled(32, 7),
      payload: {
        type: "trade",
        counterparty: filled(32, 2),
        give: [
          { type: "native", amount: 1_000_000_000n },
          { type: "token", tokenId: filled(32, 3), amount: 5n },
        ],
        take: [{ type: "item", itemId: filled(32, 4) }],
      },
    },
    signatures: [filled(64, 5), filled(64, 6)],
  };
}

type CodecState = { tx: SignedTx; bytes: Uint8Array; sink: number };

const setup = (): CodecState => {
  const tx = tradeTx(42n);
  return { tx, bytes: encode(signedTxCodec, tx), sink: 0 };
};

export const cases: BenchCase[] = [
  {
    name: "codec encode: signed trade tx (~300 bytes)",
    unit: "tx",
    n: 5_000,
    setup,
    run: (s: CodecState, n: number) => {
      for (let i = 0; i < n; i++) s.sink += encode(signedTxCodec, s.tx).length;
    },
  },
  {
    name: "codec decode: signed trade tx (~300 bytes)",
    unit: "tx",
    n: 5_000,
    setup,
    run: (s: CodecState, n: number) => {
      for (let i = 0; i < n; i++) s.sink += decode(signedTxCodec, s.bytes).signatures.length;
    },
  },
  // The edge API takes transactions as hex by default: every byte of a batch goes through this.
  ...(
    [
      ["fromHex", fromHex],
      ["portable loop", fromHexLoop],
    ] as const
  ).map(
    ([label, decodeHex]): BenchCase => ({
      name: `hex decode: signed trade tx (~300 bytes), ${label}`,
      unit: "tx",
      n: 5_000,
      setup: () => ({ hex: toHex(setup().bytes), sink: 0 }),
      run: (s: { hex: string; sink: number }, n: number) => {
        for (let i = 0; i < n; i++) s.sink += decodeHex(s.hex).length;
      },
    }),
  ),
];
