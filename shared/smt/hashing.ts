/**
 * The hash rules of the sparse Merkle tree (docs/spec/merkle.md): these are
 * consensus rules, so every other module computes hashes only through here.
 */
import { assertLength } from "../bytes.ts";
import { domainTag, HASH_LENGTH, hashTagged, nativeHashTagged2, nativeSha256Backend } from "../hash.ts";
import { sha256, sha256Prefixed2, wordPrefix } from "../sha256.ts";

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

// The same sha256(tag ‖ a ‖ b) as hashTagged in shared/hash.ts, with the
// 20-byte tags as prepared message words: sha256Prefixed2 reads the two
// 32-byte halves straight into the message schedule (two compressions, no
// copy). Other lengths (never in the tree) take the general path. The
// tests pin these to hashTagged and to noble.
const LEAF_WORDS = wordPrefix(LEAF_TAG);
const NODE_WORDS = wordPrefix(NODE_TAG);

// With another backend installed (shared/hash.ts setSha256Backend), it is used instead.
export function leafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  const native = nativeSha256Backend();
  if (native) return nativeHashTagged2(native, LEAF_TAG, key, valueHash);
  if (key.length !== 32 || valueHash.length !== 32) return hashTagged(LEAF_TAG, key, valueHash);
  return sha256Prefixed2(LEAF_WORDS, key, valueHash);
}

export function valueHash(value: Uint8Array): Uint8Array {
  const native = nativeSha256Backend();
  if (native) return native.sha256(value);
  return sha256(value);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const native = nativeSha256Backend();
  if (native) return nativeHashTagged2(native, NODE_TAG, left, right);
  if (left.length !== 32 || right.length !== 32) return hashTagged(NODE_TAG, left, right);
  return sha256Prefixed2(NODE_WORDS, left, right);
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
