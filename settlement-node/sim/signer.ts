/**
 * A fast deterministic stand-in for Ed25519 in the simulator: the
 * "signature" is sha256(tag || publicKey || message), so anyone who knows the
 * public key can forge it. It is NOT a signature scheme; it only lets 100,000
 * seeds run in minutes while still binding each vote to its signer and its
 * bytes (docs/spec/consensus.md, "Simulator"). Nodes use Ed25519.
 */
import { equalBytes } from "../../shared/bytes.ts";
import { domainTag, hashTagged } from "../../shared/hash.ts";
import type { Signer } from "../consensus/messages.ts";

const TAG = domainTag("bitlayer/sim/stand-in-signature/v1");

export function standInSigner(publicKey: Uint8Array): Signer {
  return { publicKey, sign: (message) => hashTagged(TAG, publicKey, message) };
}

export function verifyStandIn(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return equalBytes(hashTagged(TAG, publicKey, message), signature);
}
