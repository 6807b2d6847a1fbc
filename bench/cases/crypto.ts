/**
 * Signature benchmarks (runtime-agnostic: imports only shared/).
 *
 * verify/native is the baseline B_v (bench/README.md): one Ed25519 verify
 * with the runtime's WebCrypto and an imported CryptoKey, awaited one at a
 * time, on valid signatures of ~150-byte messages (a lane transaction's
 * sign-bytes). The policy cases show what verifySignature adds on top: its
 * byte checks and the key-cache lookup should keep it within a few percent.
 * Node's node:crypto backend is in crypto-node.ts (Node only).
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  addressFromPublicKey,
  createSignatureVerifier,
  generateKeyPair,
  type NativeVerifier,
  type SignatureVerifier,
  type SignedItem,
  sign,
  verifyMany,
  verifySignature,
} from "../../shared/crypto/index.ts";
import { Prng } from "../../shared/prng.ts";
import type { BenchCase } from "../lib/types.ts";

const COUNT_KEYS = 64;
const MESSAGE_BYTES = 150;

type SignedSet = { items: SignedItem[]; secretKeys: Uint8Array[]; sink: number };

/** 64 keys, one valid signature each, from a fixed seed (the same set in every runtime). */
export function signedSet(): SignedSet {
  const prng = new Prng(0xbe7c);
  const items: SignedItem[] = [];
  const secretKeys: Uint8Array[] = [];
  for (let i = 0; i < COUNT_KEYS; i++) {
    const { secretKey, publicKey } = generateKeyPair(prng.bytes(32));
    const message = prng.bytes(MESSAGE_BYTES);
    items.push({ publicKey, message, signature: sign(secretKey, message) });
    secretKeys.push(secretKey);
  }
  return { items, secretKeys, sink: 0 };
}

type NativeState = SignedSet & { cryptoKeys: CryptoKey[] };

async function nativeSetup(): Promise<NativeState> {
  const set = signedSet();
  const cryptoKeys = await Promise.all(
    set.items.map((it) =>
      globalThis.crypto.subtle.importKey("raw", it.publicKey as Uint8Array<ArrayBuffer>, "Ed25519", false, [
        "verify",
      ]),
    ),
  );
  return { ...set, cryptoKeys };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench: ${what} rejected a valid signature`);
}

export const cases: BenchCase[] = [
  {
    name: "verify/native",
    unit: "verify",
    setup: nativeSetup,
    run: async (s: NativeState, n: number) => {
      for (let i = 0; i < n; i++) {
        const j = i % COUNT_KEYS;
        const it = s.items[j]!;
        const ok = await globalThis.crypto.subtle.verify(
          "Ed25519",
          s.cryptoKeys[j]!,
          it.signature as Uint8Array<ArrayBuffer>,
          it.message as Uint8Array<ArrayBuffer>,
        );
        check(ok, "WebCrypto");
        s.sink += 1;
      }
    },
    n: 64,
  },
  {
    name: "verify/policy",
    unit: "verify",
    setup: signedSet,
    run: async (s: SignedSet, n: number) => {
      for (let i = 0; i < n; i++) {
        const it = s.items[i % COUNT_KEYS]!;
        check(await verifySignature(it.publicKey, it.message, it.signature), "verifySignature");
        s.sink += 1;
      }
    },
    n: 64,
  },
  {
    name: "verify/policy-batch-100",
    unit: "verify",
    setup: () => {
      const set = signedSet();
      return { ...set, batch: Array.from({ length: 100 }, (_, i) => set.items[i % COUNT_KEYS]!) };
    },
    run: async (s: SignedSet & { batch: SignedItem[] }, n: number) => {
      for (let done = 0; done < n; done += 100) {
        const results = await verifyMany(s.batch);
        check(results.every(Boolean), "verifyMany");
        s.sink += results.length;
      }
    },
    n: 200,
  },
  {
    // The policy's own cost: byte checks on R and S, the key-cache lookup and
    // the awaits, with a backend that answers true without any curve math.
    name: "verify/policy-overhead-only",
    unit: "verify",
    setup: () => {
      const acceptAll: NativeVerifier<unknown> = {
        name: "accept-all",
        importPublicKey: (k) => k,
        verify: () => true,
      };
      return { ...signedSet(), verifier: createSignatureVerifier(acceptAll) };
    },
    run: async (s: SignedSet & { verifier: SignatureVerifier }, n: number) => {
      for (let i = 0; i < n; i++) {
        const it = s.items[i % COUNT_KEYS]!;
        check(await s.verifier.verifySignature(it.publicKey, it.message, it.signature), "policy pre-checks");
        s.sink += 1;
      }
    },
    n: 2000,
  },
  {
    name: "verify/noble-pure-js",
    unit: "verify",
    setup: signedSet,
    run: (s: SignedSet, n: number) => {
      for (let i = 0; i < n; i++) {
        const it = s.items[i % COUNT_KEYS]!;
        check(ed25519.verify(it.signature, it.message, it.publicKey, { zip215: false }), "noble");
        s.sink += 1;
      }
    },
    n: 8,
  },
  {
    name: "sign/noble",
    unit: "signature",
    setup: signedSet,
    run: (s: SignedSet, n: number) => {
      for (let i = 0; i < n; i++) {
        const j = i % COUNT_KEYS;
        s.sink += sign(s.secretKeys[j]!, s.items[j]!.message)[0]!;
      }
    },
    n: 16,
  },
  {
    name: "address/from-public-key",
    unit: "address",
    setup: signedSet,
    run: (s: SignedSet, n: number) => {
      for (let i = 0; i < n; i++) s.sink += addressFromPublicKey(s.items[i % COUNT_KEYS]!.publicKey)[0]!;
    },
    n: 1000,
  },
];
