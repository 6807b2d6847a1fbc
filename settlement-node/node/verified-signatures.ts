/**
 * Signatures this node has already verified under the one policy
 * (shared/crypto), remembered by a digest of the exact public key, signature
 * and signed bytes: a precommit verified when it arrived as a vote is not
 * verified again when the next block's lastCommit certificate carries it.
 * Only a positive result is remembered, and only for the same key, bytes
 * and signature, so nothing is accepted that did not verify. Bounded: the
 * oldest entries are forgotten first (they are then simply verified again).
 */
import { createHash } from "node:crypto";

/** Enough for the votes of the last few heights of a large validator set. */
export const VERIFIED_SIGNATURES_MAX = 8192;

export type SignatureItem = { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array };

// The digest concatenates its inputs without lengths, which is unambiguous only
// while key and signature have their fixed sizes.
const hasFixedSizes = (item: SignatureItem): boolean =>
  item.publicKey.length === 32 && item.signature.length === 64;

const keyOf = (item: SignatureItem): string =>
  createHash("sha256").update(item.publicKey).update(item.signature).update(item.message).digest("base64");

export class VerifiedSignatures {
  private readonly keys = new Set<string>();

  /** Records a signature that verified. */
  add(item: SignatureItem): void {
    if (!hasFixedSizes(item)) return;
    const key = keyOf(item);
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > VERIFIED_SIGNATURES_MAX) this.keys.delete(this.keys.values().next().value!);
  }

  /** True when exactly this key, signature and message verified before. */
  has(item: SignatureItem): boolean {
    return hasFixedSizes(item) && this.keys.has(keyOf(item));
  }
}
