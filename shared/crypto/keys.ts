/**
 * Ed25519 keys and deterministic signing (RFC 8032) with @noble/curves:
 * pure, so the same secret key and message give the same signature in every
 * runtime. A secret key is the 32-byte RFC 8032 seed.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { InvalidKeyError } from "./errors.ts";
import { PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, SIGNATURE_BYTES } from "./policy.ts";

export type KeyPair = { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };

function assertSecretKey(secretKey: Uint8Array, what: string): void {
  if (!(secretKey instanceof Uint8Array)) {
    throw new InvalidKeyError(`The ${what} must be a Uint8Array of ${SECRET_KEY_BYTES} bytes.`, {
      docsPath: "spec/signatures.md",
    });
  }
  if (secretKey.length !== SECRET_KEY_BYTES) {
    throw new InvalidKeyError(`The ${what} must be ${SECRET_KEY_BYTES} bytes, got ${secretKey.length}.`, {
      details: "Bitlayer secret keys are RFC 8032 seeds; a 64-byte seed||public key form is not accepted.",
      docsPath: "spec/signatures.md",
    });
  }
}

/** The key pair of a 32-byte seed. The secret key is a copy of the seed. */
export function generateKeyPair(seed32: Uint8Array): KeyPair {
  assertSecretKey(seed32, "seed");
  const secretKey = seed32.slice();
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

export function publicKeyFromSecret(secretKey: Uint8Array): Uint8Array {
  assertSecretKey(secretKey, "secret key");
  return ed25519.getPublicKey(secretKey);
}

/** Deterministic Ed25519 signature (64 bytes) of `message`, usually signBytes(...) of shared/domain.ts. */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  assertSecretKey(secretKey, "secret key");
  if (!(message instanceof Uint8Array)) {
    throw new InvalidKeyError("The message to sign must be a Uint8Array.", {
      docsPath: "spec/signatures.md",
    });
  }
  const signature = ed25519.sign(message, secretKey);
  if (signature.length !== SIGNATURE_BYTES) throw new Error("BUG: Ed25519 signature is not 64 bytes");
  return signature;
}

/** Length check for public keys handed to code that derives from them (addresses). */
export function assertPublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) {
    const got = publicKey instanceof Uint8Array ? `${publicKey.length} bytes` : typeof publicKey;
    throw new InvalidKeyError(`A public key must be ${PUBLIC_KEY_BYTES} bytes, got ${got}.`, {
      docsPath: "spec/signatures.md",
    });
  }
}
