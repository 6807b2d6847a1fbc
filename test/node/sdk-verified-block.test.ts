/**
 * The SDK's settlement-block light client (getVerifiedSettlementBlock)
 * against the real settlement API: createSettlementApi over the in-memory
 * backend (real ledger, blocks in the node's encoding, precommits signed by
 * real Ed25519 validator keys), reached through a transport whose fetch is
 * app.request. An honest block is accepted; a lying node is simulated by an
 * injected fault that rewrites the JSON answer, and each forged field
 * (transactions, height, proposer, time, parent, a hash that is not the
 * encoded block's, an encoded block the certificate is not for) is a
 * VerificationError naming it. appHash is not in the block: the test pins
 * that it stays the node's word and that appHashPrev is the proven root.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { createSettlementApi } from "../../settlement-node/api/app.ts";
import {
  InMemorySettlementBackend,
  signSettlementTx,
  testKeyPair,
  testNetwork,
} from "../../settlement-node/api/testing.ts";
import { valueIdOf } from "../../settlement-node/consensus/messages.ts";
import { accountAddressOf } from "../../settlement-node/ledger/address.ts";
import { settlementTxHash } from "../../settlement-node/ledger/tx.ts";
import { decodeBlock, encodeBlock } from "../../settlement-node/node/block.ts";
import { createBitlayerClient, http, type SettlementBlock, VerificationError } from "../../sdk/index.ts";

const network = testNetwork();
const [alice, bob] = network.accounts as [(typeof network.accounts)[0], (typeof network.accounts)[0]];
const SETTLEMENT = "http://validator.test";
/** The set the client trusts: the genesis validators, equal stake. */
const trusted = network.validators.map((k) => ({ publicKey: k.publicKey, power: 1n }));
const hex = (b: Uint8Array) => `0x${toHex(b)}`;

let backend: InMemorySettlementBackend;
let app: ReturnType<typeof createSettlementApi>;
/** Block 2 and block 1 as the API serves them, untouched. */
let two: SettlementBlock;
let one: SettlementBlock;
/** Another valid, signed settlement transaction that is in no block. */
let strayTx: Uint8Array;

type Fault = (block: SettlementBlock, path: string) => SettlementBlock;

/** A client whose only validator is the in-process API, its block answers rewritten by `fault`. */
function clientWith(fault?: Fault) {
  const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    const res = await app.request(url, init);
    const path = new URL(url).pathname;
    if (!fault || !path.startsWith("/v1/blocks/") || res.status !== 200) return res;
    const forged = fault((await res.json()) as SettlementBlock, path);
    return new Response(JSON.stringify(forged), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
  return createBitlayerClient({
    edgeUrl: "http://edge.test",
    settlementUrls: [SETTLEMENT],
    chainId: backend.chainId,
    lane: 1,
    transport: http({ fetch }),
  });
}

async function rejection(fault: Fault, height: bigint | number | "latest" = 2n): Promise<VerificationError> {
  try {
    await clientWith(fault).getVerifiedSettlementBlock({ height, validators: trusted });
  } catch (error) {
    expect(error).toBeInstanceOf(VerificationError);
    return error as VerificationError;
  }
  throw new Error("the forged block was accepted");
}

beforeAll(async () => {
  backend = new InMemorySettlementBackend({ network });
  app = createSettlementApi(backend, { rateLimit: false });
  const chainId = backend.chainId;
  const transfer = (from: typeof alice, nonce: bigint, amount: bigint) =>
    signSettlementTx(chainId, from, nonce, { type: "transfer", to: accountAddressOf(bob.publicKey), amount });
  await backend.submitTx(transfer(alice, 0n, 10n));
  await backend.commitBlock();
  await backend.submitTx(transfer(alice, 1n, 20n));
  await backend.submitTx(transfer(bob, 0n, 30n));
  await backend.commitBlock();
  strayTx = transfer(alice, 2n, 999n);
  one = (await (await app.request("/v1/blocks/1")).json()) as SettlementBlock;
  two = (await (await app.request("/v1/blocks/2")).json()) as SettlementBlock;
  expect(two.txs).toHaveLength(2);
});

describe("getVerifiedSettlementBlock over the real settlement API", () => {
  it("accepts the honest block by number, bigint and latest, and returns the proven appHashPrev", async () => {
    const client = clientWith();
    for (const height of [2n, 2, "latest"] as const) {
      const r = await client.getVerifiedSettlementBlock({ height, validators: trusted });
      expect(r.block).toEqual(two);
      expect(r.verification.valid).toBe(true);
      expect(r.verification.signedPower).toBe(BigInt(network.validators.length));
      expect(r.appHashPrev).toBe(one.appHash);
    }
    const first = await client.getVerifiedSettlementBlock({ height: 1n, validators: trusted });
    expect(first.block.lastBlockHash).toBe(hex(new Uint8Array(32)));
    expect(first.appHashPrev).toBe(hex(backend.ledgerState.genesisRoot));
  });

  it("rejects a forged transaction: other bytes, another hash, one dropped or one added", async () => {
    const bytes = await rejection((b) => ({
      ...b,
      txs: [{ hash: hex(settlementTxHash(strayTx)), bytes: hex(strayTx) }, b.txs[1]!],
    }));
    expect(bytes.what).toBe("block.txs[0].bytes");
    const hash = await rejection((b) => ({ ...b, txs: [b.txs[0]!, { ...b.txs[1]!, hash: b.txs[0]!.hash }] }));
    expect(hash.what).toBe("block.txs[1].hash");
    expect((await rejection((b) => ({ ...b, txs: b.txs.slice(1) }))).what).toBe("block.txs");
    const added = await rejection((b) => ({
      ...b,
      txs: [...b.txs, { hash: hex(settlementTxHash(strayTx)), bytes: hex(strayTx) }],
    }));
    expect(added.what).toBe("block.txs");
  });

  it("rejects a forged height, and another block than the one asked for", async () => {
    const forged = await rejection((b) => ({ ...b, height: "3" }));
    expect(forged.what).toBe("block.height");
    expect(forged.message).toMatch(/encoded block is at 2/);
    // Asked for 1, served block 2 whole and honest: every field is block 2's, but not the height asked.
    const swapped = await rejection(() => two, 1n);
    expect(swapped.what).toBe("block.height");
    expect(swapped.message).toMatch(/Asked for block 1/);
  });

  it("rejects a forged proposer, time or parent hash", async () => {
    const other = hex(testKeyPair("impostor").publicKey);
    expect((await rejection((b) => ({ ...b, proposer: other }))).what).toBe("block.proposer");
    expect((await rejection((b) => ({ ...b, timeMs: String(BigInt(b.timeMs) + 1n) }))).what).toBe(
      "block.timeMs",
    );
    expect((await rejection((b) => ({ ...b, lastBlockHash: two.hash }))).what).toBe("block.lastBlockHash");
  });

  it("rejects a hash that is not the encoded block's, even with that hash's honest certificate", async () => {
    // Block 1's honest hash and certificate next to block 2's bytes and fields.
    const r = await rejection((b) => ({ ...b, hash: one.hash, certificate: one.certificate }));
    expect(r.what).toBe("block.hash");
    // Block 2's honest hash and certificate next to block 1's bytes.
    expect((await rejection((b) => ({ ...b, encoded: one.encoded }))).what).toBe("block.hash");
  });

  it("rejects a forged encoded block whose own hash the certificate is not for", async () => {
    // A consistent lie: block 2 re-encoded with a stray tx, every field and the hash recomputed from it.
    const fake = decodeBlock(fromHex(two.encoded.slice(2)));
    const forgedBytes = encodeBlock({ ...fake, txs: [strayTx, ...fake.txs.slice(1)] });
    const r = await rejection((b) => ({
      ...b,
      encoded: hex(forgedBytes),
      hash: hex(valueIdOf(forgedBytes)),
      txs: [{ hash: hex(settlementTxHash(strayTx)), bytes: hex(strayTx) }, b.txs[1]!],
    }));
    expect(r.what).toBe("certificate");
    expect(r.message).toMatch(/another block/);
  });

  it("rejects an answer without a decodable encoded block", async () => {
    const { encoded: _, ...old } = two;
    expect((await rejection(() => old as SettlementBlock)).what).toBe("block.encoded");
    expect((await rejection((b) => ({ ...b, encoded: `${b.encoded}00` }))).what).toBe("block.encoded");
    expect((await rejection((b) => ({ ...b, encoded: "zz" }))).what).toBe("block.encoded");
  });

  it("rejects a certificate of validators the client does not trust", async () => {
    const strangers = [0, 1, 2, 3].map((i) => ({ publicKey: testKeyPair(`s${i}`).publicKey, power: 1n }));
    await expect(
      clientWith().getVerifiedSettlementBlock({ height: 2n, validators: strangers }),
    ).rejects.toMatchObject({ name: "VerificationError", what: "certificate" });
  });

  it("leaves appHash (the root after the block) the node's word: only appHashPrev is proven", async () => {
    const forgedRoot = hex(new Uint8Array(32).fill(0xee));
    const r = await clientWith((b) => ({ ...b, appHash: forgedRoot })).getVerifiedSettlementBlock({
      height: 2n,
      validators: trusted,
    });
    expect(r.block.appHash).toBe(forgedRoot);
    expect(r.appHashPrev).toBe(one.appHash);
  });
});
