import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../shared/bytes.ts";
import { domainTag, hashTagged, sha256 } from "../../shared/hash.ts";
import {
  decodeSmtMultiproof,
  decodeSmtProof,
  encodeSmtMultiproof,
  encodeSmtProof,
  MemoryNodeStore,
  SparseMerkleTree,
  verifyMultiproof,
  verifyProof,
} from "../../shared/smt/index.ts";
import golden from "../golden/smt-roots.json";

const bytesOrNull = (hex: string | null) => (hex === null ? null : fromHex(hex));

describe("sparse Merkle tree golden vectors (test/golden/smt-roots.json)", () => {
  for (const c of golden.roots) {
    it(`reproduces the committed root: ${c.name}`, () => {
      const tree = new SparseMerkleTree(new MemoryNodeStore());
      for (const batch of c.batches) {
        tree.update(batch.map((w) => ({ key: fromHex(w.key), value: bytesOrNull(w.value) })));
      }
      expect(toHex(tree.root)).toBe(c.root);
    });
  }

  it("pins the one-key root to the leaf formula of the spec", () => {
    const oneKey = golden.roots.find((c) => c.name === "one key")!;
    const w = oneKey.batches[0]![0]!;
    const leaf = hashTagged(domainTag("bitlayer/smt/leaf/v1"), fromHex(w.key), sha256(utf8("a")));
    expect(oneKey.root).toBe(toHex(leaf));
  });

  for (const p of golden.proofs) {
    it(`reproduces and verifies the committed proof: ${p.name}`, () => {
      const source = golden.roots.find((c) => c.name === "sixteen keys in one batch")!;
      const tree = new SparseMerkleTree(new MemoryNodeStore());
      tree.update(source.batches[0]!.map((w) => ({ key: fromHex(w.key), value: bytesOrNull(w.value) })));
      expect(toHex(encodeSmtProof(tree.prove(fromHex(p.key))))).toBe(p.proof);
      expect(
        verifyProof(fromHex(p.root), fromHex(p.key), bytesOrNull(p.value), decodeSmtProof(fromHex(p.proof))),
      ).toBe(true);
    });
  }

  it("verifies the committed multiproof and re-encodes it byte for byte", () => {
    const m = golden.multiproof;
    const proof = decodeSmtMultiproof(fromHex(m.proof));
    expect(toHex(encodeSmtMultiproof(proof))).toBe(m.proof);
    const entries = m.entries.map((e) => ({ key: fromHex(e.key), value: bytesOrNull(e.value) }));
    expect(verifyMultiproof(fromHex(m.root), proof, entries)).toBe(true);
  });
});
