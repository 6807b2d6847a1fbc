/**
 * StagingNodeStore: a step's nodes reach the durable store only on flush,
 * each once, and a discarded step leaves nothing behind, including after a
 * step large enough to grow the pending map (whose capacity then stays).
 */
import { describe, expect, it } from "vitest";
import { sha256 } from "../../shared/hash.ts";
import { StagingNodeStore } from "../../shared/lane/staging-store.ts";
import type { NodeStore } from "../../shared/smt/store.ts";

/** Records every put and delete, in order. */
class RecordingStore implements NodeStore {
  readonly records = new Map<string, Uint8Array>();
  readonly puts: string[] = [];
  get(hash: Uint8Array) {
    return this.records.get(hex(hash));
  }
  put(hash: Uint8Array, record: Uint8Array) {
    this.puts.push(hex(hash));
    this.records.set(hex(hash), record);
  }
  delete(hash: Uint8Array) {
    this.records.delete(hex(hash));
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const hashOf = (i: number) => sha256(Uint8Array.of(i & 255, (i >> 8) & 255, (i >> 16) & 255));

describe("StagingNodeStore", () => {
  it("writes nothing before flush, then each pending node once, in first-put order", () => {
    const inner = new RecordingStore();
    const staging = new StagingNodeStore(inner);
    const reused = new Uint8Array(32);
    for (let i = 0; i < 5; i++) {
      reused.set(hashOf(i));
      staging.put(reused, Uint8Array.of(i)); // the caller reuses its array: the store keeps copies
    }
    staging.put(hashOf(2), Uint8Array.of(2)); // again: still one write
    expect(inner.puts).toEqual([]);
    expect(staging.get(hashOf(3))).toEqual(Uint8Array.of(3));
    expect(staging.flush()).toBe(5);
    expect(inner.puts).toEqual([0, 1, 2, 3, 4].map((i) => hex(hashOf(i))));
    expect(staging.pendingCount).toBe(0);
    expect(staging.flush()).toBe(0);
    expect(inner.puts).toHaveLength(5);
  });

  it("a node deleted before flush is not written", () => {
    const inner = new RecordingStore();
    const staging = new StagingNodeStore(inner);
    staging.put(hashOf(1), Uint8Array.of(1));
    staging.put(hashOf(2), Uint8Array.of(2));
    staging.delete(hashOf(1));
    staging.flush();
    expect(inner.puts).toEqual([hex(hashOf(2))]);
  });

  it("after a large discarded step, the next small step flushes only its own nodes", () => {
    const inner = new RecordingStore();
    const staging = new StagingNodeStore(inner);
    for (let i = 0; i < 20_000; i++) staging.put(hashOf(i), Uint8Array.of(1));
    expect(staging.pendingCount).toBe(20_000);
    staging.discard();
    expect(staging.pendingCount).toBe(0);
    expect(staging.get(hashOf(7))).toBeUndefined();
    staging.put(hashOf(30_000), Uint8Array.of(9));
    expect(staging.flush()).toBe(1);
    expect(inner.puts).toEqual([hex(hashOf(30_000))]);
  });
});
