import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import { DETERMINISM_RUN, runWorkload } from "../../shared/stf/workload.ts";
import golden from "../golden/stf-determinism.json";

describe("lane STF determinism", () => {
  it("reproduces the golden receipts and sparse Merkle state roots of 10,100 seeded mixed transactions", () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore());
    const run = runWorkload(DETERMINISM_RUN.options, DETERMINISM_RUN.blocks, tree, (writes) =>
      tree.update(writes),
    );
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
