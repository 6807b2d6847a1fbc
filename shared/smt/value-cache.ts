/**
 * The values of the current root's keys that were read or written lately,
 * so a point read is one Map lookup instead of a walk of ~log2(n) stored
 * nodes (each a store lookup: the lane's hottest reads are the same few
 * hundred accounts block after block). Bounded like CachedNodeStore: two
 * generations of at most `maxEntries/2` entries; a full young generation
 * replaces the old one, old hits are promoted.
 *
 * Only valid for one root: SparseMerkleTree updates it with each update's
 * writes after the update succeeded, and never consults it for other roots.
 */
import { Bytes32Map } from "../bytes32-map.ts";

/** `null`: known absent. */
type Known = Uint8Array | null;

export class ValueCache {
  readonly #generationEntries: number;
  #young: Bytes32Map<Known>;
  #old: Bytes32Map<Known>;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 2)
      throw new RangeError(`ValueCache maxEntries must be an integer ≥ 2, got ${maxEntries}.`);
    this.#generationEntries = Math.floor(maxEntries / 2);
    this.#young = this.#newGeneration();
    this.#old = this.#newGeneration();
  }

  #newGeneration(): Bytes32Map<Known> {
    // Small at first, grown by doubling: a fresh tree (every executor, every abort) should not pay
    // for two large zeroed maps up front (profiled in workerd: most of a new executor).
    return new Bytes32Map(Math.min(this.#generationEntries, 256));
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** The value (not a copy: callers copy), null if known absent, undefined if not cached. */
  get(key: Uint8Array): Known | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old === undefined) return undefined;
    this.#old.delete(key);
    this.#remember(key, old);
    return old;
  }

  /** Records the value of `key` under the current root (callers hand over an array nobody mutates). */
  set(key: Uint8Array, value: Known): void {
    this.#old.delete(key);
    this.#remember(key, value);
  }

  clear(): void {
    this.#young = this.#newGeneration();
    this.#old = this.#newGeneration();
  }

  #remember(key: Uint8Array, value: Known): void {
    if (this.#young.size >= this.#generationEntries && !this.#young.has(key)) {
      this.#old = this.#young;
      this.#young = this.#newGeneration();
    }
    this.#young.set(key, value);
  }
}
