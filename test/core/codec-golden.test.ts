import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { decode, encode } from "../../shared/codec/index.ts";
import { codecGoldenCases, codecGoldenFile, displayValue } from "../../scripts/gen-codec-golden.ts";
import golden from "../golden/codec-vectors.json";

describe("codec golden vectors (test/golden/codec-vectors.json)", () => {
  it("the committed file lists exactly the catalog of scripts/gen-codec-golden.ts, in order", () => {
    expect(golden.vectors.map((v) => v.name)).toEqual(codecGoldenCases.map((c) => c.name));
  });

  it("the committed file is byte-for-byte what the generator produces in this runtime", () => {
    expect(codecGoldenFile()).toEqual(golden);
  });

  for (const c of codecGoldenCases) {
    const vector = golden.vectors.find((v) => v.name === c.name);
    it(`encodes, decodes and describes: ${c.name}`, () => {
      expect(vector, "vector missing from the golden file: run scripts/gen-codec-golden.ts").toBeDefined();
      expect(c.codec.layout).toBe(vector!.layout);
      expect(displayValue(c.value)).toEqual(vector!.value);
      expect(toHex(encode(c.codec, c.value))).toBe(vector!.hex);
      expect(decode(c.codec, fromHex(vector!.hex))).toEqual(c.value);
    });
  }
});
