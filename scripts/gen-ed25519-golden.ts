/**
 * Regenerates test/golden/ed25519-differential.json: the digest of the
 * policy's answers on the differential set (shared/crypto/testing/differential.ts),
 * which test/core/ed25519-differential.test.ts checks in Node and workerd.
 * Run: node scripts/gen-ed25519-golden.ts (Node 22 from node_modules/.bin).
 *
 * Before writing, it cross-checks: the node:crypto backend must agree with
 * WebCrypto on every case, and the pure-JS reference on every 50th case. A
 * changed digest is a change of consensus rules: say so in the commit.
 */
import { writeFileSync } from "node:fs";
import { createSignatureVerifier, webCryptoVerifier } from "../shared/crypto/index.ts";
import {
  DIFFERENTIAL_CASE_COUNT,
  DIFFERENTIAL_SEED,
  describeCase,
  differentialCases,
  referenceSubsetIndexes,
  summarize,
  verifyCases,
} from "../shared/crypto/testing/differential.ts";
import { referenceVerify } from "../shared/crypto/testing/reference.ts";
import { nodeCryptoVerifier } from "../settlement-node/crypto/node-verifier.ts";

const OUT = new URL("../test/golden/ed25519-differential.json", import.meta.url);

const cases = differentialCases(DIFFERENTIAL_SEED, DIFFERENTIAL_CASE_COUNT);

const viaWebCrypto = await verifyCases(cases, createSignatureVerifier(webCryptoVerifier).verifyMany);
const viaNodeCrypto = await verifyCases(cases, createSignatureVerifier(nodeCryptoVerifier).verifyMany);

const problems: string[] = [];
cases.forEach((c, i) => {
  if (viaWebCrypto[i] !== viaNodeCrypto[i]) {
    problems.push(`#${i} webcrypto=${viaWebCrypto[i]} node:crypto=${viaNodeCrypto[i]} ${describeCase(c)}`);
  }
});
for (const i of referenceSubsetIndexes(cases.length)) {
  const c = cases[i]!;
  const expected = referenceVerify(c.publicKey, c.message, c.signature);
  if (viaWebCrypto[i] !== expected) {
    problems.push(`#${i} webcrypto=${viaWebCrypto[i]} reference=${expected} ${describeCase(c)}`);
  }
}
if (problems.length > 0) {
  console.error(`Refusing to write the golden file: ${problems.length} disagreements.`);
  for (const p of problems.slice(0, 20)) console.error(p);
  process.exit(1);
}

const summary = summarize(DIFFERENTIAL_SEED, cases, viaWebCrypto);
// One line per kind, so a diff of the golden file shows which kinds changed.
const byKindLines = Object.entries(summary.byKind).map(
  ([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
);
const text = [
  "{",
  `  "seed": ${summary.seed},`,
  `  "count": ${summary.count},`,
  `  "digest": ${JSON.stringify(summary.digest)},`,
  `  "accepted": ${summary.accepted},`,
  `  "byKind": {\n${byKindLines.join(",\n")}\n  }`,
  "}",
].join("\n");
writeFileSync(OUT, `${text}\n`);
console.log(`wrote ${OUT.pathname}: ${summary.accepted}/${summary.count} accepted, digest ${summary.digest}`);
