import { toHex } from "../bytes.ts";
import { addressFromPublicKey, formatAddress } from "../crypto/address.ts";
import type { InvalidKeyErrorType } from "../crypto/errors.ts";
import { publicKeyFromSecret, sign } from "../crypto/keys.ts";

export type SecretKeyToAccountParameters = {
  /** The 32-byte RFC 8032 seed, e.g. from generateSecretKey(). */
  secretKey: Uint8Array;
};

/** A local signer. The secret key stays inside `sign`; nothing else exposes it. */
export type Account = {
  /** 32-byte Ed25519 public key: the account's identity on lanes (TxBody.sender). */
  readonly publicKey: Uint8Array;
  /** The public key as lowercase hex, for logs and JSON. */
  readonly publicKeyHex: string;
  /** The settlement address: "bl" + 40 hex digits (docs/spec/signatures.md). */
  readonly address: string;
  /** Ed25519 signature of arbitrary bytes; for transactions use signTransaction. */
  sign(message: Uint8Array): Uint8Array;
};

export type SecretKeyToAccountReturnType = Account;
export type SecretKeyToAccountErrorType = InvalidKeyErrorType;

/**
 * The account of a secret key: its public key, its settlement address and a
 * signing function. Deterministic: the same key gives the same account in
 * every runtime.
 *
 * @example
 * const alice = secretKeyToAccount({ secretKey: generateSecretKey() });
 * console.log(alice.address); // "bl3f0c…"
 */
export function secretKeyToAccount({
  secretKey,
}: SecretKeyToAccountParameters): SecretKeyToAccountReturnType {
  const publicKey = publicKeyFromSecret(secretKey);
  const key = secretKey.slice();
  return {
    publicKey,
    publicKeyHex: toHex(publicKey),
    address: formatAddress(addressFromPublicKey(publicKey)),
    sign: (message) => sign(key, message),
  };
}
