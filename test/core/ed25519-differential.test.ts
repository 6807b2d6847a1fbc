import { beforeAll, describe, expect, it } from "vitest";
import golden from "../golden/ed25519-differential.json";
import {
  DIFFERENTIAL_CASE_COUNT,
  DIFFERENTIAL_SEED,
  type DifferentialCase,
  describeCase,
  differentialCases,
  referenceSubsetIndexes,
  summarize,
  verifyCases,
} from "../../shared/crypto/testing/differential.ts";
import { referenceVerify } from "../../shared/crypto/testing/reference.ts";

// Regenerate the golden with: node scripts/gen-ed25519-golden.ts
describe("differential set of 100,000 seeded cases (valid signatures and every mutation the policy rules on)", () => {
  let cases: DifferentialCase[] = [];
  let results: boolean[] = [];

  beforeAll(async () => {
    cases = differentialCases(DIFFERENTIAL_SEED, DIFFERENTIAL_CASE_COUNT);
    results = await verifyCases(cases);
  });

  it("gives the same result bits in this runtime as the committed golden digest", () => {
    const summary = summarize(DIFFERENTIAL_SEED, cases, results);
    expect(golden.seed).toBe(DIFFERENTIAL_SEED);
    // Per-kind counts first: on a mismatch they show which rule diverged.
    expect(summary.byKind).toEqual(golden.byKind);
    expect(summary.accepted).toBe(golden.accepted);
    expect(summary.digest).toBe(golden.digest);
  });

  it("mixes accepting and rejecting cases, including mixed-order keys on both sides of the cofactorless rule", () => {
    expect(results.length).toBe(DIFFERENTIAL_CASE_COUNT);
    const accepted = results.filter(Boolean).length;
    expect(accepted).toBeGreaterThan(DIFFERENTIAL_CASE_COUNT / 20);
    expect(accepted).toBeLessThan(DIFFERENTIAL_CASE_COUNT / 2);
    const mixedKey = cases.flatMap((c, i) =>
      c.base === "mixed-order-key" && c.kind === "unchanged" ? [results[i]] : [],
    );
    expect(mixedKey.some((r) => r)).toBe(true);
    expect(mixedKey.some((r) => !r)).toBe(true);
  });

  it("agrees with the independent pure-JS reference of the policy on every 50th case (2,000 cases)", () => {
    const indexes = referenceSubsetIndexes(cases.length);
    expect(indexes.length).toBe(2000);
    const mismatches = indexes
      .filter((i) => {
        const c = cases[i]!;
        return referenceVerify(c.publicKey, c.message, c.signature) !== results[i];
      })
      .map((i) => `#${i} got ${results[i]}: ${describeCase(cases[i]!)}`);
    expect(mismatches).toEqual([]);
    // The subset covers accepting cases too, so agreement is not just "both say false".
    expect(indexes.filter((i) => results[i]).length).toBeGreaterThan(100);
  });
});
