/**
 * A hash map keyed by 32-byte arrays compared by content: node hashes in the
 * tree's stores and caches, state keys in the caches of current values.
 *
 * Why not a Map with hashMapKey strings: every lookup then builds a fresh
 * 16-character string and hashes it, which measured ~0.2-0.3 µs per lookup
 * (most of a store access, and notably so in workerd); here the index is the
 * key's first four bytes (keys are SHA-256 outputs, so uniformly spread),
 * probed linearly; keys are stored inline in one byte array (copied on
 * insert, so callers may reuse theirs), so a probe touches two arrays.
 *
 * Open addressing with backward-shift deletion (no tombstones), load ≤ 1/2.
 * Iteration order is the slot order: never let it reach a consensus result.
 */
export class Bytes32Map<V> {
  #mask: number;
  #size = 0;
  /** Slot i's key is bytes 32·i..32·i+32 (valid where #values[i] is defined). */
  #keys: Uint8Array;
  /** Slot → value; undefined marks an empty slot (so values may not be undefined). */
  #values: (V | undefined)[];

  constructor(initialCapacity = 16) {
    let capacity = 16;
    while (capacity < 2 * initialCapacity) capacity *= 2;
    this.#mask = capacity - 1;
    this.#keys = new Uint8Array(32 * capacity);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  /** Slot of `key`, or -1 - (the empty slot where it would go). */
  #find(key: Uint8Array): number {
    if (key.length !== 32) throw new RangeError(`Bytes32Map keys are 32 bytes, got ${key.length}.`);
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    for (let i = indexOf(key) & mask; ; i = (i + 1) & mask) {
      if (values[i] === undefined) return -1 - i;
      if (sameKey(keys, 32 * i, key)) return i;
    }
  }

  get(key: Uint8Array): V | undefined {
    const i = this.#find(key);
    return i >= 0 ? this.#values[i] : undefined;
  }

  has(key: Uint8Array): boolean {
    return this.#find(key) >= 0;
  }

  set(key: Uint8Array, value: V): this {
    if (value === undefined) throw new TypeError("Bytes32Map values may not be undefined.");
    const i = this.#find(key);
    if (i >= 0) {
      this.#values[i] = value;
      return this;
    }
    if (2 * (this.#size + 1) > this.#mask + 1) {
      this.#grow();
      return this.set(key, value);
    }
    const slot = -1 - i;
    this.#keys.set(key, 32 * slot);
    this.#values[slot] = value;
    this.#size++;
    return this;
  }

  delete(key: Uint8Array): boolean {
    let i = this.#find(key);
    if (i < 0) return false;
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    // Backward shift: pull later entries of the probe run into the hole when
    // their home slot does not lie cyclically in (hole, their slot].
    for (let j = (i + 1) & mask; values[j] !== undefined; j = (j + 1) & mask) {
      const home = indexAt(keys, 32 * j) & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      keys.copyWithin(32 * i, 32 * j, 32 * j + 32);
      values[i] = values[j];
      i = j;
    }
    values[i] = undefined;
    this.#size--;
    return true;
  }

  clear(): void {
    this.#values.fill(undefined);
    this.#size = 0;
  }

  /** Calls `fn` for every entry, in slot order (not insertion order); `key` is a fresh copy. */
  forEach(fn: (value: V, key: Uint8Array) => void): void {
    const keys = this.#keys;
    const values = this.#values;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) fn(v, keys.slice(32 * i, 32 * i + 32));
    }
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const capacity = 2 * values.length;
    const mask = capacity - 1;
    const nextKeys = new Uint8Array(32 * capacity);
    const nextValues = new Array<V | undefined>(capacity).fill(undefined);
    for (let i = 0; i < values.length; i++) {
      if (values[i] === undefined) continue;
      let j = indexAt(keys, 32 * i) & mask;
      while (nextValues[j] !== undefined) j = (j + 1) & mask;
      nextKeys.set(keys.subarray(32 * i, 32 * i + 32), 32 * j);
      nextValues[j] = values[i];
    }
    this.#keys = nextKeys;
    this.#values = nextValues;
    this.#mask = mask;
  }
}

/** The first four bytes as an int: the home index before masking. */
function indexOf(key: Uint8Array): number {
  return (key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!;
}

function indexAt(keys: Uint8Array, at: number): number {
  return (keys[at]! << 24) | (keys[at + 1]! << 16) | (keys[at + 2]! << 8) | keys[at + 3]!;
}

/** keys[at..at+32) equals key (the first bytes differ for almost every other key, so this mostly exits at once). */
function sameKey(keys: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (keys[at + i] !== key[i]) return false;
  return true;
}
