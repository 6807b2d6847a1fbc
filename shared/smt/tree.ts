/**
 * The lane's state tree: a compressed sparse Merkle tree over a NodeStore,
 * updated one block at a time (docs/spec/merkle.md).
 */
import { compareBytes, equalBytes, toHex } from "../bytes.ts";
import { Bytes32Map } from "../bytes32-map.ts";
import type { StateKey, StateReader, StateWrite } from "../state.ts";
import { assertKey, isZeroHash } from "./hashing.ts";
import { generateProof, type SmtProof } from "./proof.ts";
import { applyWrites, type LeafRef, type NodeRef, prepareWrites, type RefSink } from "./refs.ts";
import { SmtMissingNodeError } from "./errors.ts";
import { encodeRecord, type NodeStore, readStep, recordVersion, StoreRefSource } from "./store.ts";
import { ValueCache } from "./value-cache.ts";

/** Default bound of the current root's value cache (about 6 MB of JS heap when full). */
export const VALUE_CACHE_ENTRIES_DEFAULT = 32_768;

export type SparseMerkleTreeOptions = {
  /** Root to start from (default: the empty tree). */
  root?: Uint8Array;
  /** Version number of `root` (default 0); each update adds one. */
  version?: number;
  /**
   * Values of the current root kept in memory for get() (default
   * VALUE_CACHE_ENTRIES_DEFAULT entries; 0 turns the cache off). Reads at
   * other roots (getAt, readerAt) always walk the stored nodes.
   */
  valueCacheEntries?: number;
};

class CollectingSink implements RefSink {
  readonly createdRefs: (LeafRef | NodeRef)[] = [];
  readonly replacedRefs: (LeafRef | NodeRef)[] = [];
  created(ref: LeafRef | NodeRef): void {
    this.createdRefs.push(ref);
  }
  replaced(ref: LeafRef | NodeRef): void {
    this.replacedRefs.push(ref);
  }
}

export class SparseMerkleTree implements StateReader {
  readonly #store: NodeStore;
  readonly #source: StoreRefSource;
  #root: Uint8Array;
  #version: number;
  /** Version → hashes made stale by the update that produced it. */
  readonly #staleJournal = new Map<number, Uint8Array[]>();
  readonly #values: ValueCache | null;

  constructor(store: NodeStore, options: SparseMerkleTreeOptions = {}) {
    this.#store = store;
    this.#source = new StoreRefSource(store);
    const root = options.root ?? new Uint8Array(32);
    assertKey(root, "SMT root");
    this.#root = root.slice();
    this.#version = options.version ?? 0;
    const entries = options.valueCacheEntries ?? VALUE_CACHE_ENTRIES_DEFAULT;
    this.#values = entries === 0 ? null : new ValueCache(entries);
  }

  /** Current root (a copy). */
  get root(): Uint8Array {
    return this.#root.slice();
  }
  get version(): number {
    return this.#version;
  }

  /**
   * Applies one block's writes in a single pass (shared upper nodes hashed
   * once) and returns the new root. Several writes to one key: the last wins.
   */
  update(writes: readonly StateWrite[]): Uint8Array {
    const prepared = prepareWrites(writes);
    const sink = new CollectingSink();
    const before = this.#source.root(this.#root);
    const after = applyWrites(this.#source, sink, before, 0, prepared, 0, prepared.length);
    const version = this.#version + 1;
    for (const ref of sink.createdRefs) this.#store.put(ref.hash, encodeRecord(ref, version));
    const stale = sink.replacedRefs.map((ref) => ref.hash);
    if (stale.length > 0) this.#staleJournal.set(version, stale);
    this.#root = after.hash.slice();
    this.#version = version;
    // Only now that the update went through: the cache describes the new root.
    // Cached values are copies nobody else holds (the caller may reuse its arrays).
    if (this.#values)
      for (const w of prepared) this.#values.set(w.key, w.leaf ? w.leaf.value!.slice() : null);
    return this.root;
  }

  /**
   * Deletes nodes that no version ≥ `oldestVersionKept` uses; roots of older
   * versions become unreadable. Returns how many nodes were deleted.
   */
  pruneStale(oldestVersionKept: number): number {
    let deleted = 0;
    for (const [version, hashes] of [...this.#staleJournal]) {
      if (version > oldestVersionKept) continue;
      for (const hash of hashes) {
        // Written again at or after `version` (a key set back to an old value, say): live, keep.
        const record = this.#store.get(hash);
        if (record === undefined || recordVersion(record) >= version) continue;
        this.#store.delete(hash);
        deleted++;
      }
      this.#staleJournal.delete(version);
    }
    return deleted;
  }

  /** StateReader at the current root: a fresh copy of the value, or undefined if absent. */
  get(key: StateKey): Uint8Array | undefined {
    const values = this.#values;
    if (values === null) return this.getAt(this.#root, key);
    assertKey(key, "StateKey");
    const known = values.get(key);
    if (known !== undefined) return known === null ? undefined : known.slice();
    const value = this.getAt(this.#root, key);
    values.set(key, value === undefined ? null : value.slice());
    return value;
  }

  /**
   * Reads the nodes on the paths of `keys` under the current root one level
   * at a time, each level in one store.getMany, so that the get()s that
   * follow find them in the store's cache: a block's reads of accounts the
   * cache does not hold cost a statement per level, not one per node
   * (a lane with 1,000,000 accounts: ~14 cold nodes per transfer). Keys whose
   * values are cached are skipped. Only a hint: it changes no result, does
   * nothing without getMany, and leaves missing nodes for get() to report.
   */
  prefetch(keys: readonly StateKey[]): void {
    if (!this.#store.getMany) return;
    let frontier: { hash: Uint8Array; key: StateKey }[] = [];
    for (const key of keys)
      if (key.length === 32 && this.#values?.get(key) === undefined) frontier.push({ hash: this.#root, key });
    for (let depth = 0; frontier.length > 0; depth++) {
      frontier = frontier.filter((f) => !isZeroHash(f.hash));
      // Paths share their upper nodes: each distinct node is asked for once.
      const slot = new Bytes32Map<number>(frontier.length);
      const hashes: Uint8Array[] = [];
      for (const f of frontier)
        if (!slot.has(f.hash)) {
          slot.set(f.hash, hashes.length);
          hashes.push(f.hash);
        }
      const records = this.#store.getMany(hashes);
      const next: typeof frontier = [];
      for (const f of frontier) {
        const record = records[slot.get(f.hash)!];
        if (record === undefined) continue;
        let step: ReturnType<typeof readStep>;
        try {
          step = readStep(f.hash, record, f.key, depth);
        } catch {
          continue; // unreadable: get() reports it
        }
        if (step instanceof Uint8Array) next.push({ hash: step, key: f.key });
      }
      frontier = next;
    }
  }

  /** The value of `key` under any readable root, or undefined if absent. */
  getAt(root: Uint8Array, key: StateKey): Uint8Array | undefined {
    assertKey(key, "StateKey");
    let hash = root;
    for (let depth = 0; ; depth++) {
      if (isZeroHash(hash)) return undefined;
      const record = this.#store.get(hash);
      if (record === undefined) throw new SmtMissingNodeError(toHex(hash));
      const step = readStep(hash, record, key, depth);
      if (step instanceof Uint8Array) hash = step;
      else return step.value ?? undefined;
    }
  }

  /** A StateReader pinned to `root` (readable until pruned). */
  readerAt(root: Uint8Array): StateReader {
    const pinned = root.slice();
    return { get: (key) => this.getAt(pinned, key) };
  }

  /** Inclusion or exclusion proof of one key. */
  prove(key: StateKey, root: Uint8Array = this.#root): SmtProof {
    return this.proveMany([key], root);
  }

  /** One multiproof for a set of keys (any order, duplicates allowed). */
  proveMany(keys: readonly StateKey[], root: Uint8Array = this.#root): SmtProof {
    for (const key of keys) assertKey(key, "StateKey");
    const sorted = [...keys].sort(compareBytes);
    const distinct = sorted.filter((k, i) => i === 0 || !equalBytes(k, sorted[i - 1]!));
    return generateProof(this.#source, this.#source.root(root), distinct);
  }
}
