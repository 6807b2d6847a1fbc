import { afterEach, describe, expect, it } from "vitest";
import speccheck from "../../../shared/vectors/ed25519-speccheck_cases.json";
import wycheproof from "../../../shared/vectors/wycheproof_ed25519_test.json";
import zip215 from "../../../shared/vectors/zip215_noble-curves.json";
import { nodeCryptoVerifier } from "../../settlement-node/crypto/node-verifier.ts";
import { fromHex, utf8 } from "../../shared/bytes.ts";
import {
  createSignatureVerifier,
  type SignedItem,
  setNativeVerifier,
  verifyMany,
  webCryptoVerifier,
} from "../../shared/crypto/index.ts";
import {
  DIFFERENTIAL_CASE_COUNT,
  DIFFERENTIAL_SEED,
  differentialCases,
  summarize,
  verifyCases,
} from "../../shared/crypto/testing/differential.ts";
import golden from "../golden/ed25519-differential.json";

const vectorItems: SignedItem[] = [
  ...wycheproof.testGroups.flatMap((g) =>
    g.tests.map((t) => ({
      publicKey: fromHex(g.publicKey.pk),
      message: fromHex(t.msg),
      signature: fromHex(t.sig),
    })),
  ),
  ...zip215.map((v) => ({
    publicKey: fromHex(v.vk_bytes),
    message: utf8("Zcash"),
    signature: fromHex(v.sig_bytes),
  })),
  ...speccheck.map((v) => ({
    publicKey: fromHex(v.pub_key),
    message: fromHex(v.message),
    signature: fromHex(v.signature),
  })),
];

async function resultsWith(
  backend: typeof webCryptoVerifier | typeof nodeCryptoVerifier,
  items: SignedItem[],
) {
  setNativeVerifier(backend);
  return verifyMany(items);
}

describe("node:crypto backend of the signature policy", () => {
  afterEach(() => setNativeVerifier(webCryptoVerifier));

  it("gives the same results as WebCrypto on Wycheproof, ZIP-215 and speccheck (359 cases)", async () => {
    expect(vectorItems.length).toBe(151 + 196 + 12);
    const viaNode = await resultsWith(nodeCryptoVerifier, vectorItems);
    const viaWeb = await resultsWith(webCryptoVerifier, vectorItems);
    expect(viaNode).toEqual(viaWeb);
    expect(viaNode.filter(Boolean).length).toBeGreaterThan(0);
  });

  it("reproduces the committed digest of the 100,000-case differential set", async () => {
    const verifier = createSignatureVerifier(nodeCryptoVerifier);
    const cases = differentialCases(DIFFERENTIAL_SEED, DIFFERENTIAL_CASE_COUNT);
    const summary = summarize(DIFFERENTIAL_SEED, cases, await verifyCases(cases, verifier.verifyMany));
    expect(summary.byKind).toEqual(golden.byKind);
    expect(summary.digest).toBe(golden.digest);
  });

  it("node:crypto throws on a malformed key; under the policy the same input is a plain false", async () => {
    const shortKey = new Uint8Array(5);
    expect(() => nodeCryptoVerifier.importPublicKey(shortKey)).toThrow();
    setNativeVerifier(nodeCryptoVerifier);
    const item = { publicKey: shortKey, message: new Uint8Array(1), signature: new Uint8Array(64) };
    expect(await verifyMany([item])).toEqual([false]);
  });
});
