/**
 * The checkpoint light client in both runtimes (this file runs in Node and
 * in workerd): verifyCheckpointProof accepts a checkpoint record only when
 * block H + 1's hash, computed as consensus computes it, carries precommits
 * of more than 2/3 of the trusted set's power and the record is proven under
 * that block's appHashPrev. The ledger is the real one (ledger/harness.ts)
 * with real Ed25519 validator keys; the served JSON is built by the API's
 * own view (api/views.ts checkpointProofJson).
 */
import { describe, expect, it } from "vitest";
import type { ProvableState } from "../../settlement-node/api/backend.ts";
import { checkpointProofJson } from "../../settlement-node/api/views.ts";
import { type CommitCertificate, signVote } from "../../settlement-node/consensus/messages.ts";
import {
  checkpointPayload,
  LedgerHarness,
  testGenesis,
  testKey,
} from "../../settlement-node/ledger/harness.ts";
import { LedgerStatus } from "../../settlement-node/ledger/codes.ts";
import { checkpointCodec, ledgerKeys } from "../../settlement-node/ledger/records.ts";
import { encodeBlock } from "../../settlement-node/node/block.ts";
import { valueIdOf } from "../../settlement-node/consensus/messages.ts";
import { compareBytes, fromHex, toHex } from "../../shared/bytes.ts";
import { encode } from "../../shared/codec/index.ts";
import { generateKeyPair, type KeyPair, sign } from "../../shared/crypto/keys.ts";
import { verifyCheckpointProof, type CheckpointProof } from "../../shared/sdk/verifyCheckpointProof.ts";
import { decodeSmtProof, encodeSmtProof, MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";

const seed = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (n * 37 + i) & 0xff);
/** Four validators with real keys, sorted by public key as consensus indexes them. */
const validators: KeyPair[] = [1, 2, 3, 4]
  .map((n) => generateKeyPair(seed(n)))
  .sort((a, b) => compareBytes(a.publicKey, b.publicKey));
const impostors: KeyPair[] = [5, 6, 7, 8]
  .map((n) => generateKeyPair(seed(n)))
  .sort((a, b) => compareBytes(a.publicKey, b.publicKey));
const trusted = validators.map((k) => ({ publicKey: `0x${toHex(k.publicKey)}`, power: "10000" }));

const base = testGenesis({ validators: 4 });
const genesis = {
  ...base,
  validators: validators.map((k) => ({ publicKey: toHex(k.publicKey), stake: "10000" })),
};
const CHAIN = genesis.chainId;
const opener = testKey("a0");
const sequencer = testKey("seq");
const NEW_ROOT = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + (i % 16));
const WINDOW = 3n;

/** Precommits of `signers` (indices into the sorted set) for `block` at its height, round 0. */
function certify(block: Uint8Array, height: bigint, signers: KeyPair[] = validators): CommitCertificate {
  const valueId = valueIdOf(block);
  const precommits = signers.map((key, validatorIndex) =>
    signVote(
      CHAIN,
      { publicKey: key.publicKey, sign: (m) => sign(key.secretKey, m) },
      {
        type: "precommit",
        height: Number(height),
        round: 0,
        valueId,
        validatorIndex,
        extension: new Uint8Array(0),
      },
    ),
  );
  return { height: Number(height), round: 0, valueId, precommits };
}

/** Block H + 1 built on the harness's state after H (the next block consensus would decide). */
function nextBlock(h: LedgerHarness, o: { timeMs?: bigint; appHashPrev?: Uint8Array } = {}): Uint8Array {
  return encodeBlock({
    height: h.height + 1n,
    timeMs: o.timeMs ?? h.timeMs + 1000n,
    proposer: validators[0]!.publicKey,
    appHashPrev: o.appHashPrev ?? h.appHash,
    lastCommit: null,
    txs: [],
  });
}

/** What GET /v1/lanes/1/checkpoints/:index/proof serves for the harness's state, through the API's view. */
function served(
  h: LedgerHarness,
  index = 0n,
  o: { block?: Uint8Array; certificate?: CommitCertificate; tree?: SparseMerkleTree; root?: Uint8Array } = {},
): CheckpointProof {
  const block = o.block ?? nextBlock(h);
  const tree = o.tree ?? h.tree;
  const root = o.root ?? h.appHash;
  const state: ProvableState = {
    height: h.height,
    block,
    certificate: o.certificate ?? certify(block, h.height + 1n),
    root,
    state: tree.readerAt(root),
    prove: (key) => tree.prove(key, root),
  };
  const json = checkpointProofJson(state, 1, index);
  if (!json) throw new Error(`no checkpoint ${index} in the harness state`);
  return json;
}

/** Lane 1 opened at block 1, checkpoint 0 accepted at block 2 (final from block 2 + WINDOW). */
function chainWithCheckpoint(): LedgerHarness {
  const h = new LedgerHarness(genesis);
  const opened = h.block([
    h.tx(opener, {
      type: "openLane",
      sequencer,
      bond: 500n,
      challengeWindowBlocks: WINDOW,
      genesisRoot: new Uint8Array(32),
      forcedInclusionBlocks: 3n,
      genesisEscrow: 0n,
    }),
  ]);
  expect(opened.receipts[0]!.status).toBe(LedgerStatus.Ok);
  const posted = h.block([
    h.tx(
      opener,
      checkpointPayload({ lane: 1, index: 0n, prevRoot: new Uint8Array(32), newRoot: NEW_ROOT, sequencer }),
    ),
  ]);
  expect(posted.receipts[0]!.status).toBe(LedgerStatus.Ok);
  return h;
}

const verify = (proof: CheckpointProof, o: { lane?: number; index?: bigint; set?: typeof trusted } = {}) =>
  verifyCheckpointProof({
    chainId: CHAIN,
    validators: o.set ?? trusted,
    lane: o.lane ?? 1,
    index: o.index ?? 0n,
    proof,
  });

const reasonOf = (r: Awaited<ReturnType<typeof verify>>): string => (r.valid ? "(valid)" : r.reason);

/** Flips one bit of a 0x-hex string's byte `at` (negative: from the end). */
function flip(hex: string, at: number): string {
  const bytes = fromHex(hex.slice(2));
  const i = at < 0 ? bytes.length + at : at;
  bytes[i]! ^= 0x01;
  return `0x${toHex(bytes)}`;
}

describe("verifyCheckpointProof (checkpoint light client)", () => {
  it("accepts a settled checkpoint proven one block after the block that accepted it", async () => {
    const h = chainWithCheckpoint();
    const r = await verify(served(h));
    expect(reasonOf(r)).toBe("(valid)");
    if (!r.valid) return;
    expect(r.provenHeight).toBe(2n);
    expect(r.status).toBe("settled");
    expect(toHex(r.record.newRoot)).toBe(toHex(NEW_ROOT));
    expect(r.record).toMatchObject({ lane: 1, index: 0n, postedHeight: 2n, finalHeight: 2n + WINDOW });
    expect(r.signedPower).toBe(40_000n);
    expect(r.signers).toEqual(validators.map((k) => toHex(k.publicKey)));
  });

  it("says final once the proven height reaches the record's finalHeight, and settled one block before", async () => {
    const h = chainWithCheckpoint();
    h.advanceTo(2n + WINDOW - 1n);
    const before = await verify(served(h));
    expect(before.valid && before.status).toBe("settled");
    h.advanceTo(2n + WINDOW);
    const r = await verify(served(h));
    expect(r.valid && r.status).toBe("final");
    expect(r.valid && r.provenHeight).toBe(2n + WINDOW);
  });

  it("accepts 3 of 4 signers (more than 2/3) and rejects 2 of 4", async () => {
    const h = chainWithCheckpoint();
    const block = nextBlock(h);
    const all = certify(block, 3n);
    const three = { ...all, precommits: all.precommits.filter((p) => p.vote.validatorIndex !== 1) };
    expect((await verify(served(h, 0n, { block, certificate: three }))).valid).toBe(true);
    const two = { ...all, precommits: all.precommits.filter((p) => p.vote.validatorIndex < 2) };
    const r = await verify(served(h, 0n, { block, certificate: two }));
    expect(r.valid).toBe(false);
    expect(reasonOf(r)).toMatch(/certificate: signed power 20000 of 40000 is not more than 2\/3/);
  });

  it("rejects a certificate signed by a set that is not the trusted one", async () => {
    const h = chainWithCheckpoint();
    const block = nextBlock(h);
    const r = await verify(served(h, 0n, { block, certificate: certify(block, 3n, impostors) }));
    expect(reasonOf(r)).toMatch(/signed power 0 of 40000/);
  });

  it("rejects a tampered value: one bit of the record's newRoot", async () => {
    const h = chainWithCheckpoint();
    const proof = served(h);
    const offset = 4 + 8 + 32; // lane u32, index u64, prevRoot: the first byte of newRoot
    const r = await verify({ ...proof, value: flip(proof.value as string, offset) });
    expect(reasonOf(r)).toMatch(/SMT proof does not show the record/);
  });

  it("rejects a tampered proof node (a sibling hash)", async () => {
    const h = chainWithCheckpoint();
    const proof = served(h);
    const nodes = decodeSmtProof(fromHex((proof.proof as string).slice(2))).nodes;
    const i = nodes.findIndex((n) => n.type === "hash" || n.type === "leaf");
    expect(i).toBeGreaterThanOrEqual(0);
    const node = nodes[i]!;
    if (node.type === "hash") node.hash[0]! ^= 1;
    else if (node.type === "leaf") node.valueHash[0]! ^= 1;
    const tampered = `0x${toHex(encodeSmtProof({ nodes }))}`;
    const r = await verify({ ...proof, proof: tampered });
    expect(reasonOf(r)).toMatch(/SMT proof does not show the record/);
    expect(reasonOf(await verify({ ...proof, proof: "0x00ff" }))).toMatch(/SMT proof does not decode/);
  });

  it("rejects a certificate for another block, and a block whose bytes changed under its certificate", async () => {
    const h = chainWithCheckpoint();
    const block = nextBlock(h);
    const other = nextBlock(h, { timeMs: h.timeMs + 7777n });
    // Signed by every trusted validator, but for another block at the same height.
    const r = await verify(served(h, 0n, { block, certificate: certify(other, 3n) }));
    expect(reasonOf(r)).toMatch(/certificate is for another block/);
    // The same with valueId rewritten to the served block's hash: the signatures are over the other one.
    const relabelled = { ...certify(other, 3n), valueId: valueIdOf(block) };
    const r2 = await verify(served(h, 0n, { block, certificate: relabelled }));
    expect(reasonOf(r2)).toMatch(/signed power 0 of 40000/);
  });

  it("rejects a forged state: a validator's own tree with a final record, under an honest certificate", async () => {
    const h = chainWithCheckpoint();
    // The liar writes the record it wishes were there (final already) into a tree of its own.
    const real = h.checkpoint(1, 0n)!;
    const forgedTree = new SparseMerkleTree(new MemoryNodeStore());
    const forgedRoot = forgedTree.update([
      { key: ledgerKeys.checkpoint(1, 0n), value: encode(checkpointCodec, { ...real, finalHeight: 1n }) },
    ]);
    const honestBlock = nextBlock(h);
    // Its block carries the forged root: the honest validators' certificate is for the real block.
    const forgedBlock = nextBlock(h, { appHashPrev: forgedRoot });
    const r = await verify(
      served(h, 0n, {
        block: forgedBlock,
        certificate: certify(honestBlock, 3n),
        tree: forgedTree,
        root: forgedRoot,
      }),
    );
    expect(reasonOf(r)).toMatch(/certificate is for another block/);
    // With its own signatures instead, the trusted set did not sign.
    const r2 = await verify(
      served(h, 0n, {
        block: forgedBlock,
        certificate: certify(forgedBlock, 3n, impostors),
        tree: forgedTree,
        root: forgedRoot,
      }),
    );
    expect(reasonOf(r2)).toMatch(/not more than 2\/3/);
  });

  it("rejects a proof read for another lane or index", async () => {
    const h = chainWithCheckpoint();
    const proof = served(h);
    expect(reasonOf(await verify(proof, { index: 1n }))).toMatch(/key is not lane 1 checkpoint 1's/);
    expect(reasonOf(await verify(proof, { lane: 2 }))).toMatch(/key is not lane 2 checkpoint 0's/);
    // Without the served key the verifier's own key is used: the proof does not cover it.
    const { key: _key, ...keyless } = proof;
    expect(reasonOf(await verify(keyless, { index: 1n }))).toMatch(/SMT proof does not show the record/);
  });

  it("rejects a block that is not H + 1 and a certificate of another height", async () => {
    const h = chainWithCheckpoint();
    const proof = served(h);
    expect(reasonOf(await verify({ ...proof, height: "1" }))).toMatch(/not 2 \(the proven height \+ 1\)/);
    const r = await verify({ ...proof, certificate: { ...proof.certificate, height: "4" } });
    expect(reasonOf(r)).toMatch(/certificate is for height 4, not 3/);
  });

  it("never throws on malformed input", async () => {
    const h = chainWithCheckpoint();
    const proof = served(h);
    const bad: unknown[] = [
      null,
      {},
      { ...proof, block: "0xzz" },
      { ...proof, block: "0x00" },
      { ...proof, height: "abc" },
      { ...proof, height: -1 },
      { ...proof, value: 42 },
      { ...proof, certificate: null },
      { ...proof, certificate: { ...proof.certificate, precommits: "nope" } },
      { ...proof, certificate: { ...proof.certificate, valueId: "0x12" } },
    ];
    for (const b of bad) {
      const r = await verify(b as CheckpointProof);
      expect(r.valid, JSON.stringify(b)?.slice(0, 80)).toBe(false);
    }
    expect((await verify(proof, { lane: 0 })).valid).toBe(false);
    expect((await verify(proof, { index: -1n })).valid).toBe(false);
  });
});
