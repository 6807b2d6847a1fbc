/**
 * Settlement account address of an Ed25519 public key: 20 bytes.
 *
 * The one definition belongs to shared/crypto (addressFromPublicKey); until
 * that module lands this is the ledger's only call site for the derivation,
 * so switching is a one-line change here.
 */
import { assertLength } from "../../shared/bytes.ts";
import { domainTag, hashTagged } from "../../shared/hash.ts";
import { ACCOUNT_ADDRESS_BYTES, PUBLIC_KEY_BYTES } from "./limits.ts";

const ADDRESS_TAG = domainTag("bitlayer/address/v1");

export function accountAddressOf(publicKey: Uint8Array): Uint8Array {
  assertLength(publicKey, PUBLIC_KEY_BYTES, "public key");
  return hashTagged(ADDRESS_TAG, publicKey).slice(0, ACCOUNT_ADDRESS_BYTES);
}
