/**
 * SHA-256, the one hash of Bitlayer. Every hash of a structured value is
 * domain separated by a tag so a leaf can never be confused with a node, nor
 * a transaction with a vote (docs/spec/hashing.md).
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "./bytes.ts";

export const HASH_LENGTH = 32;

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** sha256(tag || parts...), streamed so no concatenation is allocated. */
export function hashTagged(tag: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  h.update(tag);
  for (const p of parts) h.update(p);
  return h.digest();
}

const tagCache = new Map<string, Uint8Array>();
/** Domain tags are ASCII strings such as "bitlayer/tx/v1"; encoded once. */
export function domainTag(name: string): Uint8Array {
  let t = tagCache.get(name);
  if (!t) {
    t = utf8(name);
    tagCache.set(name, t);
  }
  return t;
}
