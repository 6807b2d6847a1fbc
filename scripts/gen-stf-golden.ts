/**
 * Regenerates test/golden/stf-determinism.json: the digest of every receipt
 * and state root of a seeded run of the lane STF (run in Node; the test in
 * test/core checks that Node and workerd both reproduce it).
 *
 *   npx tsx scripts/gen-stf-golden.ts
 */
import { writeFileSync } from "node:fs";
import { toHex } from "../shared/bytes.ts";
import { MemoryNodeStore, SparseMerkleTree } from "../shared/smt/index.ts";
import { DETERMINISM_RUN, runWorkload } from "../shared/stf/workload.ts";

const tree = new SparseMerkleTree(new MemoryNodeStore());
const run = runWorkload(DETERMINISM_RUN.options, DETERMINISM_RUN.blocks, tree, (writes) =>
  tree.update(writes),
);
const golden = {
  description:
    "Lane STF determinism proof: seeded mixed valid/invalid transactions; see scripts/gen-stf-golden.ts",
  root: "shared/smt SparseMerkleTree root after each block",
  options: DETERMINISM_RUN.options,
  blocks: run.blocks,
  txCount: run.txCount,
  depositCount: run.depositCount,
  statusCounts: run.statusCounts,
  digest: toHex(run.digest),
  finalRoot: toHex(run.finalRoot),
};
const path = new URL("../test/golden/stf-determinism.json", import.meta.url);
writeFileSync(path, `${JSON.stringify(golden, null, 2)}\n`);
console.log(`wrote ${path.pathname}: ${run.txCount} txs, digest ${golden.digest}`);
