/**
 * The validator's own Ed25519 signatures through node:crypto: a KeyObject
 * built once from the 32-byte seed, then a native one-shot sign (about 20×
 * cheaper than @noble/curves, which also re-derives the public key on every
 * call). Ed25519 signing is deterministic (RFC 8032), so the bytes are the
 * same as shared/crypto's sign(); the constructor checks that once against
 * it before the signer is used.
 *
 * Node only: the consensus signer, the node's evidence reports.
 */
import { createPrivateKey, type KeyObject, sign as nodeSign } from "node:crypto";
import { concatBytes, equalBytes, utf8 } from "../../shared/bytes.ts";
import { sign as pureSign } from "../../shared/crypto/index.ts";

/** DER PKCS#8 header of an Ed25519 private key (RFC 8410): 16 bytes, then the 32-byte seed. */
const ED25519_PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

export type MessageSigner = (message: Uint8Array) => Uint8Array;

export function nodeSigner(secretKey: Uint8Array): MessageSigner {
  const key: KeyObject = createPrivateKey({
    key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, secretKey)),
    format: "der",
    type: "pkcs8",
  });
  // A copy into a plain Uint8Array of its own: callers may keep it or look at its buffer.
  const signWith: MessageSigner = (message) => new Uint8Array(nodeSign(null, message, key));
  const probe = utf8("bitlayer/node-signer/self-check");
  if (!equalBytes(signWith(probe), pureSign(secretKey, probe)))
    throw new Error("BUG: node:crypto Ed25519 signature differs from the pure signer's");
  return signWith;
}
