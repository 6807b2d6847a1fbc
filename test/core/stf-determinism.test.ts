import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { MemoryState } from "../../shared/stf/index.ts";
import { DETERMINISM_RUN, runWorkload } from "../../shared/stf/workload.ts";
import golden from "../golden/stf-determinism.json";

describe("lane STF determinism", () => {
  it("reproduces the golden receipts and state roots of 10,100 seeded mixed transactions", () => {
    const state = new MemoryState();
    const run = runWorkload(DETERMINISM_RUN.options, DETERMINISM_RUN.blocks, state, (writes) => {
      state.apply(writes);
      return state.digest();
    });
    expect(run.txCount).toBeGreaterThanOrEqual(10_000);
    expect(golden.options).toEqual(DETERMINISM_RUN.options);
    expect(run.statusCounts).toEqual(golden.statusCounts);
    expect(toHex(run.finalRoot)).toBe(golden.finalRoot);
    expect(toHex(run.digest)).toBe(golden.digest);
  });

  it("mixes valid and invalid transactions", () => {
    const codes = Object.keys(golden.statusCounts);
    expect(golden.statusCounts.Ok).toBeGreaterThan(golden.txCount / 4);
    expect(codes.length).toBeGreaterThan(15);
  });
});
