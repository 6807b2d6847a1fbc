/**
 * Where tree nodes live. Nodes are content addressed (key = node hash), so
 * the store is one table `(hash BLOB PRIMARY KEY, record BLOB)` in the
 * Sequencer's SQLite, and a Map here. Synchronous on purpose: a Durable
 * Object's SQL API is synchronous, and a ledger step must not await.
 */
import { toHex } from "../bytes.ts";
import { Bytes32Map } from "../bytes32-map.ts";
import { SmtMissingNodeError } from "./errors.ts";
import { bitAt, isZeroHash } from "./hashing.ts";
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
  /**
   * put for each (hashes[i], records[i]), as one write where the backend can
   * (SQLite: one multi-row INSERT instead of a statement per node). Optional:
   * callers fall back to put (putAll below).
   */
  putMany?(hashes: readonly Uint8Array[], records: readonly Uint8Array[]): void;
  /**
   * get for each hash, as one read where the backend can (SQLite: a few
   * statements instead of one per node); undefined where a hash is absent.
   * Optional: SparseMerkleTree.prefetch uses it when present.
   */
  getMany?(hashes: readonly Uint8Array[]): (Uint8Array | undefined)[];
  delete(hash: Uint8Array): void;
}

/**
 * Fills each undefined out[i] with `store`'s record of hashes[i], in one
 * getMany when the store has one; `found` hears of each record read. Returns
 * how many were asked for (a cache's misses).
 */
export function fillMissing(
  store: NodeStore,
  hashes: readonly Uint8Array[],
  out: (Uint8Array | undefined)[],
  found?: (hash: Uint8Array, record: Uint8Array) => void,
): number {
  const missing: number[] = [];
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) missing.push(i);
  if (missing.length === 0) return 0;
  const wanted = missing.map((i) => hashes[i]!);
  const records = store.getMany ? store.getMany(wanted) : wanted.map((h) => store.get(h));
  missing.forEach((i, k) => {
    const record = records[k];
    if (record !== undefined) found?.(hashes[i]!, record);
    out[i] = record;
  });
  return missing.length;
}

/** Writes every (hashes[i], records[i]) to `store`, with its putMany when it has one. */
export function putAll(store: NodeStore, hashes: readonly Uint8Array[], records: readonly Uint8Array[]): void {
  if (store.putMany) store.putMany(hashes, records);
  else for (let i = 0; i < hashes.length; i++) store.put(hashes[i]!, records[i]!);
}

const RECORD_LEAF = 1;
const RECORD_NODE = 2;
const HEADER_BYTES = 9;

/**
 * Records are cut from shared chunks: a fresh Uint8Array of 73 bytes (a
 * node record) is over V8's on-heap limit, so each would get its own
 * ArrayBuffer and backing store, which measured as most of encodeRecord and
 * much of the GC of a tree update. A record is a view of its own bytes
 * (byteOffset may be non-zero; stores that need an exact ArrayBuffer copy,
 * as sql-node-store does); a chunk is freed when no record of it is left.
 */
const RECORD_CHUNK_BYTES = 4096;
const RECORD_POOLED_MAX = 512;
let recordChunk = new Uint8Array(RECORD_CHUNK_BYTES);
let recordChunkUsed = 0;

function recordBytes(length: number): Uint8Array {
  if (length > RECORD_POOLED_MAX) return new Uint8Array(length);
  if (recordChunkUsed + length > RECORD_CHUNK_BYTES) {
    recordChunk = new Uint8Array(RECORD_CHUNK_BYTES);
    recordChunkUsed = 0;
  }
  const out = recordChunk.subarray(recordChunkUsed, recordChunkUsed + length);
  recordChunkUsed += length;
  return out;
}

/**
 * `0x01 ‖ version ‖ key ‖ value` or `0x02 ‖ version ‖ left ‖ right`, version
 * a u64 (big-endian): the tree version that last wrote the record, which is
 * what pruning checks (docs/spec/merkle.md, Storage).
 */
export function encodeRecord(ref: LeafRef | NodeRef, version: number): Uint8Array {
  let out: Uint8Array;
  if (ref.kind === RefKind.Leaf) {
    const value = ref.value!;
    out = recordBytes(HEADER_BYTES + 32 + value.length);
    out[0] = RECORD_LEAF;
    out.set(ref.key, HEADER_BYTES);
    out.set(value, HEADER_BYTES + 32);
  } else {
    out = recordBytes(HEADER_BYTES + 64);
    out[0] = RECORD_NODE;
    out.set(ref.left.hash, HEADER_BYTES);
    out.set(ref.right.hash, HEADER_BYTES + 32);
  }
  const high = Math.floor(version / 2 ** 32);
  const low = version >>> 0;
  out[1] = high >>> 24;
  out[2] = (high >>> 16) & 0xff;
  out[3] = (high >>> 8) & 0xff;
  out[4] = high & 0xff;
  out[5] = low >>> 24;
  out[6] = (low >>> 16) & 0xff;
  out[7] = (low >>> 8) & 0xff;
  out[8] = low & 0xff;
  return out;
}

/** The tree version that wrote `record`. */
export function recordVersion(record: Uint8Array): number {
  const high = ((record[1]! << 24) | (record[2]! << 16) | (record[3]! << 8) | record[4]!) >>> 0;
  const low = ((record[5]! << 24) | (record[6]! << 16) | (record[7]! << 8) | record[8]!) >>> 0;
  return high * 2 ** 32 + low;
}

/** Reads a stored record back as a Ref whose hash is the given `hash` object. */
export function decodeRecord(hash: Uint8Array, record: Uint8Array): LeafRef | NodeRef {
  if (record[0] === RECORD_LEAF && record.length >= HEADER_BYTES + 32) {
    return {
      kind: RefKind.Leaf,
      hash,
      key: record.subarray(HEADER_BYTES, HEADER_BYTES + 32),
      value: record.subarray(HEADER_BYTES + 32),
      valueHash: undefined,
      fresh: false,
    };
  }
  if (record[0] === RECORD_NODE && record.length === HEADER_BYTES + 64) {
    return {
      kind: RefKind.Node,
      hash,
      left: refForHash(record.subarray(HEADER_BYTES, HEADER_BYTES + 32)),
      right: refForHash(record.subarray(HEADER_BYTES + 32, HEADER_BYTES + 64)),
    };
  }
  throw new SmtMissingNodeError(`${toHex(hash)} (unreadable record)`);
}

/**
 * One step of a point read straight on a stored record, without building
 * Refs (reads are most of a block's tree traffic): the value (a copy) if the
 * record is the leaf of `key`, null if it is another key's leaf (absent), or
 * the hash of the child on `key`'s side at `depth`.
 */
export function readStep(
  hash: Uint8Array,
  record: Uint8Array,
  key: Uint8Array,
  depth: number,
): { value: Uint8Array | null } | Uint8Array {
  if (record[0] === RECORD_LEAF && record.length >= HEADER_BYTES + 32) {
    for (let i = 0; i < 32; i++) if (record[HEADER_BYTES + i] !== key[i]) return { value: null };
    return { value: record.slice(HEADER_BYTES + 32) };
  }
  if (record[0] === RECORD_NODE && record.length === HEADER_BYTES + 64) {
    const at = bitAt(key, depth) === 0 ? HEADER_BYTES : HEADER_BYTES + 32;
    return record.subarray(at, at + 32);
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

/** Map keys of node hashes (moved to shared/hash.ts, re-exported for existing importers). */
export { hashMapKey } from "../hash.ts";

export class MemoryNodeStore implements NodeStore {
  readonly #records = new Bytes32Map<Uint8Array>();

  get size(): number {
    return this.#records.size;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#records.get(hash);
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#records.set(hash, record);
  }
  delete(hash: Uint8Array): void {
    this.#records.delete(hash);
  }
}

/**
 * A bounded read cache in front of a slower store (SQLite); writes go
 * through. Two generations instead of a strict LRU: reads fill the young
 * map; when it reaches half the bound it becomes the old map and the
 * previous old map is dropped whole; an old hit is promoted. O(1) per
 * access with no iteration (evicting a Map's oldest entry one by one is a
 * slow path in V8). Sized in records: node records are 65 bytes, leaves
 * 33 + value, plus JS overhead per record (bench/cases/smt.ts, probeSmtMemory).
 */
export class CachedNodeStore implements NodeStore {
  readonly #inner: NodeStore;
  readonly #generationRecords: number;
  #young: Bytes32Map<Uint8Array>;
  #old: Bytes32Map<Uint8Array>;
  hits = 0;
  misses = 0;

  constructor(inner: NodeStore, maxRecords: number) {
    if (!Number.isInteger(maxRecords) || maxRecords < 2) {
      throw new RangeError(`CachedNodeStore maxRecords must be an integer ≥ 2, got ${maxRecords}.`);
    }
    this.#inner = inner;
    this.#generationRecords = Math.floor(maxRecords / 2);
    this.#young = this.#newGeneration();
    this.#old = this.#newGeneration();
  }

  /** Records held (at most maxRecords). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    const cached = this.#cached(hash);
    if (cached !== undefined) return cached;
    this.misses++;
    const record = this.#inner.get(hash);
    if (record !== undefined) this.#remember(hash, record);
    return record;
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#inner.put(hash, record);
    this.#old.delete(hash);
    this.#remember(hash, record);
  }
  /** Cached records as get() finds them; the misses in one inner getMany when it has one. */
  getMany(hashes: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    const out = hashes.map((h) => this.#cached(h));
    this.misses += fillMissing(this.#inner, hashes, out, (hash, record) => this.#remember(hash, record));
    return out;
  }
  putMany(hashes: readonly Uint8Array[], records: readonly Uint8Array[]): void {
    putAll(this.#inner, hashes, records);
    for (let i = 0; i < hashes.length; i++) {
      this.#old.delete(hashes[i]!);
      this.#remember(hashes[i]!, records[i]!);
    }
  }
  delete(hash: Uint8Array): void {
    this.#inner.delete(hash);
    this.#young.delete(hash);
    this.#old.delete(hash);
  }

  /** Sized for a full generation up front (no rehashing while it fills), at most 64K slots at first. */
  #newGeneration(): Bytes32Map<Uint8Array> {
    return new Bytes32Map(Math.min(this.#generationRecords, 32_768));
  }

  /** A hit (an old one is promoted), or undefined. */
  #cached(hash: Uint8Array): Uint8Array | undefined {
    const young = this.#young.get(hash);
    if (young !== undefined) {
      this.hits++;
      return young;
    }
    const old = this.#old.get(hash);
    if (old !== undefined) {
      this.hits++;
      this.#old.delete(hash);
      this.#remember(hash, old);
    }
    return old;
  }

  #remember(hash: Uint8Array, record: Uint8Array): void {
    if (this.#young.size >= this.#generationRecords && !this.#young.has(hash)) {
      this.#old = this.#young;
      this.#young = this.#newGeneration();
    }
    this.#young.set(hash, record);
  }
}
