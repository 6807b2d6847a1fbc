/**
 * The hash rules of the sparse Merkle tree (docs/spec/merkle.md): these are
 * consensus rules, so every other module computes hashes only through here.
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { assertLength } from "../bytes.ts";
import { domainTag, HASH_LENGTH, nativeHashTagged2, nativeSha256Backend } from "../hash.ts";

export const SMT_KEY_BYTES = 32;
export const SMT_KEY_BITS = 256;

const NODE_TAG = domainTag("bitlayer/smt/node/v1");
const LEAF_TAG = domainTag("bitlayer/smt/leaf/v1");

/** Shared, never mutated: compare with isZeroHash, hand out copies with emptyRoot(). */
export const ZERO_HASH: Uint8Array = new Uint8Array(HASH_LENGTH);

/** Root of the empty tree: 32 zero bytes (a fresh copy). */
export function emptyRoot(): Uint8Array {
  return new Uint8Array(HASH_LENGTH);
}

export function isZeroHash(hash: Uint8Array): boolean {
  for (let i = 0; i < hash.length; i++) if (hash[i] !== 0) return false;
  return true;
}

// The same sha256(tag ‖ parts) as hashTagged in shared/hash.ts, but from
// hashers prepared once: a fresh noble hasher per call costs ~3.5 µs against
// ~1.5 µs here, and tree updates are mostly hashing. The tests pin these to
// hashTagged. Not reentrant, which is fine: nothing runs between clone and digest.
const afterLeafTag = nobleSha256.create().update(LEAF_TAG);
const afterNodeTag = nobleSha256.create().update(NODE_TAG);
const initial = nobleSha256.create();
const work = nobleSha256.create();

function digest2(prepared: typeof work, a: Uint8Array, b: Uint8Array): Uint8Array {
  prepared._cloneInto(work);
  work.update(a);
  work.update(b);
  return finish();
}

/** digest() reuses the hasher's DataView (digestInto another array allocates one); the next clone revives it. */
function finish(): Uint8Array {
  return work.digest();
}

// With a native backend installed (shared/hash.ts setSha256Backend), it is used instead.
export function leafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  const native = nativeSha256Backend();
  if (native) return nativeHashTagged2(native, LEAF_TAG, key, valueHash);
  return digest2(afterLeafTag, key, valueHash);
}

export function valueHash(value: Uint8Array): Uint8Array {
  const native = nativeSha256Backend();
  if (native) return native.sha256(value);
  initial._cloneInto(work);
  work.update(value);
  return finish();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const native = nativeSha256Backend();
  if (native) return nativeHashTagged2(native, NODE_TAG, left, right);
  return digest2(afterNodeTag, left, right);
}

/** Bit `depth` of a key, most significant bit of byte 0 first: 0 goes left. */
export function bitAt(key: Uint8Array, depth: number): number {
  return (key[depth >> 3]! >> (7 - (depth & 7))) & 1;
}

/** True when `a` and `b` agree on their first `bits` bits. */
export function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

/**
 * In items[lo, hi) sorted by key and sharing their first `depth` bits, the
 * index of the first item whose bit `depth` is 1 (binary search).
 */
export function splitIndex<T>(
  items: readonly T[],
  keyOf: (item: T) => Uint8Array,
  lo: number,
  hi: number,
  depth: number,
): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (bitAt(keyOf(items[m]!), depth) === 0) a = m + 1;
    else b = m;
  }
  return a;
}

export function assertKey(key: Uint8Array, what = "SMT key"): void {
  assertLength(key, SMT_KEY_BYTES, what);
}
