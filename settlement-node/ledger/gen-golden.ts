/** Writes test/golden/ledger-app-hashes.json from goldenRun(). Run: node_modules/.bin/tsx settlement-node/ledger/gen-golden.ts */
import { writeFileSync } from "node:fs";
import { goldenRun } from "./golden.ts";

writeFileSync(
  new URL("../../test/golden/ledger-app-hashes.json", import.meta.url),
  `${JSON.stringify(goldenRun(), null, 2)}\n`,
);
