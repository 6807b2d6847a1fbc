/**
 * The byte-level rules of Bitlayer's one Ed25519 acceptance policy
 * (DESIGN.md "Signatures", docs/spec/signatures.md). They run on every verify
 * before the native verifier, so they are plain byte comparisons: no field
 * arithmetic, no allocation.
 */
import { fromHex } from "../bytes.ts";

export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** L = 2^252 + 27742317777372353535851937790883648493, little-endian (the group order). */
const L_LE = fromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
/** p = 2^255 - 19, little-endian (the field prime). */
const P_LE = fromHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

/**
 * The canonical encodings of the 8 points of small order (the torsion
 * subgroup): identity, the point of order 2, two of order 4, four of order 8.
 * Non-canonical encodings of the same points are rejected earlier by
 * isCanonicalPointEncoding, so this list is complete for the policy.
 * test/core/ed25519-policy.test.ts proves each is a small-order point.
 */
export const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0000000000000000000000000000000000000000000000000000000000000080",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
].map(fromHex);

/** Compares two 32-byte little-endian integers (bytes from offset) as numbers. */
function lessThanLE(bytes: Uint8Array, offset: number, bound: Uint8Array, topMask: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = i === 31 ? bytes[offset + i]! & topMask : bytes[offset + i]!;
    const b = bound[i]!;
    if (a !== b) return a < b;
  }
  return false;
}

/** S (bytes 32..63 of the signature) is a reduced scalar: S < L. Rejects S+L malleability. */
export function isCanonicalScalarS(signature: Uint8Array): boolean {
  return lessThanLE(signature, 32, L_LE, 0xff);
}

/**
 * A point encoding (R or A) is canonical: its y (low 255 bits) is < p, and it
 * is not x = 0 with the sign bit set. x = 0 only for y = 1 and y = p - 1, so
 * the second rule is two byte comparisons.
 */
export function isCanonicalPointEncoding(point: Uint8Array): boolean {
  if (!lessThanLE(point, 0, P_LE, 0x7f)) return false;
  if ((point[31]! & 0x80) === 0) return true;
  // Sign bit set: reject y = 1 and y = p - 1 (the points with x = 0).
  return !(isYOne(point) || isYMinusOne(point));
}

function isYOne(point: Uint8Array): boolean {
  if (point[0] !== 1) return false;
  for (let i = 1; i < 31; i++) if (point[i] !== 0) return false;
  return (point[31]! & 0x7f) === 0;
}

function isYMinusOne(point: Uint8Array): boolean {
  if (point[0] !== 0xec) return false;
  for (let i = 1; i < 31; i++) if (point[i] !== 0xff) return false;
  return (point[31]! & 0x7f) === 0x7f;
}

/** A canonical encoding is one of the 8 small-order points. */
export function isSmallOrderEncoding(point: Uint8Array): boolean {
  // Keys and signatures are public: a comparison may stop at the first differing byte.
  for (const candidate of SMALL_ORDER_ENCODINGS) {
    let i = 0;
    while (i < 32 && candidate[i] === point[i]) i++;
    if (i === 32) return true;
  }
  return false;
}

/** All checks on R (bytes 0..31) and S that need no curve arithmetic. */
export function passesSignatureByteChecks(signature: Uint8Array): boolean {
  if (!isCanonicalScalarS(signature)) return false;
  // The point checks read bytes 0..31 only: R, without a subarray.
  return isCanonicalPointEncoding(signature) && !isSmallOrderEncoding(signature);
}
