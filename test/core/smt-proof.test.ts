import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { CodecError } from "../../shared/codec/index.ts";
import { sha256 } from "../../shared/hash.ts";
import {
  computeRootFromMultiproof,
  decodeSmtMultiproof,
  decodeSmtProof,
  encodeSmtMultiproof,
  encodeSmtProof,
  MemoryNodeStore,
  MultiproofStateReader,
  nodeHash,
  SmtKeyNotCoveredError,
  SmtProofError,
  SmtProofFailure,
  type SmtEntry,
  type SmtProof,
  SparseMerkleTree,
  verifyMultiproof,
  verifyProof,
} from "../../shared/smt/index.ts";
import type { StateWrite } from "../../shared/state.ts";

const BASE = sha256(new Uint8Array([7]));
const flip = (key: Uint8Array, position: number) => {
  const out = key.slice();
  out[position >> 3]! ^= 0x80 >> (position & 7);
  return out;
};
const keyArb = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.integer({ min: 0, max: 255 }).map((p) => flip(BASE, p)),
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
    .map(([a, b]) => flip(flip(BASE, a), b)),
);
const poolArb = fc.uniqueArray(keyArb, { minLength: 2, maxLength: 14, selector: (k) => toHex(k) });
const valueArb = fc.option(fc.uint8Array({ minLength: 1, maxLength: 5 }), { freq: 3 });
/** A tree holding a random subset of the pool (the rest are absent keys to prove). */
const stateArb = poolArb.chain((pool) =>
  fc.tuple(fc.constant(pool), fc.array(valueArb, { minLength: pool.length, maxLength: pool.length })),
);
function treeOf(pool: Uint8Array[], values: (Uint8Array | null)[]) {
  const tree = new SparseMerkleTree(new MemoryNodeStore());
  tree.update(pool.map((key, i) => ({ key, value: values[i] ?? null })));
  return tree;
}
const entriesOf = (pool: Uint8Array[], values: (Uint8Array | null)[], pick: number[]): SmtEntry[] =>
  [...new Set(pick)].map((i) => ({ key: pool[i]!, value: values[i] ?? null }));

/** Ways to alter one proof node's bytes (its hash, key or value hash), at most 6 spread over the proof. */
function tamperings(proof: SmtProof): SmtProof[] {
  const out: SmtProof[] = [];
  const candidates = proof.nodes.flatMap((node, i) =>
    node.type === "hash" || node.type === "leaf" ? [i] : [],
  );
  const step = Math.max(1, Math.ceil(candidates.length / 6));
  const chosen = new Set(candidates.filter((_, j) => j % step === 0));
  proof.nodes.forEach((node, i) => {
    if (!chosen.has(i)) return;
    const swap = (replacement: SmtProof["nodes"][number]) =>
      out.push({ nodes: proof.nodes.map((n, j) => (j === i ? replacement : n)) });
    if (node.type === "hash") swap({ ...node, hash: flip(node.hash, 255) });
    if (node.type === "leaf") {
      swap({ ...node, valueHash: flip(node.valueHash, 3) });
      swap({ ...node, key: flip(node.key, 255) });
    }
  });
  return out;
}

describe("single-key proofs", () => {
  it("verify for present and absent keys, and fail for a wrong value, wrong key or tampered node", () => {
    fc.assert(
      fc.property(stateArb, fc.uint8Array({ minLength: 1, maxLength: 5 }), ([pool, values], other) => {
        const tree = treeOf(pool, values);
        const root = tree.root;
        pool.forEach((key, i) => {
          const value = values[i] ?? null;
          const proof = tree.prove(key);
          expect(verifyProof(root, key, value, proof)).toBe(true);
          if (value === null) {
            expect(verifyProof(root, key, other, proof)).toBe(false);
          } else {
            expect(verifyProof(root, key, null, proof)).toBe(false);
            const wrong =
              other.length === value.length && toHex(other) === toHex(value) ? flip(other, 0) : other;
            expect(verifyProof(root, key, wrong, proof)).toBe(false);
            expect(verifyProof(root, flip(key, 255), value, proof)).toBe(false);
            expect(verifyProof(root, flip(key, 0), value, proof)).toBe(false);
          }
          for (const tampered of tamperings(proof))
            expect(verifyProof(root, key, value, tampered)).toBe(false);
          expect(verifyProof(flip(root, 9), key, value, proof)).toBe(false);
        });
      }),
    );
  });

  it("round-trips through the codec and rejects every truncation and any extra byte", () => {
    fc.assert(
      fc.property(stateArb, fc.nat(), ([pool, values], pick) => {
        const tree = treeOf(pool, values);
        const proof = tree.prove(pool[pick % pool.length]!);
        const bytes = encodeSmtProof(proof);
        expect(decodeSmtProof(bytes)).toEqual(proof);
        expect(encodeSmtProof(decodeSmtProof(bytes))).toEqual(bytes);
        for (let n = 0; n < bytes.length; n++) {
          expect(() => decodeSmtProof(bytes.subarray(0, n))).toThrow(CodecError);
        }
        const extended = new Uint8Array(bytes.length + 1);
        extended.set(bytes);
        expect(() => decodeSmtProof(extended)).toThrow(CodecError);
      }),
      { numRuns: 30 },
    );
  });

  it("rejects proofs with left-over nodes or a missing terminal", () => {
    const tree = treeOf([BASE, flip(BASE, 200)], [new Uint8Array([1]), new Uint8Array([2])]);
    const proof = tree.prove(BASE);
    expect(verifyProof(tree.root, BASE, new Uint8Array([1]), proof)).toBe(true);
    expect(
      verifyProof(tree.root, BASE, new Uint8Array([1]), { nodes: [...proof.nodes, { type: "empty" }] }),
    ).toBe(false);
    expect(verifyProof(tree.root, BASE, new Uint8Array([1]), { nodes: proof.nodes.slice(0, -1) })).toBe(
      false,
    );
  });
});

describe("proof verification on malformed input", () => {
  it("returns false instead of throwing for wrong lengths, too many nodes or a branch too deep", () => {
    const tree = treeOf([BASE], [new Uint8Array([1])]);
    const proof = tree.prove(BASE);
    expect(verifyProof(tree.root.subarray(1), BASE, new Uint8Array([1]), proof)).toBe(false);
    expect(verifyProof(tree.root, BASE.subarray(1), new Uint8Array([1]), proof)).toBe(false);
    const tooMany: SmtProof = { nodes: Array.from({ length: 1026 }, () => ({ type: "empty" as const })) };
    expect(verifyProof(tree.root, BASE, null, tooMany)).toBe(false);
    // Branches along BASE's path down to depth 256: deeper than a key has bits.
    const along = (depth: number): SmtProof["nodes"] => {
      if (depth > 256) return [{ type: "empty" }];
      const bit = depth < 256 ? (BASE[depth >> 3]! >> (7 - (depth & 7))) & 1 : 0;
      const below = along(depth + 1);
      return bit === 0
        ? [{ type: "branch" }, ...below, { type: "empty" }]
        : [{ type: "branch" }, { type: "empty" }, ...below];
    };
    const deep: SmtProof = { nodes: along(0) };
    expect(verifyProof(tree.root, BASE, null, deep)).toBe(false);
    expect(() => computeRootFromMultiproof(tree.root, deep, [{ key: BASE, value: null }], [])).toThrow(
      expect.objectContaining({ code: SmtProofFailure.TooDeep }),
    );
  });
});

describe("multiproofs and stateless recomputation", () => {
  const scenarioArb = stateArb.chain(([pool, values]) =>
    fc.tuple(
      fc.constant(pool),
      fc.constant(values),
      fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: pool.length }),
      fc.array(fc.tuple(fc.nat(), valueArb), { maxLength: 8 }),
    ),
  );

  it("multiproof + writes gives the same new root as the real tree", () => {
    fc.assert(
      fc.property(scenarioArb, ([pool, values, pick, rawWrites]) => {
        const tree = treeOf(pool, values);
        const oldRoot = tree.root;
        const entries = entriesOf(pool, values, pick);
        const proof = tree.proveMany(entries.map((e) => e.key));
        expect(verifyMultiproof(oldRoot, proof, entries)).toBe(true);
        const writes: StateWrite[] = rawWrites.map(([i, value]) => ({
          key: entries[i % entries.length]!.key,
          value,
        }));
        const stateless = computeRootFromMultiproof(oldRoot, proof, entries, writes);
        expect(toHex(stateless)).toBe(toHex(tree.update(writes)));
      }),
    );
  });

  it("a single-key proof also carries enough to recompute after deleting or setting that key", () => {
    fc.assert(
      fc.property(stateArb, fc.nat(), valueArb, ([pool, values], pick, value) => {
        const tree = treeOf(pool, values);
        const i = pick % pool.length;
        const entries = entriesOf(pool, values, [i]);
        const stateless = computeRootFromMultiproof(tree.root, tree.prove(pool[i]!), entries, [
          { key: pool[i]!, value },
        ]);
        expect(toHex(stateless)).toBe(toHex(tree.update([{ key: pool[i]!, value }])));
      }),
    );
  });

  it("rejects a multiproof that does not match the old root or the claimed old values", () => {
    fc.assert(
      fc.property(scenarioArb, fc.uint8Array({ minLength: 6, maxLength: 6 }), ([pool, values, pick], odd) => {
        const tree = treeOf(pool, values);
        const entries = entriesOf(pool, values, pick);
        const proof = tree.proveMany(entries.map((e) => e.key));
        const code = (run: () => unknown) => {
          try {
            run();
          } catch (e) {
            if (e instanceof SmtProofError) return e.code;
            throw e;
          }
          return 0;
        };
        expect(code(() => computeRootFromMultiproof(flip(tree.root, 1), proof, entries, []))).toBe(
          SmtProofFailure.RootMismatch,
        );
        const lying = entries.map((e, j) => (j === 0 ? { key: e.key, value: e.value ? null : odd } : e));
        expect(code(() => computeRootFromMultiproof(tree.root, proof, lying, []))).not.toBe(0);
        const changed = entries.map((e, j) => (j === 0 && e.value ? { key: e.key, value: odd } : e));
        if (entries[0]!.value) {
          expect(code(() => computeRootFromMultiproof(tree.root, proof, changed, []))).toBe(
            SmtProofFailure.RootMismatch,
          );
        }
        for (const tampered of tamperings(proof)) {
          expect(code(() => computeRootFromMultiproof(tree.root, tampered, entries, []))).not.toBe(0);
        }
      }),
    );
  });

  it("refuses writes to keys outside the multiproof", () => {
    const tree = treeOf([BASE, flip(BASE, 3)], [new Uint8Array([1]), new Uint8Array([2])]);
    const entries = [{ key: BASE, value: new Uint8Array([1]) }];
    const proof = tree.proveMany([BASE]);
    expect(() =>
      computeRootFromMultiproof(tree.root, proof, entries, [{ key: flip(BASE, 3), value: null }]),
    ).toThrow(expect.objectContaining({ code: SmtProofFailure.WriteOutsideProof }));
  });

  it("refuses a delete whose sibling is sent as a bare hash instead of being typed", () => {
    const a = BASE[12]! & 0x08 ? flip(BASE, 100) : BASE; // bit 100 clear: a is the left child at depth 100
    const b = flip(a, 100);
    const c = flip(b, 200);
    const tree = treeOf([a, b, c], [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
    const entries = [{ key: a, value: new Uint8Array([1]) }];
    const proof = tree.prove(a);
    // Honest proof: ..., branch, proven (a), then a's sibling typed as a branch of its two children.
    const at = proof.nodes.findIndex((n) => n.type === "proven");
    const tail = proof.nodes.slice(at, at + 4);
    expect(tail.map((n) => n.type)).toEqual(["proven", "branch", "hash", "empty"]);
    const childHash = (n: SmtProof["nodes"][number]) => (n.type === "hash" ? n.hash : new Uint8Array(32));
    const siblingHash = nodeHash(childHash(tail[2]!), childHash(tail[3]!));
    const untyped: SmtProof = {
      nodes: [
        ...proof.nodes.slice(0, at + 1),
        { type: "hash", hash: siblingHash },
        ...proof.nodes.slice(at + 4),
      ],
    };
    expect(verifyMultiproof(tree.root, untyped, entries)).toBe(true);
    expect(
      computeRootFromMultiproof(tree.root, untyped, entries, [{ key: a, value: new Uint8Array([9]) }]),
    ).toEqual(computeRootFromMultiproof(tree.root, proof, entries, [{ key: a, value: new Uint8Array([9]) }]));
    expect(() => computeRootFromMultiproof(tree.root, untyped, entries, [{ key: a, value: null }])).toThrow(
      expect.objectContaining({ code: SmtProofFailure.MissingSiblingType }),
    );
  });

  it("round-trips multiproofs through the codec and rejects truncated or extended bytes", () => {
    fc.assert(
      fc.property(scenarioArb, ([pool, values, pick]) => {
        const tree = treeOf(pool, values);
        const proof = tree.proveMany(pick.map((i) => pool[i]!));
        const bytes = encodeSmtMultiproof(proof);
        expect(decodeSmtMultiproof(bytes)).toEqual(proof);
        expect(() => decodeSmtMultiproof(bytes.subarray(0, bytes.length - 1))).toThrow(CodecError);
        expect(() => decodeSmtMultiproof(new Uint8Array([...bytes, 0]))).toThrow(CodecError);
      }),
      { numRuns: 30 },
    );
  });
});

describe("MultiproofStateReader", () => {
  it("reads covered keys and throws a typed error for any other key", () => {
    fc.assert(
      fc.property(stateArb, fc.nat(), ([pool, values], pick) => {
        const tree = treeOf(pool, values);
        const covered = entriesOf(pool, values, [pick % pool.length]);
        const reader = new MultiproofStateReader(
          tree.root,
          tree.proveMany(covered.map((e) => e.key)),
          covered,
        );
        for (const e of covered) expect(reader.get(e.key)).toEqual(e.value ?? undefined);
        for (const key of pool) {
          if (covered.some((e) => toHex(e.key) === toHex(key))) continue;
          expect(() => reader.get(key)).toThrow(SmtKeyNotCoveredError);
        }
      }),
    );
  });

  it("refuses to open over a proof that does not verify", () => {
    const tree = treeOf([BASE], [new Uint8Array([1])]);
    expect(
      () =>
        new MultiproofStateReader(tree.root, tree.prove(BASE), [{ key: BASE, value: new Uint8Array([2]) }]),
    ).toThrow(SmtProofError);
  });
});
