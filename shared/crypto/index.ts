/**
 * Keys, addresses and the one Ed25519 signature policy (docs/spec/signatures.md).
 * randomSecretKey lives in ./random.ts and is deliberately not re-exported here:
 * the deterministic core has no use for ambient entropy.
 */
export {
  ADDRESS_BYTES,
  ADDRESS_PREFIX,
  ADDRESS_TEXT_LENGTH,
  addressFromPublicKey,
  formatAddress,
  parseAddress,
} from "./address.ts";
export {
  AddressFormatError,
  type AddressFormatErrorType,
  InvalidKeyError,
  type InvalidKeyErrorType,
} from "./errors.ts";
export { generateKeyPair, type KeyPair, publicKeyFromSecret, sign } from "./keys.ts";
export { PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, SIGNATURE_BYTES } from "./policy.ts";
export {
  createSignatureVerifier,
  getNativeVerifier,
  isAcceptablePublicKey,
  KEY_CACHE_CAPACITY_DEFAULT,
  type NativeVerifier,
  type SetNativeVerifierOptions,
  type SignatureVerifier,
  type SignatureVerifierOptions,
  type SignedItem,
  setNativeVerifier,
  verifyMany,
  verifySignature,
  webCryptoVerifier,
} from "./verifier.ts";
