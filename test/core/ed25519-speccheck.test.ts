import { describe, expect, it } from "vitest";
import speccheck from "../../../shared/vectors/ed25519-speccheck_cases.json";
import { fromHex } from "../../shared/bytes.ts";
import { verifyMany } from "../../shared/crypto/index.ts";
import { referenceVerify } from "../../shared/crypto/testing/reference.ts";

// "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko 2020): the answer
// depends on the policy. Ours (cofactorless, strict encodings, no small-order
// A or R, S < L) accepts only case 3 (mixed-order A and R, both equations hold).
const EXPECTED_PATTERN = "X X X V X X X X X X X X";

const cases = speccheck.map((v) => ({
  publicKey: fromHex(v.pub_key),
  message: fromHex(v.message),
  signature: fromHex(v.signature),
}));

const pattern = (results: readonly boolean[]) => results.map((r) => (r ? "V" : "X")).join(" ");

describe('"Taming the many EdDSAs" speccheck cases under the signature policy', () => {
  it(`gives the accept pattern ${EXPECTED_PATTERN}`, async () => {
    expect(cases.length).toBe(12);
    expect(pattern(await verifyMany(cases))).toBe(EXPECTED_PATTERN);
  });

  it("the pure-JS reference of the policy gives the same pattern", () => {
    expect(pattern(cases.map((c) => referenceVerify(c.publicKey, c.message, c.signature)))).toBe(
      EXPECTED_PATTERN,
    );
  });
});
