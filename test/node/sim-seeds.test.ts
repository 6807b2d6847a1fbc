/**
 * The CI run of the consensus simulator: 1,000 seeds with Byzantine
 * validators below a third of stake, drops, duplicates, partitions and
 * crash-restarts, then a healthy phase. Every checker must stay silent; a
 * failure names its seeds (replay one with `npm run simulate -- --seed S`).
 */
import { describe, expect, it } from "vitest";
import { runSeed } from "../../settlement-node/sim/simulator.ts";

const SEEDS_CI = 1000;

describe("consensus simulator, CI seeds", () => {
  it(`keeps agreement, validity, no honest double-sign, committed evidence and liveness over ${SEEDS_CI} seeds`, () => {
    const failures: string[] = [];
    let heights = 0;
    const seen = { crashes: 0, partitions: 0, byzantine: new Set<string>(), validators: new Set<number>() };
    for (let seed = 1; seed <= SEEDS_CI; seed++) {
      const r = runSeed(seed);
      heights += r.heightsCommitted;
      seen.crashes += r.crashes;
      seen.partitions += r.partitions;
      seen.validators.add(r.validators);
      for (const b of r.byzantine) seen.byzantine.add(b);
      for (const v of r.violations) failures.push(`seed ${seed} ${v.checker}: ${v.message}`);
    }
    expect(failures).toEqual([]);
    // The run really exercised what it claims to.
    expect(heights).toBeGreaterThan(SEEDS_CI * 3);
    expect(seen.crashes).toBeGreaterThan(SEEDS_CI / 2);
    expect(seen.partitions).toBeGreaterThan(SEEDS_CI / 2);
    expect([...seen.validators].sort()).toEqual([4, 5, 6, 7]);
    expect([...seen.byzantine].sort()).toEqual(["amnesia", "equivocate", "invalid", "silent"]);
  });
});
