import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import {
  domainTag,
  hashTagged,
  defaultSha256Backend,
  getSha256Backend,
  nobleSha256Backend,
  type Sha256Backend,
  setSha256Backend,
} from "../../shared/hash.ts";
import { describeSha256BackendConformance } from "./smt-hash-backend-conformance.ts";

// A "native" backend made of noble one-shot calls: it runs the native code
// paths of shared/hash.ts and shared/smt/hashing.ts (one reused buffer) in both runtimes.
const oneShotNoble: Sha256Backend = {
  name: "one-shot noble (native code path)",
  sha256: (d) => nobleSha256(d),
};

describeSha256BackendConformance(oneShotNoble, 200);

describe("setSha256Backend", () => {
  afterEach(() => setSha256Backend(null));

  it("installs a backend and goes back to the default (shared/sha256) with null", () => {
    expect(getSha256Backend()).toBe(defaultSha256Backend);
    setSha256Backend(oneShotNoble);
    expect(getSha256Backend()).toBe(oneShotNoble);
    setSha256Backend(null);
    expect(getSha256Backend()).toBe(defaultSha256Backend);
    setSha256Backend(nobleSha256Backend);
    expect(getSha256Backend()).toBe(nobleSha256Backend);
    setSha256Backend(defaultSha256Backend);
    expect(getSha256Backend()).toBe(defaultSha256Backend);
  });
});

describe("hashTagged with domain tags (default backend)", () => {
  it("equals sha256(tag ‖ parts) for interleaved tags and arbitrary parts", () => {
    const names = ["bitlayer/test/a/v1", "bitlayer/test/b/v1", "bitlayer/state/balance"];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(...names), fc.array(fc.uint8Array({ maxLength: 90 }), { maxLength: 4 })),
          {
            maxLength: 8,
          },
        ),
        (calls) => {
          for (const [name, parts] of calls) {
            const h = nobleSha256.create().update(domainTag(name));
            for (const p of parts) h.update(p);
            expect(toHex(hashTagged(domainTag(name), ...parts))).toBe(toHex(h.digest()));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
