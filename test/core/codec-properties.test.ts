/**
 * Properties of the canonical codec (docs/spec/encoding.md), in Node and workerd:
 * - every value round-trips: decode(encode(x)) deep-equals x;
 * - every byte string either decodes and re-encodes to exactly itself
 *   (one encoding per value) or is rejected with a CodecError, never another
 *   exception: random bytes and mutations of valid encodings;
 * - each primitive's layout matches an independent reference encoder.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bigintToBytesBE, concatBytes, toHex, utf8 } from "../../shared/bytes.ts";
import {
  array,
  bytes,
  type Codec,
  CodecError,
  decode,
  encode,
  string,
  u16,
  u32,
  u64,
  u128,
  varuint,
} from "../../shared/codec/index.ts";
import { innerSchema, richSchema, U64_MAX, U128_MAX, VARUINT_MAX } from "../../scripts/gen-codec-golden.ts";

const RUNS = 300;

/** Keeps whole code points while the UTF-8 length stays within maxBytes. */
function truncateUtf8(text: string, maxBytes: number): string {
  let out = "";
  let size = 0;
  for (const ch of text) {
    const n = utf8(ch).length;
    if (size + n > maxBytes) break;
    out += ch;
    size += n;
  }
  return out;
}

/** Arbitrary Unicode (every plane, no lone surrogates), sometimes with a leading BOM. */
const unicode = (maxBytes: number) =>
  fc
    .tuple(
      fc.boolean(),
      fc.oneof(
        fc.string({ unit: "binary", maxLength: maxBytes }),
        fc.string({ unit: "grapheme", maxLength: maxBytes }),
      ),
    )
    .map(([bom, text]) => truncateUtf8((bom ? "\uFEFF" : "") + text, maxBytes));

const edges = <T>(values: T[], arb: fc.Arbitrary<T>) => fc.oneof(fc.constantFrom(...values), arb);
const u64Arb = edges(
  [0n, 1n, (1n << 32n) - 1n, 1n << 32n, 1n << 63n, U64_MAX - 1n, U64_MAX],
  fc.bigInt(0n, U64_MAX),
);
const u128Arb = edges(
  [0n, 1n, U64_MAX, 1n << 64n, (1n << 64n) + 1n, 1n << 127n, U128_MAX - 1n, U128_MAX],
  fc.bigInt(0n, U128_MAX),
);
const varuintArb = edges([0, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, VARUINT_MAX], fc.nat());
const bytesArb = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

const innerArb = fc.record({ flag: fc.boolean(), small: fc.nat(255), id: bytesArb(4, 4) });
const actionArb = fc.oneof(
  fc.constant({ type: "noop" as const }),
  fc.record({ type: fc.constant("pay" as const), to: bytesArb(4, 4), amount: u128Arb }),
  fc.record({
    type: fc.constant("note" as const),
    text: unicode(16),
    refs: fc.array(fc.nat(VARUINT_MAX), { maxLength: 2 }),
  }),
);
const richArb = fc.record({
  a8: fc.nat(255),
  a16: fc.nat(0xffff),
  a32: edges([0, 0xffff_ffff], fc.nat(0xffff_ffff)),
  a64: u64Arb,
  a128: u128Arb,
  flag: fc.boolean(),
  count: varuintArb,
  hash: bytesArb(32, 32),
  blob: bytesArb(0, 64),
  text: unicode(48),
  labels: fc.array(unicode(8), { maxLength: 4 }),
  nested: fc.record({
    inner: innerArb,
    list: fc.array(innerArb, { maxLength: 3 }),
    maybe: fc.option(innerArb, { nil: null }),
  }),
  maybeAmount: fc.option(u128Arb, { nil: null }),
  kind: fc.constantFrom("alpha" as const, "beta" as const, "gamma" as const),
  action: actionArb,
  actions: fc.array(actionArb, { maxLength: 3 }),
  positive: fc.bigInt(1n, U64_MAX),
});

/** Schemas whose length prefix is the first byte(s), so prefix edits are exact. */
const prefixed = {
  bytes: { codec: bytes(64) as Codec<unknown>, arb: bytesArb(0, 64) as fc.Arbitrary<unknown> },
  string: { codec: string(48) as Codec<unknown>, arb: unicode(48) as fc.Arbitrary<unknown> },
  array: { codec: array(string(8), 4) as Codec<unknown>, arb: fc.array(unicode(8), { maxLength: 4 }) },
};
const schemas = [
  { name: "rich struct", codec: richSchema as Codec<unknown>, arb: richArb as fc.Arbitrary<unknown> },
  {
    name: "nested inner struct",
    codec: innerSchema as Codec<unknown>,
    arb: innerArb as fc.Arbitrary<unknown>,
  },
  ...Object.entries(prefixed).map(([name, s]) => ({ name, ...s })),
];

type Outcome = { decoded: number; rejected: number };

/** The canonicity law for one input: exact re-encoding, or a CodecError and nothing else. */
function checkCanonicalOrRejected(codec: Codec<unknown>, input: Uint8Array, tally: Outcome): void {
  let value: unknown;
  try {
    value = decode(codec, input);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    expect(error.code).toBeGreaterThanOrEqual(1);
    tally.rejected++;
    return;
  }
  tally.decoded++;
  expect(toHex(encode(codec, value))).toBe(toHex(input));
}

type Mutation =
  | { kind: "truncate"; at: number }
  | { kind: "extend"; tail: Uint8Array }
  | { kind: "flip"; at: number; mask: number }
  | { kind: "set"; at: number; byte: number }
  | { kind: "insert"; at: number; byte: number }
  | { kind: "delete"; at: number };

// Boundary bytes: varuint continuation, bool/option/tag limits, ±1 edits land near them.
const interestingByte = fc.constantFrom(0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("extend" as const), tail: bytesArb(1, 8) }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    byte: fc.oneof(interestingByte, fc.nat(255)),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    byte: fc.oneof(interestingByte, fc.nat(255)),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
);

function mutate(valid: Uint8Array, m: Mutation): Uint8Array {
  const at = valid.length === 0 ? 0 : ("at" in m ? m.at : 0) % valid.length;
  switch (m.kind) {
    case "truncate":
      return valid.slice(0, valid.length === 0 ? 0 : at);
    case "extend":
      return concatBytes(valid, m.tail);
    case "flip": {
      const out = valid.slice();
      if (out.length > 0) out[at]! ^= m.mask;
      return out;
    }
    case "set": {
      const out = valid.slice();
      if (out.length > 0) out[at] = m.byte;
      return out;
    }
    case "insert":
      return concatBytes(valid.subarray(0, at), Uint8Array.of(m.byte), valid.subarray(at));
    case "delete":
      return concatBytes(valid.subarray(0, at), valid.subarray(at + 1));
  }
}

describe("codec round trip: decode(encode(x)) deep-equals x", () => {
  for (const s of schemas) {
    it(`holds for arbitrary values of the ${s.name} schema`, () => {
      fc.assert(
        fc.property(s.arb, (value) => {
          const encoded = encode(s.codec, value);
          expect(decode(s.codec, encoded)).toEqual(value);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("keeps a leading byte-order mark and arbitrary code points in strings", () => {
    const codec = string(64);
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 15 }), (tail) => {
        const text = `\uFEFF${tail}`;
        const encoded = encode(codec, text);
        expect(encoded.subarray(0, 4)).toEqual(
          concatBytes(encode(varuint, encoded.length - 1), utf8("\uFEFF")),
        );
        expect(decode(codec, encoded)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("codec canonicity: a byte string decodes to a value that re-encodes to itself, or is a CodecError", () => {
  for (const s of schemas) {
    it(`holds for random byte strings against the ${s.name} schema`, () => {
      const tally = { decoded: 0, rejected: 0 };
      fc.assert(
        fc.property(bytesArb(0, 96), (input) => checkCanonicalOrRejected(s.codec, input, tally)),
        { numRuns: RUNS },
      );
      expect(tally.rejected).toBeGreaterThan(0);
    });

    it(`holds for truncated, extended, flipped, set, inserted and deleted bytes of valid ${s.name} encodings`, () => {
      const tally = { decoded: 0, rejected: 0 };
      fc.assert(
        fc.property(s.arb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (value, mutations) => {
          const input = mutations.reduce(mutate, encode(s.codec, value));
          checkCanonicalOrRejected(s.codec, input, tally);
        }),
        { numRuns: RUNS },
      );
      // Not vacuous: some mutations still decode (e.g. flips inside integers), most do not.
      expect(tally.decoded).toBeGreaterThan(0);
      expect(tally.rejected).toBeGreaterThan(0);
    });
  }

  for (const [name, s] of Object.entries(prefixed)) {
    it(`holds when the length prefix of a valid ${name} encoding is rewritten (other lengths, non-minimal forms)`, () => {
      const tally = { decoded: 0, rejected: 0 };
      const prefixArb = fc.oneof(
        varuintArb.map((n) => encode(varuint, n)),
        // A minimal varint padded with continuation bytes: the same number, not canonical.
        fc
          .tuple(fc.nat(127), fc.integer({ min: 1, max: 4 }))
          .map(([n, pad]) =>
            Uint8Array.from([...Array.from({ length: pad }, (_, i) => (i === 0 ? n | 0x80 : 0x80)), 0x00]),
          ),
        bytesArb(1, 6),
      );
      fc.assert(
        fc.property(s.arb, prefixArb, (value, prefix) => {
          const valid = encode(s.codec, value);
          const prefixLength = encode(varuint, decodePrefix(valid)).length;
          checkCanonicalOrRejected(s.codec, concatBytes(prefix, valid.subarray(prefixLength)), tally);
        }),
        { numRuns: RUNS },
      );
      expect(tally.rejected).toBeGreaterThan(0);
    });
  }
});

/** Reads the leading varuint of a valid encoding (its length or count). */
function decodePrefix(encoded: Uint8Array): number {
  for (let i = 1; i <= 5; i++) {
    try {
      return decode(varuint, encoded.subarray(0, i));
    } catch {}
  }
  throw new Error("no varuint prefix");
}

/** Unsigned LEB128 over bigint, written from the definition (an independent reference). */
function referenceLeb128(value: number): Uint8Array {
  const out: number[] = [];
  let x = BigInt(value);
  do {
    const low = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x === 0n ? low : low | 0x80);
  } while (x !== 0n);
  return Uint8Array.from(out);
}

describe("codec primitive layouts agree with independent reference encoders", () => {
  it("varuint is minimal unsigned LEB128 of at most 5 bytes", () => {
    fc.assert(
      fc.property(varuintArb, (n) => {
        const encoded = encode(varuint, n);
        expect(toHex(encoded)).toBe(toHex(referenceLeb128(n)));
        expect(encoded.length).toBeLessThanOrEqual(5);
      }),
      { numRuns: RUNS },
    );
  });

  it("u16, u32, u64 and u128 are fixed-width big-endian", () => {
    fc.assert(
      fc.property(fc.nat(0xffff), fc.nat(0xffff_ffff), u64Arb, u128Arb, (a, b, c, d) => {
        expect(encode(u16, a)).toEqual(bigintToBytesBE(BigInt(a), 2));
        expect(encode(u32, b)).toEqual(bigintToBytesBE(BigInt(b), 4));
        expect(encode(u64, c)).toEqual(bigintToBytesBE(c, 8));
        expect(encode(u128, d)).toEqual(bigintToBytesBE(d, 16));
      }),
      { numRuns: RUNS },
    );
  });

  it("bytes and string are a minimal varuint byte length followed by the raw bytes", () => {
    fc.assert(
      fc.property(bytesArb(0, 200), unicode(200), (b, text) => {
        expect(encode(bytes(200), b)).toEqual(concatBytes(referenceLeb128(b.length), b));
        const raw = new TextEncoder().encode(text);
        expect(encode(string(200), text)).toEqual(concatBytes(referenceLeb128(raw.length), raw));
      }),
      { numRuns: RUNS },
    );
  });
});
