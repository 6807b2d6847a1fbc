/**
 * Bytes32Map (shared/bytes32-map.ts) behaves as a Map keyed by the bytes'
 * hex: random sequences of set/delete/get/has over key pools where many keys
 * share their first four bytes (the map's index), so probe runs, wrap-around
 * and backward-shift deletion are all exercised.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { Bytes32Map } from "../../shared/bytes32-map.ts";

// Keys: a few 4-byte prefixes (colliding index) × a few tails, plus prefixes near the top of the index range.
const prefixArb = fc.constantFrom(
  [0, 0, 0, 0],
  [0, 0, 0, 1],
  [0xff, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0xfe],
  [0x12, 0x34, 0x56, 0x78],
  [0x80, 0, 0, 0],
);
const keyArb = fc
  .tuple(prefixArb, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 255 }))
  .map(([prefix, tail, last]) => {
    const k = new Uint8Array(32);
    k.set(prefix, 0);
    k[4] = tail;
    k[31] = last % 3;
    return k;
  });
const opArb = fc.oneof(
  fc.tuple(fc.constant("set" as const), keyArb, fc.integer()),
  fc.tuple(fc.constant("delete" as const), keyArb, fc.constant(0)),
  fc.tuple(fc.constant("get" as const), keyArb, fc.constant(0)),
);

describe("Bytes32Map", () => {
  it("agrees with a Map after every operation of random sequences", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), fc.constantFrom(1, 4, 64), (ops, initial) => {
        const map = new Bytes32Map<number>(initial);
        const model = new Map<string, number>();
        for (const [op, key, value] of ops) {
          const id = toHex(key);
          if (op === "set") {
            map.set(key, value);
            model.set(id, value);
          } else if (op === "delete") {
            expect(map.delete(key)).toBe(model.delete(id));
          }
          expect(map.get(key)).toBe(model.get(id));
          expect(map.has(key)).toBe(model.has(id));
          expect(map.size).toBe(model.size);
        }
        const seen = new Map<string, number>();
        map.forEach((v, k) => {
          seen.set(toHex(k), v);
        });
        expect(seen).toEqual(model);
        for (const [id, v] of model) expect(map.get(fromHex(id))).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it("copies keys on insert, rejects keys that are not 32 bytes, and clears", () => {
    const map = new Bytes32Map<string>();
    const key = new Uint8Array(32).fill(7);
    map.set(key, "a");
    key[9] = 1; // the caller reuses its array
    expect(map.get(new Uint8Array(32).fill(7))).toBe("a");
    expect(map.get(key)).toBeUndefined();
    expect(() => map.get(new Uint8Array(31))).toThrow(RangeError);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get(new Uint8Array(32).fill(7))).toBeUndefined();
  });
});
