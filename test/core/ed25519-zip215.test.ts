import { describe, expect, it } from "vitest";
import zip215 from "../../../shared/vectors/zip215_noble-curves.json";
import { fromHex, utf8 } from "../../shared/bytes.ts";
import { verifyMany } from "../../shared/crypto/index.ts";
import { referenceVerify } from "../../shared/crypto/testing/reference.ts";

const MESSAGE = utf8("Zcash");
const cases = zip215.map((v) => ({
  publicKey: fromHex(v.vk_bytes),
  message: MESSAGE,
  signature: fromHex(v.sig_bytes),
  validZip215: v.valid_zip215,
}));

describe("ZIP-215 edge cases (noble-curves zip215.json) under the signature policy", () => {
  it("holds 196 cases, most of which ZIP-215 itself accepts", () => {
    expect(cases.length).toBe(196);
    expect(cases.filter((c) => c.validZip215).length).toBeGreaterThan(0);
  });

  it("accepts none of them (0/196): all use small-order or non-canonical points", async () => {
    const results = await verifyMany(cases);
    expect(results.length).toBe(196);
    expect(results.filter(Boolean).length).toBe(0);
  });

  it("the pure-JS reference of the policy also accepts none", () => {
    expect(cases.filter((c) => referenceVerify(c.publicKey, c.message, c.signature)).length).toBe(0);
  });
});
