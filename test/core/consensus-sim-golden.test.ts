/**
 * Cross-runtime determinism of the consensus core and simulator: the trace
 * digests of seeds 1..20 (every decision and every node's final state) equal
 * the committed ones, in Node and in workerd alike.
 * Regenerate: npx node settlement-node/sim/gen-golden.ts
 */
import { describe, expect, it } from "vitest";
import { runSeed } from "../../settlement-node/sim/simulator.ts";
import golden from "../golden/consensus-sim-digests.json";

describe("simulator trace digests match test/golden/consensus-sim-digests.json", () => {
  for (const run of golden.runs.slice(0, 8)) {
    it(`seed ${run.seed} replays to the committed digest`, () => {
      const r = runSeed(run.seed);
      expect(r.violations).toEqual([]);
      expect({ digest: r.digest, heightsCommitted: r.heightsCommitted, events: r.events }).toEqual({
        digest: run.digest,
        heightsCommitted: run.heightsCommitted,
        events: run.events,
      });
    });
  }

  it("all twenty committed seeds replay to their digests", () => {
    const mismatched = golden.runs
      .filter((run) => runSeed(run.seed).digest !== run.digest)
      .map((run) => run.seed);
    expect(mismatched).toEqual([]);
  });
});
