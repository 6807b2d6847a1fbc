import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareBytes, toHex } from "../../shared/bytes.ts";
import { domainTag, hashTagged, sha256 } from "../../shared/hash.ts";
import { CachedNodeStore, MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import type { StateWrite } from "../../shared/state.ts";

// Reference: the recursive definition of docs/spec/merkle.md over the whole
// sorted key set — no store, no incremental update, written independently.
type Pair = { key: Uint8Array; value: Uint8Array };
const bit = (key: Uint8Array, depth: number) => (key[Math.floor(depth / 8)]! >> (7 - (depth % 8))) & 1;
function referenceSubtree(pairs: Pair[], depth: number): { hash: Uint8Array; internalNodes: number } {
  if (pairs.length === 0) return { hash: new Uint8Array(32), internalNodes: 0 };
  if (pairs.length === 1) {
    const [p] = pairs as [Pair];
    return { hash: hashTagged(domainTag("bitlayer/smt/leaf/v1"), p.key, sha256(p.value)), internalNodes: 0 };
  }
  const left = referenceSubtree(
    pairs.filter((p) => bit(p.key, depth) === 0),
    depth + 1,
  );
  const right = referenceSubtree(
    pairs.filter((p) => bit(p.key, depth) === 1),
    depth + 1,
  );
  return {
    hash: hashTagged(domainTag("bitlayer/smt/node/v1"), left.hash, right.hash),
    internalNodes: left.internalNodes + right.internalNodes + 1,
  };
}
function referenceOf(model: Map<string, Pair>) {
  const pairs = [...model.values()].sort((a, b) => compareBytes(a.key, b.key));
  return referenceSubtree(pairs, 0);
}
function applyToModel(model: Map<string, Pair>, writes: StateWrite[]): void {
  for (const w of writes) {
    if (w.value === null) model.delete(toHex(w.key));
    else model.set(toHex(w.key), { key: w.key, value: w.value });
  }
}

// Keys: uniform ones, plus keys one or two bit-flips away from a shared base so
// that trees get deep (long common prefixes, down to depth 255).
const BASE = sha256(new Uint8Array([42]));
const flip = (key: Uint8Array, position: number) => {
  const out = key.slice();
  out[position >> 3]! ^= 0x80 >> (position & 7);
  return out;
};
const keyArb = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.integer({ min: 0, max: 255 }).map((p) => flip(BASE, p)),
  fc
    .tuple(fc.integer({ min: 200, max: 255 }), fc.integer({ min: 0, max: 255 }))
    .map(([a, b]) => flip(flip(BASE, a), b)),
);
const poolArb = fc.uniqueArray(keyArb, { minLength: 1, maxLength: 14, selector: (k) => toHex(k) });
const valueArb = fc.option(fc.uint8Array({ maxLength: 6 }), { freq: 3 });
const batchesArb = (poolSize: number) =>
  fc.array(fc.array(fc.tuple(fc.nat(poolSize - 1), valueArb), { maxLength: 10 }), {
    minLength: 1,
    maxLength: 6,
  });
const scenarioArb = poolArb.chain((pool) => fc.tuple(fc.constant(pool), batchesArb(pool.length)));
const toWrites = (pool: Uint8Array[], batch: [number, Uint8Array | null][]): StateWrite[] =>
  batch.map(([i, value]) => ({ key: pool[i]!, value }));

describe("sparse Merkle tree against the recursive reference", () => {
  it("gives the reference root after every batch of inserts, updates and deletes", () => {
    fc.assert(
      fc.property(scenarioArb, ([pool, batches]) => {
        const tree = new SparseMerkleTree(new MemoryNodeStore());
        const model = new Map<string, Pair>();
        for (const batch of batches) {
          const writes = toWrites(pool, batch);
          const root = tree.update(writes);
          applyToModel(model, writes);
          expect(toHex(root)).toBe(toHex(referenceOf(model).hash));
          for (const key of pool) expect(tree.get(key)).toEqual(model.get(toHex(key))?.value);
        }
      }),
    );
  });

  it("after many batches equals a tree built from the final state in one batch", () => {
    fc.assert(
      fc.property(scenarioArb, ([pool, batches]) => {
        const incremental = new SparseMerkleTree(new MemoryNodeStore());
        const model = new Map<string, Pair>();
        for (const batch of batches) {
          incremental.update(toWrites(pool, batch));
          applyToModel(model, toWrites(pool, batch));
        }
        const oneShot = new SparseMerkleTree(new MemoryNodeStore());
        oneShot.update([...model.values()].map((p) => ({ key: p.key, value: p.value })));
        expect(toHex(incremental.root)).toBe(toHex(oneShot.root));
      }),
    );
  });

  it("restores exactly the previous root when a key is inserted and then deleted", () => {
    fc.assert(
      fc.property(scenarioArb, keyArb, fc.uint8Array(), ([pool, batches], extra, value) => {
        fc.pre(!pool.some((k) => toHex(k) === toHex(extra)));
        const tree = new SparseMerkleTree(new MemoryNodeStore());
        for (const batch of batches) tree.update(toWrites(pool, batch));
        const before = toHex(tree.root);
        tree.update([{ key: extra, value }]);
        expect(toHex(tree.root)).not.toBe(before);
        expect(toHex(tree.update([{ key: extra, value: null }]))).toBe(before);
      }),
    );
  });

  it("keeps old roots readable until pruned, then keeps exactly the live nodes", () => {
    fc.assert(
      fc.property(scenarioArb, ([pool, batches]) => {
        const store = new MemoryNodeStore();
        const tree = new SparseMerkleTree(store);
        const model = new Map<string, Pair>();
        const history: { root: Uint8Array; snapshot: Map<string, Pair> }[] = [];
        for (const batch of batches) {
          tree.update(toWrites(pool, batch));
          applyToModel(model, toWrites(pool, batch));
          history.push({ root: tree.root, snapshot: new Map(model) });
        }
        for (const { root, snapshot } of history) {
          const reader = tree.readerAt(root);
          for (const key of pool) expect(reader.get(key)).toEqual(snapshot.get(toHex(key))?.value);
        }
        tree.pruneStale(tree.version);
        const liveNodes = model.size + referenceOf(model).internalNodes;
        expect(store.size).toBe(liveNodes);
        for (const key of pool) expect(tree.get(key)).toEqual(model.get(toHex(key))?.value);
      }),
    );
  });

  it("keeps a node that an update made stale and a later update wrote again when pruning", () => {
    const store = new MemoryNodeStore();
    const tree = new SparseMerkleTree(store);
    const [a, b, c] = [flip(BASE, 9), flip(BASE, 10), flip(BASE, 200)];
    const one = new Uint8Array([1]);
    tree.update([
      { key: a, value: one },
      { key: b, value: one },
      { key: c, value: one },
    ]);
    const first = tree.root;
    tree.update([{ key: a, value: new Uint8Array([2]) }]); // stales a's leaf and the nodes above it
    tree.update([{ key: c, value: null }]);
    tree.update([
      { key: a, value: one }, // a's old leaf again
      { key: c, value: one }, // and with it, the old nodes: the root of the first version
    ]);
    expect(tree.root).toEqual(first);
    tree.pruneStale(tree.version);
    const model = new Map([a, b, c].map((key) => [toHex(key), { key, value: one }]));
    expect(store.size).toBe(model.size + referenceOf(model).internalNodes);
    for (const key of [a, b, c]) expect(tree.get(key)).toEqual(one);
  });

  it("gives the same roots through a tiny bounded cache as without one", () => {
    fc.assert(
      fc.property(scenarioArb, ([pool, batches]) => {
        const plain = new SparseMerkleTree(new MemoryNodeStore());
        const cache = new CachedNodeStore(new MemoryNodeStore(), 3);
        const cached = new SparseMerkleTree(cache);
        for (const batch of batches) {
          expect(toHex(cached.update(toWrites(pool, batch)))).toBe(
            toHex(plain.update(toWrites(pool, batch))),
          );
        }
        expect(cache.size).toBeLessThanOrEqual(3);
      }),
      { numRuns: 40 },
    );
  });

  it("applies the last of several writes to one key in a batch", () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore());
    const key = flip(BASE, 7);
    tree.update([
      { key, value: new Uint8Array([1]) },
      { key, value: null },
      { key, value: new Uint8Array([3]) },
    ]);
    expect(tree.get(key)).toEqual(new Uint8Array([3]));
    const model = new Map([[toHex(key), { key, value: new Uint8Array([3]) }]]);
    expect(toHex(tree.root)).toBe(toHex(referenceOf(model).hash));
  });

  it("has the all-zero root when empty and rejects keys that are not 32 bytes", () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore());
    expect(tree.root).toEqual(new Uint8Array(32));
    expect(() => tree.update([{ key: new Uint8Array(31), value: null }])).toThrow(/32 bytes/);
    expect(() => tree.get(new Uint8Array(33))).toThrow(/32 bytes/);
  });
});
