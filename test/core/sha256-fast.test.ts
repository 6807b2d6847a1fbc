/**
 * shared/sha256.ts, the default SHA-256, against @noble/hashes: every length
 * around the block and padding boundaries, random inputs, long inputs, the
 * prefixed two-part form the state tree uses, and the FIPS 180-4 examples.
 * Runs in both runtimes (test/core).
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../shared/bytes.ts";
import { defaultSha256Backend, domainTag, hashTagged } from "../../shared/hash.ts";
import { sha256, sha256Prefixed2, wordPrefix } from "../../shared/sha256.ts";
import { leafHash, nodeHash, valueHash } from "../../shared/smt/hashing.ts";
import { describeSha256BackendConformance } from "./smt-hash-backend-conformance.ts";

const hex = (b: Uint8Array) => toHex(b);

function nobleParts(...parts: Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

describe("shared/sha256 sha256", () => {
  it("matches the FIPS 180-4 examples", () => {
    expect(hex(sha256(new Uint8Array(0)))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(hex(sha256(utf8("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex(sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("equals noble for every length 0..300 (all padding cases, one to five blocks)", () => {
    for (let length = 0; length <= 300; length++) {
      const data = new Uint8Array(length);
      for (let i = 0; i < length; i++) data[i] = (i * 131 + length * 7) & 0xff;
      expect(hex(sha256(data)), `length ${length}`).toBe(hex(nobleSha256(data)));
    }
  });

  it("equals noble on random inputs, subarrays with an offset, and long inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), fc.nat(40), (data, cut) => {
        expect(hex(sha256(data))).toBe(hex(nobleSha256(data)));
        const view = data.subarray(Math.min(cut, data.length));
        expect(hex(sha256(view))).toBe(hex(nobleSha256(view)));
      }),
      { numRuns: 300 },
    );
    const big = new Uint8Array(200_003).map((_, i) => (i * 31) & 0xff);
    expect(hex(sha256(big))).toBe(hex(nobleSha256(big)));
  });

  it("returns a fresh array each call: a later hash does not change an earlier digest", () => {
    const first = sha256(utf8("first"));
    const kept = hex(first);
    sha256(new Uint8Array(500));
    expect(hex(first)).toBe(kept);
    expect(sha256(utf8("x"))).not.toBe(sha256(utf8("x")));
  });
});

describe("shared/sha256 sha256Prefixed2", () => {
  it("equals sha256(prefix ‖ a ‖ b) for every word-aligned prefix up to 32 bytes", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 8 })
          .chain((words) => fc.uint8Array({ minLength: 4 * words, maxLength: 4 * words })),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (prefix, a, b) => {
          expect(hex(sha256Prefixed2(wordPrefix(prefix), a, b))).toBe(hex(nobleParts(prefix, a, b)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects prefixes it cannot hold and parts that are not 32 bytes", () => {
    expect(() => wordPrefix(new Uint8Array(3))).toThrow(RangeError);
    expect(() => wordPrefix(new Uint8Array(36))).toThrow(RangeError);
    const p = wordPrefix(new Uint8Array(20));
    expect(() => sha256Prefixed2(p, new Uint8Array(31), new Uint8Array(32))).toThrow(RangeError);
  });
});

describe("SMT hashes on the default SHA-256", () => {
  it("leaf, node and value hashes equal noble over the tagged inputs, for any part lengths", () => {
    const leafTag = domainTag("bitlayer/smt/leaf/v1");
    const nodeTag = domainTag("bitlayer/smt/node/v1");
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 40 }),
        (a, b, odd) => {
          expect(hex(leafHash(a, b))).toBe(hex(nobleParts(leafTag, a, b)));
          expect(hex(nodeHash(a, b))).toBe(hex(nobleParts(nodeTag, a, b)));
          expect(hex(valueHash(odd))).toBe(hex(nobleSha256(odd)));
          // Never produced by the tree, but the functions stay total: other lengths hash the same bytes.
          expect(hex(nodeHash(odd, b))).toBe(hex(nobleParts(nodeTag, odd, b)));
          expect(hex(hashTagged(nodeTag, a, odd))).toBe(hex(nobleParts(nodeTag, a, odd)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// The default backend through the same conformance suite as every installable backend (goldens included).
describeSha256BackendConformance(defaultSha256Backend, 200);
