/**
 * Mempool admission: a transaction is accepted only with a valid signature
 * over this chain's sign-bytes, an unused nonce within the gap, the minimum
 * fee and canonical bytes within the size limit; duplicates are refused by
 * hash; capacity is bounded; the proposer takes consecutive nonces per sender
 * and commits prune what was included or made stale.
 */
import { randomBytes } from "node:crypto";
import { toHex } from "../../shared/bytes.ts";
import { generateKeyPair, type KeyPair, sign, verifySignature } from "../../shared/crypto/index.ts";
import { describe, expect, test } from "vitest";
import {
  accountAddressOf,
  encodeSettlementTx,
  SETTLEMENT_TX_BYTES_MAX,
  settlementTxHash,
  settlementTxSignBytes,
} from "../../settlement-node/ledger/index.ts";
import { Mempool, NONCE_GAP_MAX } from "../../settlement-node/mempool/mempool.ts";

const CHAIN = "bitlayer-mempool-test";
const key = (): KeyPair => generateKeyPair(new Uint8Array(randomBytes(32)));

function setup(o: { txsMax?: number } = {}) {
  const nonces = new Map<string, bigint>();
  const mempool = new Mempool({
    chainId: CHAIN,
    txsMax: o.txsMax,
    nonceOf: (address) => nonces.get(toHex(address)) ?? 0n,
    feeMin: () => 2n,
    verify: verifySignature,
    signBytesOf: (tx) => settlementTxSignBytes(CHAIN, tx.body),
  });
  return { mempool, nonces };
}

function tx(
  k: KeyPair,
  nonce: bigint,
  o: { fee?: bigint; chainId?: string; signer?: KeyPair } = {},
): Uint8Array {
  const body = {
    sender: k.publicKey,
    nonce,
    fee: o.fee ?? 2n,
    payload: { type: "transfer" as const, to: new Uint8Array(20).fill(9), amount: 5n },
  };
  const signature = sign((o.signer ?? k).secretKey, settlementTxSignBytes(o.chainId ?? CHAIN, body));
  return encodeSettlementTx({ body, signature });
}

describe("mempool admission", () => {
  test("accepts a correctly signed transaction and refuses the same bytes again as a duplicate", async () => {
    const { mempool } = setup();
    const a = key();
    const bytes = tx(a, 0n);
    expect(await mempool.add(bytes)).toEqual({ accepted: true, hash: settlementTxHash(bytes) });
    expect(await mempool.add(bytes)).toMatchObject({ accepted: false, reason: "duplicate" });
    expect(mempool.size).toBe(1);
  });

  test("refuses a signature by another key, or made for another chain", async () => {
    const { mempool } = setup();
    const a = key();
    expect(await mempool.add(tx(a, 0n, { signer: key() }))).toMatchObject({
      accepted: false,
      reason: "bad-signature",
    });
    expect(await mempool.add(tx(a, 0n, { chainId: "other-chain" }))).toMatchObject({
      accepted: false,
      reason: "bad-signature",
    });
    expect(mempool.size).toBe(0);
  });

  test("refuses used nonces, nonces too far ahead, and fees below the minimum", async () => {
    const { mempool, nonces } = setup();
    const a = key();
    nonces.set(toHex(accountAddressOf(a.publicKey)), 5n);
    expect(await mempool.add(tx(a, 4n))).toMatchObject({ accepted: false, reason: "nonce-used" });
    expect(await mempool.add(tx(a, 5n + NONCE_GAP_MAX))).toMatchObject({
      accepted: false,
      reason: "nonce-gap",
    });
    expect(await mempool.add(tx(a, 5n, { fee: 1n }))).toMatchObject({
      accepted: false,
      reason: "fee-too-low",
    });
    expect((await mempool.add(tx(a, 5n))).accepted).toBe(true);
  });

  test("refuses non-canonical and oversize bytes", async () => {
    const { mempool } = setup();
    const bytes = tx(key(), 0n);
    expect(await mempool.add(bytes.subarray(0, bytes.length - 1))).toMatchObject({
      accepted: false,
      reason: "malformed",
    });
    expect(await mempool.add(new Uint8Array([...bytes, 0]))).toMatchObject({
      accepted: false,
      reason: "malformed",
    });
    expect(await mempool.add(new Uint8Array(SETTLEMENT_TX_BYTES_MAX + 1))).toMatchObject({
      accepted: false,
      reason: "oversize",
    });
  });

  test("is bounded: beyond txsMax it refuses with full", async () => {
    const { mempool } = setup({ txsMax: 3 });
    const a = key();
    for (let n = 0n; n < 3n; n++) expect((await mempool.add(tx(a, n))).accepted).toBe(true);
    expect(await mempool.add(tx(a, 3n))).toMatchObject({ accepted: false, reason: "full" });
  });

  test("the proposer takes consecutive nonces per sender from the committed one, within the count bound", async () => {
    const { mempool } = setup();
    const [a, b] = [key(), key()];
    for (const n of [0n, 1n, 3n]) await mempool.add(tx(a, n)); // 2 is missing: 3 must wait
    for (const n of [0n, 1n]) await mempool.add(tx(b, n));
    const taken = mempool.take(100, 1 << 20);
    expect(taken.map(toHex).sort()).toEqual([tx(a, 0n), tx(a, 1n), tx(b, 0n), tx(b, 1n)].map(toHex).sort());
    expect(mempool.take(2, 1 << 20)).toHaveLength(2);
  });

  test("a commit removes included transactions and those whose nonce became used", async () => {
    const { mempool, nonces } = setup();
    const a = key();
    const [t0, t1, t2] = [tx(a, 0n), tx(a, 1n), tx(a, 2n)];
    for (const t of [t0, t1, t2]) await mempool.add(t);
    nonces.set(toHex(accountAddressOf(a.publicKey)), 2n);
    mempool.update([settlementTxHash(t0)]);
    expect(mempool.size).toBe(1);
    expect(mempool.has(settlementTxHash(t2))).toBe(true);
  });

  test("a commit with the block's senders drops their stale entries, also those of txs the block had and we did not", async () => {
    const { mempool, nonces } = setup();
    const [a, b, c] = [key(), key(), key()];
    // a's nonce 0 was committed with other bytes (another fee) than the ones we hold.
    for (const t of [tx(a, 0n, { fee: 3n }), tx(a, 1n), tx(b, 0n), tx(c, 0n)]) await mempool.add(t);
    const inBlock = [tx(a, 0n), tx(b, 0n)];
    nonces.set(toHex(accountAddressOf(a.publicKey)), 1n);
    nonces.set(toHex(accountAddressOf(b.publicKey)), 1n);
    mempool.update(inBlock.map(settlementTxHash), [a.publicKey, b.publicKey]);
    expect(mempool.size).toBe(2);
    expect(mempool.has(settlementTxHash(tx(a, 1n)))).toBe(true);
    expect(mempool.has(settlementTxHash(tx(c, 0n)))).toBe(true);
    expect(mempool.hasProposable()).toBe(true);
    expect(
      mempool
        .take(10, 1 << 20)
        .map(toHex)
        .sort(),
    ).toEqual([tx(a, 1n), tx(c, 0n)].map(toHex).sort());
  });

  test("hasProposable is false while every sender waits for a missing nonce", async () => {
    const { mempool } = setup();
    const [a, b] = [key(), key()];
    await mempool.add(tx(a, 1n));
    await mempool.add(tx(b, 2n));
    expect(mempool.hasProposable()).toBe(false);
    await mempool.add(tx(b, 0n));
    expect(mempool.hasProposable()).toBe(true);
  });
});
