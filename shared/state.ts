/**
 * The contract between the state transition function and the state
 * commitment (the sparse Merkle tree). The STF reads and writes 32-byte keys;
 * the tree commits to them. Keeping this seam narrow is what lets a fraud
 * proof re-run the STF over a multiproof instead of the whole state.
 */
import { hashTagged, domainTag } from "./hash.ts";

/** A 32-byte state key (already hashed: uniformly distributed over the tree). */
export type StateKey = Uint8Array;

export interface StateReader {
  /** The value stored under `key`, or undefined if absent. */
  get(key: StateKey): Uint8Array | undefined;
}

/** `null` deletes the key. */
export type StateWrite = { key: StateKey; value: Uint8Array | null };

/** Derives a state key from a record kind and its identifying parts. */
export function stateKey(kind: string, ...parts: Uint8Array[]): StateKey {
  return hashTagged(domainTag(`bitlayer/state/${kind}`), ...parts);
}
