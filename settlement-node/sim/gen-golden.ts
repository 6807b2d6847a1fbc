/**
 * Regenerates test/golden/consensus-sim-digests.json: the trace digests of
 * simulator seeds 1..20, which test/core/consensus-sim-golden.test.ts
 * recomputes in Node and in workerd. Equal digests in both runtimes prove the
 * core and the simulator deterministic across runtimes.
 * Run: npx node settlement-node/sim/gen-golden.ts
 * A changed digest means changed consensus behaviour: review before committing.
 */
import { writeFileSync } from "node:fs";
import { runSeed } from "./simulator.ts";

const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
const runs = seeds.map((seed) => {
  const r = runSeed(seed);
  return { seed, digest: r.digest, heightsCommitted: r.heightsCommitted, events: r.events };
});
const file = new URL("../../test/golden/consensus-sim-digests.json", import.meta.url);
writeFileSync(file, `${JSON.stringify({ generator: "settlement-node/sim/gen-golden.ts", runs }, null, 2)}\n`);
console.log(`wrote ${runs.length} digests to ${file.pathname}`);
