/**
 * Copy-on-write view of the state for one block: reads see the block's earlier
 * writes, and a journal lets a rejected transaction roll back to a mark so a
 * rejection changes nothing. The base reader is never written to.
 */
import { compareBytes } from "../bytes.ts";
import { hashMapKey } from "../hash.ts";
import type { StateKey, StateReader, StateWrite } from "../state.ts";

export class Overlay implements StateReader {
  readonly base: StateReader;
  private readonly pending = new Map<string, StateWrite>();
  private readonly journal: { id: string; previous: StateWrite | undefined }[] = [];

  /**
   * Base reads of this block, remembered (undefined = absent): a key is
   * often read again before its first write (a balance checked, then
   * debited) and once more by the conservation check. The base does not
   * change during a block, and callers never mutate values read.
   */
  private readonly baseReads = new Map<string, Uint8Array | undefined>();
  /** The base state as of the block's start, through the same memo. */
  readonly baseView: StateReader = { get: (key) => this.readBase(key, this.idOf(key)) };

  /**
   * Map ids by key object: the ledger hands out one key object per account
   * and asset in a block, so most lookups skip building the id string again
   * (and reuse its cached string hash). Ids depend only on the key's bytes,
   * and keys are never mutated (StateKey contract).
   */
  private readonly ids = new Map<StateKey, string>();

  constructor(base: StateReader) {
    this.base = base;
  }

  /** Pending writes are keyed by hashMapKey, which is only injective on 32-byte keys. */
  private idOf(key: StateKey): string {
    let id = this.ids.get(key);
    if (id === undefined) {
      if (key.length !== 32) throw new RangeError(`A state key is 32 bytes, got ${key.length}.`);
      id = hashMapKey(key);
      this.ids.set(key, id);
    }
    return id;
  }

  get(key: StateKey): Uint8Array | undefined {
    const id = this.idOf(key);
    const w = this.pending.get(id);
    if (w) return w.value ?? undefined;
    return this.readBase(key, id);
  }

  private readBase(key: StateKey, id: string): Uint8Array | undefined {
    const known = this.baseReads.get(id);
    if (known !== undefined || this.baseReads.has(id)) return known;
    const value = this.base.get(key);
    this.baseReads.set(id, value);
    return value;
  }

  /** `null` deletes the key. */
  set(key: StateKey, value: Uint8Array | null): void {
    const id = this.idOf(key);
    this.journal.push({ id, previous: this.pending.get(id) });
    this.pending.set(id, { key, value });
  }

  mark(): number {
    return this.journal.length;
  }

  /** Undoes every set() made since `mark`, newest first. */
  rollback(mark: number): void {
    while (this.journal.length > mark) {
      const { id, previous } = this.journal.pop()!;
      if (previous) this.pending.set(id, previous);
      else this.pending.delete(id);
    }
  }

  /** The block's writes, sorted by key with compareBytes; the last write per key wins. */
  writes(): StateWrite[] {
    return [...this.pending.values()].sort((a, b) => compareBytes(a.key, b.key));
  }
}
