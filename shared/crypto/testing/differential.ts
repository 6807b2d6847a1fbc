/**
 * The differential set of the signature policy: a deterministic stream of
 * (publicKey, message, signature) cases from one seed of shared/prng.ts, mixing
 * valid signatures with every mutation the policy has a rule for. Each
 * runtime verifies the whole stream; the SHA-256 of the result bits must equal
 * the digest committed in test/golden/ed25519-differential.json, which
 * scripts/gen-ed25519-golden.ts writes. Used by tests, the golden script and
 * benchmarks; never by production code.
 *
 * Cheap by construction: a few hundred base signatures are made once (noble
 * signing plus hand-made mixed-order and small-order ones), then each case is
 * a base plus a byte-level mutation.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE, numberToBytesLE } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, toHex } from "../../bytes.ts";
import { sha256 } from "../../hash.ts";
import { Prng } from "../../prng.ts";
import { SMALL_ORDER_ENCODINGS } from "../policy.ts";
import { verifyMany } from "../verifier.ts";

export const DIFFERENTIAL_SEED = 0x0b17_1a7e;
export const DIFFERENTIAL_CASE_COUNT = 100_000;

const Point = ed25519.Point;
type EdPoint = InstanceType<typeof Point>;
const ORDER_L = Point.Fn.ORDER;

/** How a case was made from its base; the golden file counts acceptances per kind. */
export const CaseKind = {
  Unchanged: "unchanged",
  FlipBitR: "flip-bit-r",
  FlipBitS: "flip-bit-s",
  FlipBitA: "flip-bit-a",
  FlipBitMessage: "flip-bit-message",
  ExtendMessage: "extend-message",
  SPlusL: "s-plus-l",
  SPlus2Pow253: "s-plus-2^253",
  NonCanonicalR: "non-canonical-r",
  NonCanonicalA: "non-canonical-a",
  SmallOrderR: "small-order-r",
  SmallOrderA: "small-order-a",
  OtherKey: "other-key",
  WrongLengthKey: "wrong-length-key",
  WrongLengthSignature: "wrong-length-signature",
  RandomSignature: "random-signature",
} as const;
export type CaseKind = (typeof CaseKind)[keyof typeof CaseKind];

/** How the base signature was made. */
export const BaseKind = {
  Valid: "valid",
  MixedOrderKey: "mixed-order-key",
  MixedOrderR: "mixed-order-r",
  SmallOrderRCofactored: "small-order-r-cofactored",
  SmallOrderKeyAndR: "small-order-key-and-r",
} as const;
export type BaseKind = (typeof BaseKind)[keyof typeof BaseKind];

export type DifferentialCase = {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly base: BaseKind;
  readonly kind: CaseKind;
};

type Base = { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array; base: BaseKind };

/** Cases weighted towards unchanged bases, so the set holds many accepting cases too. */
const KIND_WEIGHTS: readonly (readonly [CaseKind, number])[] = [
  [CaseKind.Unchanged, 24],
  [CaseKind.FlipBitR, 6],
  [CaseKind.FlipBitS, 6],
  [CaseKind.FlipBitA, 6],
  [CaseKind.FlipBitMessage, 6],
  [CaseKind.ExtendMessage, 3],
  [CaseKind.SPlusL, 6],
  [CaseKind.SPlus2Pow253, 4],
  [CaseKind.NonCanonicalR, 6],
  [CaseKind.NonCanonicalA, 6],
  [CaseKind.SmallOrderR, 6],
  [CaseKind.SmallOrderA, 6],
  [CaseKind.OtherKey, 3],
  [CaseKind.WrongLengthKey, 4],
  [CaseKind.WrongLengthSignature, 4],
  [CaseKind.RandomSignature, 3],
];
const KIND_WEIGHT_TOTAL = KIND_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);

const TORSION: readonly EdPoint[] = SMALL_ORDER_ENCODINGS.map((e) => Point.fromBytes(e, false));
const TORSION_NONZERO = TORSION.filter((t) => !t.is0());

/**
 * Non-canonical point encodings: y = p + d (d = 0..18, the only y >= p that
 * fit in 255 bits) with either sign bit, and x = 0 (y = 1, y = p - 1) with the
 * sign bit set.
 */
export const NON_CANONICAL_ENCODINGS: readonly Uint8Array[] = (() => {
  const p = (1n << 255n) - 19n;
  const out: Uint8Array[] = [];
  for (let d = 0n; d < 19n; d++) {
    const y = numberToBytesLE(p + d, 32);
    out.push(y, withSignBit(y));
  }
  out.push(withSignBit(numberToBytesLE(1n, 32)), withSignBit(numberToBytesLE(p - 1n, 32)));
  return out;
})();

function withSignBit(encoding: Uint8Array): Uint8Array {
  const out = encoding.slice();
  out[31]! |= 0x80;
  return out;
}

function scalarOf(bytes: Uint8Array): bigint {
  return bytesToNumberLE(bytes) % ORDER_L;
}

function challenge(rBytes: Uint8Array, aBytes: Uint8Array, message: Uint8Array): bigint {
  return scalarOf(sha512(concatBytes(rBytes, aBytes, message)));
}

type Signer = {
  scalar: bigint;
  prefix: Uint8Array;
  point: EdPoint;
  pointBytes: Uint8Array;
  seed: Uint8Array;
};

/** An RFC 8032 signature with optional torsion added to R and/or to the public key A. */
function signWithTorsion(signer: Signer, message: Uint8Array, torsionR: EdPoint, torsionA: EdPoint): Base {
  const aBytes = signer.point.add(torsionA).toBytes();
  const r = scalarOf(sha512(concatBytes(signer.prefix, message)));
  const rBytes = Point.BASE.multiply(r).add(torsionR).toBytes();
  const k = challenge(rBytes, aBytes, message);
  const s = (r + k * signer.scalar) % ORDER_L;
  const base = torsionA.is0() ? BaseKind.MixedOrderR : BaseKind.MixedOrderKey;
  return { publicKey: aBytes, message, signature: concatBytes(rBytes, numberToBytesLE(s, 32)), base };
}

function buildBases(prng: Prng): Base[] {
  const signers: Signer[] = [];
  for (let i = 0; i < 48; i++) {
    const seed = prng.bytes(32);
    signers.push({ ...ed25519.utils.getExtendedPublicKey(seed), seed });
  }
  const message = () => prng.bytes(prng.below(4) === 0 ? prng.below(8) : 16 + prng.below(240));
  const bases: Base[] = [];
  for (let i = 0; i < 384; i++) {
    const signer = signers[i % signers.length]!;
    const m = message();
    bases.push({
      publicKey: signer.pointBytes,
      message: m,
      signature: ed25519.sign(m, signer.seed),
      base: "valid",
    });
  }
  // Valid under the cofactored equation; under the cofactorless one only when [k]T = 0.
  for (let i = 0; i < 96; i++) {
    bases.push(signWithTorsion(prng.pick(signers), message(), Point.ZERO, prng.pick(TORSION_NONZERO)));
  }
  for (let i = 0; i < 96; i++) {
    bases.push(signWithTorsion(prng.pick(signers), message(), prng.pick(TORSION_NONZERO), Point.ZERO));
  }
  // R small order and S = k*a: the cofactored equation holds, the cofactorless one needs R = identity.
  for (let i = 0; i < 48; i++) {
    const signer = prng.pick(signers);
    const m = message();
    const rBytes = prng.pick(SMALL_ORDER_ENCODINGS);
    const s = (challenge(rBytes, signer.pointBytes, m) * signer.scalar) % ORDER_L;
    bases.push({
      publicKey: signer.pointBytes,
      message: m,
      signature: concatBytes(rBytes, numberToBytesLE(s, 32)),
      base: BaseKind.SmallOrderRCofactored,
    });
  }
  // ZIP-215-style: A and R both small order, S = 0 (both equations can hold).
  for (let i = 0; i < 48; i++) {
    bases.push({
      publicKey: prng.pick(SMALL_ORDER_ENCODINGS),
      message: message(),
      signature: concatBytes(prng.pick(SMALL_ORDER_ENCODINGS), new Uint8Array(32)),
      base: BaseKind.SmallOrderKeyAndR,
    });
  }
  return bases;
}

function flipBit(bytes: Uint8Array, from: number, to: number, prng: Prng): Uint8Array {
  const out = bytes.slice();
  const bit = from * 8 + prng.below((to - from) * 8);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

function addToS(signature: Uint8Array, addend: bigint): Uint8Array {
  const s = bytesToNumberLE(signature.subarray(32, 64)) + addend;
  if (s >= 1n << 256n) return signature; // cannot happen for S < 2^253; keep the case total
  return concatBytes(signature.subarray(0, 32), numberToBytesLE(s, 32));
}

function resized(bytes: Uint8Array, lengths: readonly number[], prng: Prng): Uint8Array {
  const length = prng.pick(lengths);
  const out = new Uint8Array(length);
  out.set(bytes.subarray(0, length));
  for (let i = bytes.length; i < length; i++) out[i] = prng.below(256);
  return out;
}

function mutate(base: Base, kind: CaseKind, bases: readonly Base[], prng: Prng): DifferentialCase {
  let { publicKey, message, signature } = base;
  switch (kind) {
    case CaseKind.Unchanged:
      break;
    case CaseKind.FlipBitR:
      signature = flipBit(signature, 0, 32, prng);
      break;
    case CaseKind.FlipBitS:
      signature = flipBit(signature, 32, 64, prng);
      break;
    case CaseKind.FlipBitA:
      publicKey = flipBit(publicKey, 0, 32, prng);
      break;
    case CaseKind.FlipBitMessage:
      message =
        message.length === 0 ? new Uint8Array([prng.below(256)]) : flipBit(message, 0, message.length, prng);
      break;
    case CaseKind.ExtendMessage:
      message = concatBytes(message, prng.bytes(1 + prng.below(4)));
      break;
    case CaseKind.SPlusL:
      signature = addToS(signature, ORDER_L);
      break;
    case CaseKind.SPlus2Pow253:
      signature = addToS(signature, 1n << 253n);
      break;
    case CaseKind.NonCanonicalR:
      signature = concatBytes(prng.pick(NON_CANONICAL_ENCODINGS), signature.subarray(32));
      break;
    case CaseKind.NonCanonicalA:
      publicKey = prng.pick(NON_CANONICAL_ENCODINGS);
      break;
    case CaseKind.SmallOrderR:
      signature = concatBytes(prng.pick(SMALL_ORDER_ENCODINGS), signature.subarray(32));
      break;
    case CaseKind.SmallOrderA:
      publicKey = prng.pick(SMALL_ORDER_ENCODINGS);
      break;
    case CaseKind.OtherKey:
      publicKey = prng.pick(bases).publicKey;
      break;
    case CaseKind.WrongLengthKey:
      publicKey = resized(publicKey, [0, 1, 31, 33, 64], prng);
      break;
    case CaseKind.WrongLengthSignature:
      signature = resized(signature, [0, 32, 63, 65, 96, 128], prng);
      break;
    case CaseKind.RandomSignature:
      signature = prng.bytes(64);
      break;
  }
  return { publicKey, message, signature, base: base.base, kind };
}

function pickKind(prng: Prng): CaseKind {
  let x = prng.below(KIND_WEIGHT_TOTAL);
  for (const [kind, weight] of KIND_WEIGHTS) {
    if (x < weight) return kind;
    x -= weight;
  }
  throw new Error("BUG: kind weights");
}

/** The first `count` cases of the stream for `seed`. Same seed, same cases, in every runtime. */
export function differentialCases(
  seed: number = DIFFERENTIAL_SEED,
  count: number = DIFFERENTIAL_CASE_COUNT,
): DifferentialCase[] {
  const prng = new Prng(seed);
  const bases = buildBases(prng);
  const cases: DifferentialCase[] = [];
  for (let i = 0; i < count; i++) {
    const base = prng.pick(bases);
    cases.push(mutate(base, pickKind(prng), bases, prng));
  }
  return cases;
}

/** Results packed one bit per case, case i at bit (i mod 8) of byte floor(i / 8). */
export function packResults(results: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(results.length / 8));
  results.forEach((accepted, i) => {
    if (accepted) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

export type DifferentialSummary = {
  seed: number;
  count: number;
  /** SHA-256 of packResults(results), hex. */
  digest: string;
  accepted: number;
  /** "base/kind" -> [cases, accepted]; sorted keys, so it serialises the same everywhere. */
  byKind: Record<string, [number, number]>;
};

export function summarize(
  seed: number,
  cases: readonly DifferentialCase[],
  results: readonly boolean[],
): DifferentialSummary {
  if (cases.length !== results.length) throw new Error("BUG: one result per case");
  const counts = new Map<string, [number, number]>();
  let accepted = 0;
  cases.forEach((c, i) => {
    const key = `${c.base}/${c.kind}`;
    const entry = counts.get(key) ?? [0, 0];
    entry[0]++;
    if (results[i]) {
      entry[1]++;
      accepted++;
    }
    counts.set(key, entry);
  });
  const byKind: Record<string, [number, number]> = {};
  for (const key of [...counts.keys()].sort()) byKind[key] = counts.get(key)!;
  return { seed, count: cases.length, digest: toHex(sha256(packResults(results))), accepted, byKind };
}

/** One line per case, for the message of a failing assertion. */
export function describeCase(c: DifferentialCase): string {
  return `${c.base}/${c.kind} pk=${toHex(c.publicKey)} sig=${toHex(c.signature)} msg=${toHex(c.message)}`;
}

/** Runs every case through verifyMany (or `verify`) in batches, the shape a request has. */
export async function verifyCases(
  cases: readonly DifferentialCase[],
  verify: (items: readonly DifferentialCase[]) => Promise<boolean[]> = verifyMany,
  batchSize = 1000,
): Promise<boolean[]> {
  const results: boolean[] = [];
  for (let start = 0; start < cases.length; start += batchSize) {
    results.push(...(await verify(cases.slice(start, start + batchSize))));
  }
  return results;
}

/** Every `stride`-th case index starting at 0: the subset checked against the slow reference. */
export function referenceSubsetIndexes(count: number, stride = 50): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i += stride) out.push(i);
  return out;
}
