/**
 * Negative control: with Byzantine validators holding at least a third of
 * stake (equivocating proposers and double votes across a partition), the
 * agreement checker must find a fork within a bounded number of seeds. If it
 * does not, the checker or the simulator's adversary is suspect.
 */
import { describe, expect, it } from "vitest";
import { runSeed } from "../../settlement-node/sim/simulator.ts";

const SEEDS_MAX = 20;

describe("consensus simulator, negative control", () => {
  it(`finds an agreement violation within ${SEEDS_MAX} seeds when Byzantine stake is >= 1/3`, () => {
    const forks: number[] = [];
    for (let seed = 1; seed <= SEEDS_MAX && forks.length === 0; seed++) {
      const r = runSeed(seed, "safety-control");
      if (r.violations.some((v) => v.checker === "agreement")) forks.push(seed);
    }
    expect(forks.length).toBe(1);
  });

  it("finds forks in most seeds, not by accident in one", () => {
    let forked = 0;
    for (let seed = 1; seed <= SEEDS_MAX; seed++)
      if (runSeed(seed, "safety-control").violations.some((v) => v.checker === "agreement")) forked++;
    expect(forked).toBeGreaterThanOrEqual(SEEDS_MAX / 2);
  });

  it("a failing seed replays exactly: same fork, same violations, same digest", () => {
    const seed = Array.from({ length: SEEDS_MAX }, (_, i) => i + 1).find((s) =>
      runSeed(s, "safety-control").violations.some((v) => v.checker === "agreement"),
    )!;
    const first = runSeed(seed, "safety-control");
    const again = runSeed(seed, "safety-control");
    expect(again.violations).toEqual(first.violations);
    expect(again.digest).toBe(first.digest);
  });
});
