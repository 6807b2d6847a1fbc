import { describe, expect, it } from "vitest";
import wycheproof from "../../../shared/vectors/wycheproof_ed25519_test.json";
import { fromHex } from "../../shared/bytes.ts";
import { verifyMany } from "../../shared/crypto/index.ts";
import { referenceVerify } from "../../shared/crypto/testing/reference.ts";

const cases = wycheproof.testGroups.flatMap((group) =>
  group.tests.map((t) => ({
    tcId: t.tcId,
    comment: t.comment,
    expected: t.result === "valid",
    publicKey: fromHex(group.publicKey.pk),
    message: fromHex(t.msg),
    signature: fromHex(t.sig),
  })),
);

describe("Wycheproof ed25519_test.json under the signature policy", () => {
  it("holds all 151 cases", () => {
    expect(cases.length).toBe(151);
    expect(cases.length).toBe(wycheproof.numberOfTests);
  });

  it("gives the expected result on every case (151/151)", async () => {
    const results = await verifyMany(cases);
    const mismatches = cases
      .filter((c, i) => results[i] !== c.expected)
      .map((c) => `tcId ${c.tcId} (${c.comment}): expected ${c.expected}`);
    expect(mismatches).toEqual([]);
    // Both outcomes occur, so a verifier stuck on one answer cannot pass.
    expect(results.filter(Boolean).length).toBe(cases.filter((c) => c.expected).length);
    expect(results.filter(Boolean).length).toBeGreaterThan(0);
    expect(results.filter((r) => !r).length).toBeGreaterThan(0);
  });

  it("agrees with the pure-JS reference of the policy on every case", () => {
    const mismatches = cases
      .filter((c) => referenceVerify(c.publicKey, c.message, c.signature) !== c.expected)
      .map((c) => c.tcId);
    expect(mismatches).toEqual([]);
  });
});
