import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE, numberToBytesLE } from "@noble/curves/utils.js";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import {
  generateKeyPair,
  type NativeVerifier,
  setNativeVerifier,
  sign,
  verifyMany,
  verifySignature,
  webCryptoVerifier,
} from "../../shared/crypto/index.ts";
import {
  isCanonicalPointEncoding,
  isCanonicalScalarS,
  isSmallOrderEncoding,
  SMALL_ORDER_ENCODINGS,
} from "../../shared/crypto/policy.ts";

const Point = ed25519.Point;
const P = (1n << 255n) - 19n;
const L = Point.Fn.ORDER;

/** Encodings whose y is near the interesting values: 0, 1, p - 1, p..2^255 - 1, with either sign bit. */
const edgeEncoding = fc
  .tuple(
    fc.constantFrom(0n, 1n, P - 1n, P, P + 1n, P + 18n, (1n << 255n) - 1n),
    fc.integer({ min: -3, max: 3 }),
    fc.boolean(),
  )
  .map(([y, delta, signBit]) => {
    const v = (y + BigInt(delta) + (1n << 255n)) % (1n << 255n);
    const out = numberToBytesLE(v, 32);
    if (signBit) out[31]! |= 0x80;
    return out;
  });
const anyEncoding = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), edgeEncoding);

function strictDecode(encoding: Uint8Array): InstanceType<typeof Point> | null {
  try {
    return Point.fromBytes(encoding, false);
  } catch {
    return null;
  }
}
function lenientDecode(encoding: Uint8Array): InstanceType<typeof Point> | null {
  try {
    return Point.fromBytes(encoding, true);
  } catch {
    return null;
  }
}

describe("policy byte rules agree with curve arithmetic", () => {
  it("the 8 small-order encodings are exactly the multiples of a point of order 8", () => {
    const order8 = Point.fromBytes(SMALL_ORDER_ENCODINGS[4]!, false);
    const multiples = new Set<string>();
    for (let k = 0n; k < 8n; k++) multiples.add(toHex(order8.multiplyUnsafe(k).toBytes()));
    expect(multiples.size).toBe(8);
    expect(new Set(SMALL_ORDER_ENCODINGS.map(toHex))).toEqual(multiples);
    for (const e of SMALL_ORDER_ENCODINGS) expect(Point.fromBytes(e, false).isSmallOrder()).toBe(true);
  });

  it("a point encoding is canonical by the byte rule iff strict RFC 8032 decoding accepts it (for points on the curve)", () => {
    fc.assert(
      fc.property(anyEncoding, (encoding) => {
        if (lenientDecode(encoding) === null) return; // not on the curve: the byte rule does not decide it
        expect(isCanonicalPointEncoding(encoding)).toBe(strictDecode(encoding) !== null);
      }),
      { numRuns: 2000 },
    );
  });

  it("the small-order byte rule matches isSmallOrder on canonical points, including torsion-shifted ones", () => {
    const torsionShifted = fc
      .tuple(fc.bigInt({ min: 1n, max: L - 1n }), fc.integer({ min: 0, max: 7 }), fc.boolean())
      .map(([k, t, addBase]) => {
        const torsion = Point.fromBytes(SMALL_ORDER_ENCODINGS[t]!, false);
        return (addBase ? Point.BASE.multiplyUnsafe(k).add(torsion) : torsion).toBytes();
      });
    fc.assert(
      fc.property(fc.oneof(anyEncoding, torsionShifted), (encoding) => {
        const point = strictDecode(encoding);
        if (point === null) return;
        expect(isSmallOrderEncoding(encoding)).toBe(point.isSmallOrder());
      }),
      { numRuns: 1000 },
    );
  });

  it("S < L by the byte rule iff the little-endian integer is below the group order", () => {
    const nearL = fc
      .tuple(
        fc.constantFrom(0n, L - 1n, L, L + 1n, 1n << 253n, (1n << 256n) - 1n),
        fc.integer({ min: -2, max: 2 }),
      )
      .map(([v, d]) => numberToBytesLE((v + BigInt(d) + (1n << 256n)) % (1n << 256n), 32));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), nearL), (s) => {
        const signature = new Uint8Array(64);
        signature.set(s, 32);
        expect(isCanonicalScalarS(signature)).toBe(bytesToNumberLE(s) < L);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the policy holds whatever the native backend", () => {
  afterEach(() => setNativeVerifier(webCryptoVerifier));
  const signer = generateKeyPair(new Uint8Array(32).fill(1));
  const message = new Uint8Array([1, 2, 3]);
  const good = sign(signer.secretKey, message);

  function recordingBackend(answer: (signature: Uint8Array) => boolean | Promise<boolean>) {
    const imported: string[] = [];
    const verified: string[] = [];
    const backend: NativeVerifier<Uint8Array> = {
      name: "recording",
      importPublicKey: (pk) => {
        imported.push(toHex(pk));
        return pk;
      },
      verify: (_key, _message, signature) => {
        verified.push(toHex(signature));
        return answer(signature);
      },
    };
    return { backend, imported, verified };
  }

  it("a backend that accepts everything still never sees a small-order, non-canonical or unreduced input", async () => {
    const { backend, verified } = recordingBackend(() => true);
    setNativeVerifier(backend);
    const sPlusL = numberToBytesLE(bytesToNumberLE(good.subarray(32)) + L, 32);
    const rejected = [
      {
        publicKey: signer.publicKey,
        message,
        signature: new Uint8Array([...good.subarray(0, 32), ...sPlusL]),
      },
      {
        publicKey: signer.publicKey,
        message,
        signature: new Uint8Array([...SMALL_ORDER_ENCODINGS[0]!, ...good.subarray(32)]),
      },
      { publicKey: SMALL_ORDER_ENCODINGS[5]!, message, signature: good },
      { publicKey: numberToBytesLE(P + 1n, 32), message, signature: good },
      { publicKey: signer.publicKey, message, signature: good.subarray(0, 63) },
    ];
    expect(await verifyMany(rejected)).toEqual([false, false, false, false, false]);
    expect(verified).toEqual([]);
    expect(await verifySignature(signer.publicKey, message, good)).toBe(true);
    expect(verified).toEqual([toHex(good)]);
  });

  it("a backend that throws or rejects gives false, not an exception", async () => {
    setNativeVerifier(
      recordingBackend(() => {
        throw new Error("native failure");
      }).backend,
    );
    expect(await verifySignature(signer.publicKey, message, good)).toBe(false);
    setNativeVerifier(recordingBackend(() => Promise.reject(new Error("native failure"))).backend);
    expect(await verifySignature(signer.publicKey, message, good)).toBe(false);
  });

  it("imports a key once for a batch that carries it many times, and keeps the cache within its capacity", async () => {
    const { backend, imported } = recordingBackend(() => true);
    setNativeVerifier(backend, { keyCacheCapacity: 2 });
    const batch = Array.from({ length: 50 }, () => ({
      publicKey: signer.publicKey,
      message,
      signature: good,
    }));
    expect((await verifyMany(batch)).every(Boolean)).toBe(true);
    expect(imported.length).toBe(1);
    const others = [2, 3].map((b) => generateKeyPair(new Uint8Array(32).fill(b)));
    for (const k of others) await verifySignature(k.publicKey, message, sign(k.secretKey, message));
    expect(imported.length).toBe(3);
    // Capacity 2: the first key was evicted and is imported again.
    await verifySignature(signer.publicKey, message, good);
    expect(imported.length).toBe(4);
  });

  it("the default WebCrypto backend accepts a signature and rejects it on a different message", async () => {
    expect(await verifySignature(signer.publicKey, message, good)).toBe(true);
    expect(await verifySignature(signer.publicKey, new Uint8Array([1, 2, 4]), good)).toBe(false);
  });
});
