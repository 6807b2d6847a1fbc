/**
 * What every native SHA-256 backend must prove (shared/hash.ts
 * setSha256Backend): the same digests as @noble/hashes on arbitrary inputs,
 * and, installed, the committed SMT and STF golden digests unchanged. Run by
 * test/core (a noble-backed stand-in, both runtimes), test/node (node:crypto)
 * and test/workerd (workerd's node:crypto).
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { hashTagged, type Sha256Backend, setSha256Backend, sha256 } from "../../shared/hash.ts";
import { leafHash, nodeHash, valueHash } from "../../shared/smt/hashing.ts";
import { MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import { DETERMINISM_RUN, runWorkload } from "../../shared/stf/workload.ts";
import smtGolden from "../golden/smt-roots.json";
import stfGolden from "../golden/stf-determinism.json";

function nobleTagged(tag: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  h.update(tag);
  for (const p of parts) h.update(p);
  return h.digest();
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

export function describeSha256BackendConformance(backend: Sha256Backend, runs = 300): void {
  describe(`SHA-256 backend ${backend.name}`, () => {
    it("digests arbitrary inputs exactly like @noble/hashes, as fresh plain 32-byte arrays", () => {
      fc.assert(
        fc.property(bytes(300), (data) => {
          const d = backend.sha256(data);
          expect(d.constructor).toBe(Uint8Array);
          expect(d.length).toBe(32);
          expect(toHex(d)).toBe(toHex(nobleSha256(data)));
        }),
        { numRuns: runs },
      );
    });

    describe("installed process-wide", () => {
      beforeAll(() => setSha256Backend(backend));
      afterAll(() => setSha256Backend(null));

      it("gives the same sha256, hashTagged and SMT leaf/node/value hashes as noble", () => {
        fc.assert(
          fc.property(bytes(40), fc.array(bytes(100), { maxLength: 5 }), (tag, parts) => {
            expect(toHex(sha256(tag))).toBe(toHex(nobleSha256(tag)));
            expect(toHex(hashTagged(tag, ...parts))).toBe(toHex(nobleTagged(tag, ...parts)));
          }),
          { numRuns: runs },
        );
        fc.assert(
          fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), bytes(64), (key, value) => {
            const enc = new TextEncoder();
            const vh = valueHash(value);
            expect(toHex(vh)).toBe(toHex(nobleSha256(value)));
            expect(toHex(leafHash(key, vh))).toBe(
              toHex(nobleTagged(enc.encode("bitlayer/smt/leaf/v1"), key, vh)),
            );
            expect(toHex(nodeHash(key, vh))).toBe(
              toHex(nobleTagged(enc.encode("bitlayer/smt/node/v1"), key, vh)),
            );
          }),
          { numRuns: runs },
        );
      });

      it("returns digests that callers may keep: a later hash does not change an earlier one", () => {
        const first = hashTagged(new Uint8Array([1]), new Uint8Array(500));
        const copy = toHex(first);
        hashTagged(new Uint8Array([2]), new Uint8Array(700));
        expect(toHex(first)).toBe(copy);
      });

      it("reproduces every committed SMT golden root (test/golden/smt-roots.json)", () => {
        for (const c of smtGolden.roots) {
          const tree = new SparseMerkleTree(new MemoryNodeStore());
          for (const batch of c.batches)
            tree.update(
              batch.map((w) => ({ key: fromHex(w.key), value: w.value === null ? null : fromHex(w.value) })),
            );
          expect(toHex(tree.root), c.name).toBe(c.root);
        }
      });

      it("reproduces the STF determinism golden (test/golden/stf-determinism.json)", () => {
        const tree = new SparseMerkleTree(new MemoryNodeStore());
        const run = runWorkload(DETERMINISM_RUN.options, DETERMINISM_RUN.blocks, tree, (writes) =>
          tree.update(writes),
        );
        expect(run.statusCounts).toEqual(stfGolden.statusCounts);
        expect(toHex(run.finalRoot)).toBe(stfGolden.finalRoot);
        expect(toHex(run.digest)).toBe(stfGolden.digest);
      });
    });
  });
}
