/**
 * An independent, slow restatement of the signature policy in pure JS, for
 * tests and benchmarks only. It shares no code with ../verifier.ts or
 * ../policy.ts: lengths, S < L and point decoding are done numerically with
 * @noble/curves (zip215: false = RFC 8032 strict decoding), small order with
 * noble's isSmallOrder, and the equation twice:
 *   - noble's ed25519.verify(..., { zip215: false }), which checks the
 *     cofactored equation [8][S]B = [8]R + [8][k]A;
 *   - the cofactorless equation [S]B = R + [k]A, which is the policy's rule
 *     and is stricter (noble alone would accept mixed-order keys and R).
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";

const Point = ed25519.Point;
const ORDER_L = Point.Fn.ORDER;

export function referenceVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const rBytes = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32, 64));
  if (s >= ORDER_L) return false;
  let a: InstanceType<typeof Point>;
  let r: InstanceType<typeof Point>;
  try {
    a = Point.fromBytes(publicKey, false);
    r = Point.fromBytes(rBytes, false);
  } catch {
    return false;
  }
  if (a.isSmallOrder() || r.isSmallOrder()) return false;
  if (!ed25519.verify(signature, message, publicKey, { zip215: false })) return false;
  return cofactorlessEquationHolds(a, r, s, rBytes, publicKey, message);
}

/** [S]B = R + [k]A with k = SHA-512(R || A || M) mod L, on the encoded bytes as given. */
export function cofactorlessEquationHolds(
  a: InstanceType<typeof Point>,
  r: InstanceType<typeof Point>,
  s: bigint,
  rBytes: Uint8Array,
  publicKey: Uint8Array,
  message: Uint8Array,
): boolean {
  const h = sha512.create();
  h.update(rBytes);
  h.update(publicKey);
  h.update(message);
  const k = bytesToNumberLE(h.digest()) % ORDER_L;
  return Point.BASE.multiplyUnsafe(s).equals(r.add(a.multiplyUnsafe(k)));
}
