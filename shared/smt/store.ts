/**
 * Where tree nodes live. Nodes are content addressed (key = node hash), so
 * the store is one table `(hash BLOB PRIMARY KEY, record BLOB)` in the
 * Sequencer's SQLite, and a Map here. Synchronous on purpose: a Durable
 * Object's SQL API is synchronous, and a ledger step must not await.
 */
import { toHex } from "../bytes.ts";
import { SmtMissingNodeError } from "./errors.ts";
import { isZeroHash } from "./hashing.ts";
import {
  EMPTY_REF,
  type LeafRef,
  type NodeRef,
  type OpaqueRef,
  type RefSource,
  RefKind,
  refForHash,
} from "./refs.ts";

export interface NodeStore {
  /** The record stored under `hash`; callers must not mutate it. */
  get(hash: Uint8Array): Uint8Array | undefined;
  /** Stores `record` under `hash`; storing the same hash again is harmless (same content). */
  put(hash: Uint8Array, record: Uint8Array): void;
  delete(hash: Uint8Array): void;
}

const RECORD_LEAF = 1;
const RECORD_NODE = 2;

/** `0x01 ‖ key ‖ value` or `0x02 ‖ left ‖ right` (docs/spec/merkle.md, Storage). */
export function encodeRecord(ref: LeafRef | NodeRef): Uint8Array {
  if (ref.kind === RefKind.Leaf) {
    const value = ref.value!;
    const out = new Uint8Array(33 + value.length);
    out[0] = RECORD_LEAF;
    out.set(ref.key, 1);
    out.set(value, 33);
    return out;
  }
  const out = new Uint8Array(65);
  out[0] = RECORD_NODE;
  out.set(ref.left.hash, 1);
  out.set(ref.right.hash, 33);
  return out;
}

/** Reads a stored record back as a Ref whose hash is the given `hash` object. */
export function decodeRecord(hash: Uint8Array, record: Uint8Array): LeafRef | NodeRef {
  if (record[0] === RECORD_LEAF && record.length >= 33) {
    return {
      kind: RefKind.Leaf,
      hash,
      key: record.subarray(1, 33),
      value: record.subarray(33),
      valueHash: undefined,
      fresh: false,
    };
  }
  if (record[0] === RECORD_NODE && record.length === 65) {
    return {
      kind: RefKind.Node,
      hash,
      left: refForHash(record.subarray(1, 33)),
      right: refForHash(record.subarray(33, 65)),
    };
  }
  throw new SmtMissingNodeError(`${toHex(hash)} (unreadable record)`);
}

/** Opens opaque subtrees by reading the store. */
export class StoreRefSource implements RefSource {
  readonly store: NodeStore;
  constructor(store: NodeStore) {
    this.store = store;
  }
  resolve(ref: OpaqueRef): LeafRef | NodeRef {
    const record = this.store.get(ref.hash);
    if (record === undefined) throw new SmtMissingNodeError(toHex(ref.hash));
    return decodeRecord(ref.hash, record);
  }
  /** The root as a Ref (empty, or read from the store). */
  root(hash: Uint8Array): typeof EMPTY_REF | LeafRef | NodeRef {
    if (isZeroHash(hash)) return EMPTY_REF;
    return this.resolve({ kind: RefKind.Opaque, hash });
  }
}

/** Map keys: one UTF-16 unit per byte, much cheaper to build than hex. */
export function hashMapKey(hash: Uint8Array): string {
  return String.fromCharCode.apply(null, hash as unknown as number[]);
}

export class MemoryNodeStore implements NodeStore {
  readonly #records = new Map<string, Uint8Array>();

  get size(): number {
    return this.#records.size;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#records.get(hashMapKey(hash));
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#records.set(hashMapKey(hash), record);
  }
  delete(hash: Uint8Array): void {
    this.#records.delete(hashMapKey(hash));
  }
}

/**
 * A bounded least-recently-used read cache in front of a slower store
 * (SQLite). Writes go through. Sized in records, not bytes: node records are
 * 65 bytes, leaves 33 + value, so `maxRecords` × (record + ~150 bytes of
 * JS overhead) bounds the memory (see bench/cases/smt.ts, probeSmtMemory).
 */
export class CachedNodeStore implements NodeStore {
  readonly #inner: NodeStore;
  readonly #maxRecords: number;
  readonly #cache = new Map<string, Uint8Array>();
  hits = 0;
  misses = 0;

  constructor(inner: NodeStore, maxRecords: number) {
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new RangeError(`CachedNodeStore maxRecords must be a positive integer, got ${maxRecords}.`);
    }
    this.#inner = inner;
    this.#maxRecords = maxRecords;
  }

  get size(): number {
    return this.#cache.size;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    const k = hashMapKey(hash);
    const cached = this.#cache.get(k);
    if (cached !== undefined) {
      this.hits++;
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.#cache.delete(k);
      this.#cache.set(k, cached);
      return cached;
    }
    this.misses++;
    const record = this.#inner.get(hash);
    if (record !== undefined) this.#remember(k, record);
    return record;
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#inner.put(hash, record);
    this.#remember(hashMapKey(hash), record);
  }
  delete(hash: Uint8Array): void {
    this.#inner.delete(hash);
    this.#cache.delete(hashMapKey(hash));
  }

  #remember(k: string, record: Uint8Array): void {
    this.#cache.delete(k);
    this.#cache.set(k, record);
    if (this.#cache.size > this.#maxRecords) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
  }
}
