/**
 * SHA-256 (FIPS 180-4) without allocation beyond the 32-byte digest: the hot
 * path of the state tree (two 84-byte inputs per node and leaf, one short
 * value hash per leaf) and the default of shared/hash.ts.
 *
 * Why not @noble/hashes everywhere: measured in workerd (bench/cases/crypto.ts
 * "sha256" cases), a noble hasher spends most of a small hash in its update /
 * digest bookkeeping (a DataView per digest, buffer copies, a clone of the
 * prepared state per call), and its compression runs several times slower
 * there than in Node; with the message words loaded straight from the input
 * bytes into one reused Int32Array and the eight working variables kept in
 * locals, one compression costs about a third. Outputs are identical by
 * definition; test/core/sha256-fast.test.ts pins this module to noble on
 * random inputs of every length around the block boundaries, in both runtimes.
 *
 * Not reentrant (module-level state), which is fine: nothing here calls out.
 */

const K = Int32Array.of(
  0x428a2f98,
  0x71374491,
  -0x4a3f0431,
  -0x164a245b,
  0x3956c25b,
  0x59f111f1,
  -0x6dc07d5c,
  -0x54e3a12b,
  -0x27f85568,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  -0x7f214e02,
  -0x6423f959,
  -0x3e640e8c,
  -0x1b64963f,
  -0x1041b87a,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  -0x67c1aeae,
  -0x57ce3993,
  -0x4ffcd838,
  -0x40a68039,
  -0x391ff40d,
  -0x2a586eb9,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  -0x7e3d36d2,
  -0x6d8dd37b,
  -0x5d40175f,
  -0x57e599b5,
  -0x3db47490,
  -0x3893ae5d,
  -0x2e6d17e7,
  -0x2966f9dc,
  -0xbf1ca7b,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  -0x7b3787ec,
  -0x7338fdf8,
  -0x6f410006,
  -0x5baf9315,
  -0x41065c09,
  -0x398e870e,
);

const IV = Int32Array.of(
  0x6a09e667,
  -0x4498517b,
  0x3c6ef372,
  -0x5ab00ac6,
  0x510e527f,
  -0x64fa9774,
  0x1f83d9ab,
  0x5be0cd19,
);

/** Message schedule: callers fill W[0..15], compress() expands the rest. */
const W = new Int32Array(64);
/** Running hash state of the hash in progress. */
const S = new Int32Array(8);

/** One compression of the block in W[0..15] into S. */
function compress(): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (s1 + W[i - 7]! + s0 + W[i - 16]!) | 0;
  }
  let a = S[0]!;
  let b = S[1]!;
  let c = S[2]!;
  let d = S[3]!;
  let e = S[4]!;
  let f = S[5]!;
  let g = S[6]!;
  let h = S[7]!;
  for (let i = 0; i < 64; i++) {
    const sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + sigma1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (sigma0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  S[0] = (S[0]! + a) | 0;
  S[1] = (S[1]! + b) | 0;
  S[2] = (S[2]! + c) | 0;
  S[3] = (S[3]! + d) | 0;
  S[4] = (S[4]! + e) | 0;
  S[5] = (S[5]! + f) | 0;
  S[6] = (S[6]! + g) | 0;
  S[7] = (S[7]! + h) | 0;
}

/** W[at..at+count) = big-endian words of src[from..from+4·count). */
function loadWords(src: Uint8Array, from: number, at: number, count: number): void {
  for (let i = 0; i < count; i++, from += 4) {
    W[at + i] = (src[from]! << 24) | (src[from + 1]! << 16) | (src[from + 2]! << 8) | src[from + 3]!;
  }
}

function digestOut(): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0, o = 0; i < 8; i++, o += 4) {
    const s = S[i]!;
    out[o] = s >>> 24;
    out[o + 1] = s >>> 16;
    out[o + 2] = s >>> 8;
    out[o + 3] = s;
  }
  return out;
}

/** Words of a prefix shorter than a block whose length is a multiple of 4 (a domain tag). */
export type WordPrefix = { readonly words: Int32Array; readonly bytes: number };

/** Prepares `prefix` for sha256Prefixed2 (the SMT's 20-byte domain tags: 5 words). */
export function wordPrefix(prefix: Uint8Array): WordPrefix {
  // At most 32 bytes: the prefix and `a` then fill the first block, and b's rest plus padding the second.
  if (prefix.length % 4 !== 0 || prefix.length > 32)
    throw new RangeError(
      `sha256 word prefix must be a multiple of 4 bytes and at most 32, got ${prefix.length}`,
    );
  const words = new Int32Array(prefix.length / 4);
  for (let i = 0; i < words.length; i++)
    words[i] =
      (prefix[4 * i]! << 24) | (prefix[4 * i + 1]! << 16) | (prefix[4 * i + 2]! << 8) | prefix[4 * i + 3]!;
  return { words, bytes: prefix.length };
}

/**
 * sha256(prefix ‖ a ‖ b) for two 32-byte parts (tree nodes and leaves): the
 * words go straight from the inputs into the schedule, no buffer copy.
 * Inputs of other lengths throw (a caller bug, never consensus input).
 */
export function sha256Prefixed2(prefix: WordPrefix, a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== 32 || b.length !== 32) throw new RangeError("sha256Prefixed2 takes two 32-byte parts");
  const p = prefix.words.length;
  S.set(IV);
  // Block 1: prefix words, the 8 words of a, then as many words of b as fit.
  W.set(prefix.words);
  loadWords(a, 0, p, 8);
  const bInFirst = 16 - p - 8;
  loadWords(b, 0, p + 8, bInFirst);
  compress();
  // Block 2: the rest of b, the 0x80 marker, zeros, the bit length.
  const rest = 8 - bInFirst;
  loadWords(b, 4 * bInFirst, 0, rest);
  W[rest] = 0x80000000 | 0;
  for (let i = rest + 1; i < 15; i++) W[i] = 0;
  W[15] = (prefix.bytes + 64) * 8;
  compress();
  return digestOut();
}

/** Tail and padding of the message; 128 bytes hold the last partial block plus padding. */
const tail = new Uint8Array(128);

/** sha256(data) in one call. */
export function sha256(data: Uint8Array): Uint8Array {
  S.set(IV);
  const length = data.length;
  const whole = length - (length % 64);
  for (let at = 0; at < whole; at += 64) {
    loadWords(data, at, 0, 16);
    compress();
  }
  finishTail(data, whole, length);
  return digestOut();
}

/** Pads data[from..length) (less than a block) with the total `length` and compresses it. */
function finishTail(data: Uint8Array, from: number, length: number): void {
  const rest = length - from;
  tail.fill(0);
  tail.set(data.subarray(from, length), 0);
  tail[rest] = 0x80;
  const blocks = rest + 9 <= 64 ? 1 : 2;
  const end = blocks * 64;
  // Bit length as a 64-bit big-endian integer; lengths here are far below 2^53 bits.
  const bits = length * 8;
  const high = Math.floor(bits / 2 ** 32);
  tail[end - 8] = high >>> 24;
  tail[end - 7] = high >>> 16;
  tail[end - 6] = high >>> 8;
  tail[end - 5] = high;
  tail[end - 4] = bits >>> 24;
  tail[end - 3] = bits >>> 16;
  tail[end - 2] = bits >>> 8;
  tail[end - 1] = bits;
  for (let at = 0; at < end; at += 64) {
    loadWords(tail, at, 0, 16);
    compress();
  }
}
