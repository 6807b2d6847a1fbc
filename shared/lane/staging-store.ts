/**
 * Holds a step's new tree nodes in memory until the caller commits the step,
 * so the only writes to durable storage happen in one synchronous block after
 * the (async) signature checks and receipt signing are done. A failed step is
 * dropped without touching storage.
 */
import { Bytes32Map } from "../bytes32-map.ts";
import type { NodeStore } from "../smt/store.ts";

export class StagingNodeStore implements NodeStore {
  readonly inner: NodeStore;
  readonly #pending = new Bytes32Map<Uint8Array>(1024);

  constructor(inner: NodeStore) {
    this.inner = inner;
  }
  get pendingCount(): number {
    return this.#pending.size;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#pending.get(hash) ?? this.inner.get(hash);
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#pending.set(hash, record);
  }
  delete(hash: Uint8Array): void {
    this.#pending.delete(hash);
    this.inner.delete(hash);
  }
  /** Writes every pending node to the inner store (synchronously). */
  flush(): number {
    const count = this.#pending.size;
    this.#pending.forEach((record, hash) => {
      this.inner.put(hash, record);
    });
    this.#pending.clear();
    return count;
  }
  discard(): void {
    this.#pending.clear();
  }
}
