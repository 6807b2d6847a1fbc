/**
 * Hex in every runtime: workerd has ES2026's native Uint8Array.fromHex and
 * toHex, which shared/bytes.ts uses when present, Node 22 has not. Both paths
 * must give the same text, the same bytes and the same errors.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BytesError, fromHex, toHex } from "../../shared/bytes.ts";

const referenceHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("hex", () => {
  it("toHex is lowercase, two digits a byte; fromHex inverts it in either case", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const hex = toHex(bytes);
        expect(hex).toBe(referenceHex(bytes));
        expect(fromHex(hex)).toEqual(bytes);
        expect(fromHex(hex.toUpperCase())).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("toHex of a view covers only the view", () => {
    const buffer = Uint8Array.of(1, 2, 3, 4, 5);
    expect(toHex(buffer.subarray(1, 3))).toBe("0203");
  });

  it.each([
    ["abc", "Hex string has odd length 3."],
    ["0g", "Invalid hex character near offset 0."],
    ["00 1", "Invalid hex character near offset 2."],
    ["0x00", "Invalid hex character near offset 0."],
    ["00é0", "Invalid hex character near offset 2."],
  ])("fromHex(%j) is a BytesError: %s", (input, message) => {
    let caught: unknown;
    try {
      fromHex(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BytesError);
    expect((caught as Error).message).toBe(message);
  });
});
