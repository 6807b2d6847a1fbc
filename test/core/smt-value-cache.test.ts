/**
 * The tree's cache of current-root values (shared/smt/value-cache.ts): reads
 * through it equal reads that walk the stored nodes, under any bound, after
 * updates and deletes; returned values are copies; a failed update leaves
 * both the root and the cache as they were.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import {
  MemoryNodeStore,
  type NodeStore,
  SmtMissingNodeError,
  SparseMerkleTree,
} from "../../shared/smt/index.ts";
import type { StateWrite } from "../../shared/state.ts";

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("SparseMerkleTree value cache", () => {
  it("reads equal an uncached tree's after every batch, for cache bounds down to 2 entries", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(key32, { minLength: 1, maxLength: 20, selector: toHex }),
        fc.array(
          fc.array(fc.tuple(fc.nat(19), fc.option(fc.uint8Array({ maxLength: 8 }))), { maxLength: 12 }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.constantFrom(2, 3, 8, 1000),
        (pool, batches, entries) => {
          const cached = new SparseMerkleTree(new MemoryNodeStore(), { valueCacheEntries: entries });
          const plain = new SparseMerkleTree(new MemoryNodeStore(), { valueCacheEntries: 0 });
          for (const batch of batches) {
            const writes: StateWrite[] = batch.map(([i, value]) => ({ key: pool[i % pool.length]!, value }));
            // Read before and after the update: the cache must follow the writes.
            for (const k of pool) expect(cached.get(k)).toEqual(plain.get(k));
            expect(toHex(cached.update(writes))).toBe(toHex(plain.update(writes)));
            for (const k of pool) expect(cached.get(k)).toEqual(plain.get(k));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("hands out copies: mutating a returned value or a written array changes nothing", () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore());
    const key = new Uint8Array(32).fill(1);
    const written = new Uint8Array([1, 2, 3]);
    tree.update([{ key, value: written }]);
    written[0] = 99;
    const read = tree.get(key)!;
    expect([...read]).toEqual([1, 2, 3]);
    read[1] = 77;
    expect([...tree.get(key)!]).toEqual([1, 2, 3]);
  });

  it("keeps root and cache unchanged when an update fails on a missing node", () => {
    const inner = new MemoryNodeStore();
    let failGets = false;
    const store: NodeStore = {
      get: (h) => (failGets ? undefined : inner.get(h)),
      put: (h, r) => inner.put(h, r),
      delete: (h) => inner.delete(h),
    };
    const tree = new SparseMerkleTree(store);
    const a = new Uint8Array(32).fill(0x11);
    const b = new Uint8Array(32).fill(0x22);
    tree.update([
      { key: a, value: new Uint8Array([1]) },
      { key: b, value: new Uint8Array([2]) },
    ]);
    expect([...tree.get(a)!]).toEqual([1]);
    const root = toHex(tree.root);
    failGets = true; // a fault injected on purpose: the store loses every node
    expect(() => tree.update([{ key: a, value: new Uint8Array([9]) }])).toThrow(SmtMissingNodeError);
    failGets = false;
    expect(toHex(tree.root)).toBe(root);
    expect([...tree.get(a)!]).toEqual([1]);
  });
});
