/**
 * The settlement node's native Ed25519 backend: node:crypto with KeyObjects
 * built once per key (shared/crypto caches them) and a synchronous verify,
 * which skips WebCrypto's per-call promise and job overhead.
 *
 * Node only. Install it at startup with installNodeVerifier(); the policy
 * pre-checks of shared/crypto still run before every call.
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { concatBytes } from "../../shared/bytes.ts";
import {
  type NativeVerifier,
  setNativeVerifier,
  type SetNativeVerifierOptions,
} from "../../shared/crypto/index.ts";

/** DER SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410): 12 bytes, then the 32 raw bytes. */
const ED25519_SPKI_PREFIX = new Uint8Array([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

export const nodeCryptoVerifier: NativeVerifier<KeyObject> = {
  name: "node:crypto",
  importPublicKey: (publicKey) =>
    createPublicKey({
      key: Buffer.from(concatBytes(ED25519_SPKI_PREFIX, publicKey)),
      format: "der",
      type: "spki",
    }),
  // The algorithm is null for Ed25519: it hashes internally (PureEdDSA).
  verify: (key, message, signature) => {
    nativeVerifies++;
    return verify(null, message, key, signature);
  },
};

let nativeVerifies = 0;

/** Native verifies this process has run (after the policy pre-checks): the metrics' signature counter. */
export function nativeVerifyCount(): number {
  return nativeVerifies;
}

export function installNodeVerifier(options: SetNativeVerifierOptions = {}): void {
  setNativeVerifier(nodeCryptoVerifier, options);
}
