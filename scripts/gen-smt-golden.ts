/**
 * Regenerates test/golden/smt-roots.json: committed roots and proof
 * encodings of the sparse Merkle tree, checked in Node and workerd by
 * test/core/smt-golden.test.ts. Run: npx tsx scripts/gen-smt-golden.ts
 * A changed output means a consensus change: bump the domain tags' version.
 */
import { writeFileSync } from "node:fs";
import { bigintToBytesBE, toHex, utf8 } from "../shared/bytes.ts";
import {
  encodeSmtMultiproof,
  encodeSmtProof,
  MemoryNodeStore,
  SparseMerkleTree,
} from "../shared/smt/index.ts";
import { stateKey } from "../shared/state.ts";

type HexWrite = { key: string; value: string | null };

const key = (i: number) => stateKey("golden", bigintToBytesBE(BigInt(i), 4));
const write = (k: Uint8Array, value: string | null): HexWrite => ({
  key: toHex(k),
  value: value === null ? null : toHex(utf8(value)),
});
const deepBase = key(1000);
const flipLastBit = (k: Uint8Array) => {
  const out = k.slice();
  out[31]! ^= 1;
  return out;
};

const cases: { name: string; batches: HexWrite[][] }[] = [
  { name: "empty tree", batches: [] },
  { name: "one key", batches: [[write(key(1), "a")]] },
  {
    name: "sixteen keys in one batch",
    batches: [Array.from({ length: 16 }, (_, i) => write(key(i), `v${i}`))],
  },
  {
    name: "sixteen keys, then updates, deletes and a re-insert",
    batches: [
      Array.from({ length: 16 }, (_, i) => write(key(i), `v${i}`)),
      [write(key(3), "three"), write(key(4), null), write(key(5), null), write(key(99), "new")],
      [write(key(4), "v4"), write(key(99), null), write(key(3), null), write(key(3), "last write wins")],
    ],
  },
  {
    name: "two keys differing only in bit 255, beside a third",
    batches: [[write(deepBase, "x"), write(flipLastBit(deepBase), "y"), write(key(1001), "z")]],
  },
];

function run(batches: HexWrite[][]): SparseMerkleTree {
  const tree = new SparseMerkleTree(new MemoryNodeStore());
  for (const batch of batches) {
    tree.update(
      batch.map((w) => ({
        key: Uint8Array.from(Buffer.from(w.key, "hex")),
        value: w.value === null ? null : Uint8Array.from(Buffer.from(w.value, "hex")),
      })),
    );
  }
  return tree;
}

const sixteen = run(cases[2]!.batches);
const proofs = [
  { name: "inclusion of key 3", key: key(3), value: toHex(utf8("v3")) },
  { name: "exclusion of key 99", key: key(99), value: null },
].map((p) => ({
  name: p.name,
  root: toHex(sixteen.root),
  key: toHex(p.key),
  value: p.value,
  proof: toHex(encodeSmtProof(sixteen.prove(p.key))),
}));
const multiKeys = [key(1), key(5), key(99)];
const multiproof = {
  name: "keys 1, 5 and 99 (absent)",
  root: toHex(sixteen.root),
  entries: multiKeys.map((k, i) => ({
    key: toHex(k),
    value: i === 2 ? null : toHex(utf8(i === 0 ? "v1" : "v5")),
  })),
  proof: toHex(encodeSmtMultiproof(sixteen.proveMany(multiKeys))),
};

const out = {
  description:
    "Sparse Merkle tree golden vectors (docs/spec/merkle.md); regenerate with scripts/gen-smt-golden.ts",
  roots: cases.map((c) => ({ ...c, root: toHex(run(c.batches).root) })),
  proofs,
  multiproof,
};
writeFileSync(new URL("../test/golden/smt-roots.json", import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${out.roots.length} roots, ${proofs.length} proofs and a multiproof`);
