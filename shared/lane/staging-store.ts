/**
 * Holds a step's new tree nodes in memory until the caller commits the step,
 * so the only writes to durable storage happen in one synchronous block after
 * the (async) signature checks and receipt signing are done. A failed step is
 * dropped without touching storage.
 *
 * The pending nodes are also listed in insertion order, so flush and discard
 * cost the step's own nodes, not the map's capacity: one large step grows the
 * map for good, and a single-transaction step after it would otherwise walk
 * (and clear) every slot (profiled in the Sequencer: most of a small step).
 */
import { Bytes32Map } from "../bytes32-map.ts";
import { fillMissing, type NodeStore, putAll } from "../smt/store.ts";

export class StagingNodeStore implements NodeStore {
  readonly inner: NodeStore;
  readonly #pending = new Bytes32Map<Uint8Array>(1024);
  /** Each pending hash once, in first-put order (copies: callers may reuse their arrays). */
  #order: Uint8Array[] = [];

  constructor(inner: NodeStore) {
    this.inner = inner;
  }
  get pendingCount(): number {
    return this.#pending.size;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#pending.get(hash) ?? this.inner.get(hash);
  }
  /** Pending nodes as get() finds them; the rest in one inner getMany (or get each, without one). */
  getMany(hashes: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    const out = hashes.map((h) => this.#pending.get(h));
    fillMissing(this.inner, hashes, out);
    return out;
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    if (!this.#pending.has(hash)) this.#order.push(hash.slice());
    this.#pending.set(hash, record);
  }
  delete(hash: Uint8Array): void {
    this.#pending.delete(hash);
    this.inner.delete(hash);
  }
  /** Writes every pending node to the inner store (synchronously, one putMany), in first-put order. */
  flush(): number {
    const hashes: Uint8Array[] = [];
    const records: Uint8Array[] = [];
    for (const hash of this.#order) {
      const record = this.#pending.get(hash);
      if (record === undefined) continue; // deleted since
      hashes.push(hash);
      records.push(record);
    }
    putAll(this.inner, hashes, records);
    this.discard();
    return hashes.length;
  }
  discard(): void {
    for (const hash of this.#order) this.#pending.delete(hash);
    this.#order = [];
  }
}
