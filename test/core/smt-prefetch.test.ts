/**
 * SparseMerkleTree.prefetch: the paths of many keys are read one tree level
 * per store.getMany, after which get() of those keys costs the backing store
 * nothing; it changes no value, skips keys whose values are cached, and
 * leaves missing nodes for get() to report.
 */
import { describe, expect, it } from "vitest";
import { sha256 } from "../../shared/hash.ts";
import { CachedNodeStore, MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import type { NodeStore } from "../../shared/smt/store.ts";

/** A backing store that counts its reads (what a SQLite store pays per statement). */
class CountingStore implements NodeStore {
  readonly inner = new MemoryNodeStore();
  gets = 0;
  getManyCalls = 0;
  withGetMany = true;
  get(hash: Uint8Array) {
    this.gets++;
    return this.inner.get(hash);
  }
  put(hash: Uint8Array, record: Uint8Array) {
    this.inner.put(hash, record);
  }
  delete(hash: Uint8Array) {
    this.inner.delete(hash);
  }
  getMany?: (hashes: readonly Uint8Array[]) => (Uint8Array | undefined)[] = (hashes) => {
    this.getManyCalls++;
    return hashes.map((h) => this.inner.get(h));
  };
}

const keyOf = (i: number) => sha256(Uint8Array.of(i & 255, (i >> 8) & 255, (i >> 16) & 255, 1));
const leafValue = (i: number) => Uint8Array.of(i & 255, 7, 7);

function builtTree(count: number) {
  const backing = new CountingStore();
  const writer = new SparseMerkleTree(backing);
  writer.update(Array.from({ length: count }, (_, i) => ({ key: keyOf(i), value: leafValue(i) })));
  return { backing, root: writer.root, version: writer.version };
}

describe("SparseMerkleTree.prefetch", () => {
  it("reads 300 cold paths in one getMany per level; the gets after it never reach the backing store", () => {
    const { backing, root, version } = builtTree(20_000);
    const tree = new SparseMerkleTree(new CachedNodeStore(backing, 100_000), { root, version });
    const present = Array.from({ length: 250 }, (_, k) => (k * 7919) % 20_000);
    const keys = [...present.map(keyOf), ...Array.from({ length: 50 }, (_, k) => keyOf(1_000_000 + k))];
    backing.gets = 0;
    tree.prefetch(keys);
    // ~log2(20,000) ≈ 15 levels, plus a few where compressed paths run deeper: far below 300 × 15.
    expect(backing.getManyCalls).toBeGreaterThan(5);
    expect(backing.getManyCalls).toBeLessThan(40);
    expect(backing.gets).toBe(0);
    for (const [k, i] of present.entries()) expect(tree.get(keys[k]!)).toEqual(leafValue(i));
    for (const key of keys.slice(250)) expect(tree.get(key)).toBeUndefined();
    expect(backing.gets).toBe(0);
  });

  it("gives the same values as a tree that never prefetched", () => {
    const { backing, root, version } = builtTree(2_000);
    const a = new SparseMerkleTree(new CachedNodeStore(backing, 10_000), { root, version });
    const b = new SparseMerkleTree(backing, { root, version, valueCacheEntries: 0 });
    const keys = Array.from({ length: 400 }, (_, i) => keyOf(i * 13));
    a.prefetch(keys);
    for (const key of keys) expect(a.get(key)).toEqual(b.get(key));
  });

  it("skips keys whose values are cached, and does nothing over a store without getMany", () => {
    const { backing, root, version } = builtTree(1_000);
    const tree = new SparseMerkleTree(new CachedNodeStore(backing, 10_000), { root, version });
    tree.get(keyOf(1));
    const calls = backing.getManyCalls;
    tree.prefetch([keyOf(1)]);
    expect(backing.getManyCalls).toBe(calls);
    const plain = new SparseMerkleTree(backing, { root, version });
    backing.getMany = undefined;
    backing.gets = 0;
    plain.prefetch([keyOf(2), keyOf(3)]);
    expect(backing.gets).toBe(0);
  });

  it("a missing node is left for get() to report", () => {
    const { backing, root, version } = builtTree(1_000);
    backing.inner.delete(root);
    const tree = new SparseMerkleTree(backing, { root, version });
    expect(() => tree.prefetch([keyOf(5)])).not.toThrow();
    expect(() => tree.get(keyOf(5))).toThrow(/missing|node/i);
  });
});
