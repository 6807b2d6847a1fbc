/**
 * Node-only signature benchmarks: the settlement node's node:crypto backend,
 * raw (KeyObject built once, synchronous crypto.verify) and through the
 * policy (a verifier instance of its own, so the process-wide backend that
 * other cases measure is untouched). Compare with crypto/verify/native
 * (WebCrypto) in the same run.
 */
import { type KeyObject, verify } from "node:crypto";
import { nodeCryptoVerifier } from "../../settlement-node/crypto/node-verifier.ts";
import { createSignatureVerifier, type SignatureVerifier } from "../../shared/crypto/index.ts";
import type { BenchCase } from "../lib/types.ts";
import { signedSet } from "./crypto.ts";

type SignedSet = ReturnType<typeof signedSet>;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench: ${what} rejected a valid signature`);
}

export const cases: BenchCase[] = [
  {
    name: "verify/node-crypto-raw",
    unit: "verify",
    runtimes: ["node"],
    setup: () => {
      const set = signedSet();
      return { ...set, keyObjects: set.items.map((it) => nodeCryptoVerifier.importPublicKey(it.publicKey)) };
    },
    run: (s: SignedSet & { keyObjects: KeyObject[] }, n: number) => {
      for (let i = 0; i < n; i++) {
        const j = i % s.items.length;
        const it = s.items[j]!;
        check(verify(null, it.message, s.keyObjects[j]!, it.signature), "node:crypto");
        s.sink += 1;
      }
    },
    n: 64,
  },
  {
    name: "verify/policy-node-crypto",
    unit: "verify",
    runtimes: ["node"],
    setup: () => ({ ...signedSet(), verifier: createSignatureVerifier(nodeCryptoVerifier) }),
    run: async (s: SignedSet & { verifier: SignatureVerifier }, n: number) => {
      for (let i = 0; i < n; i++) {
        const it = s.items[i % s.items.length]!;
        check(
          await s.verifier.verifySignature(it.publicKey, it.message, it.signature),
          "policy(node:crypto)",
        );
        s.sink += 1;
      }
    },
    n: 64,
  },
  {
    name: "verify/policy-node-crypto-batch-100",
    unit: "verify",
    runtimes: ["node"],
    setup: () => {
      const set = signedSet();
      const batch = Array.from({ length: 100 }, (_, i) => set.items[i % set.items.length]!);
      return { ...set, batch, verifier: createSignatureVerifier(nodeCryptoVerifier) };
    },
    run: async (s: SignedSet & { verifier: SignatureVerifier; batch: SignedSet["items"] }, n: number) => {
      for (let done = 0; done < n; done += 100) {
        const results = await s.verifier.verifyMany(s.batch);
        check(results.every(Boolean), "verifyMany(node:crypto)");
        s.sink += results.length;
      }
    },
    n: 200,
  },
];
