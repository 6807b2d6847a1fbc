/**
 * Settlement account address of an Ed25519 public key: 20 bytes, the one
 * definition in shared/crypto (addressFromPublicKey). The ledger names it
 * accountAddressOf to read well beside lane addresses, which are 32-byte keys.
 */
export { addressFromPublicKey as accountAddressOf } from "../../shared/crypto/index.ts";
