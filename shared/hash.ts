/**
 * SHA-256, the one hash of Bitlayer. Every hash of a structured value is
 * domain separated by a tag so a leaf can never be confused with a node, nor
 * a transaction with a vote (docs/spec/hashing.md).
 *
 * The default is shared/sha256.ts, an allocation-free implementation: in
 * workerd it is about 5x faster than @noble/hashes on this code's 16-300 byte
 * inputs, in Node about 1.2-3x (bench/cases/crypto.ts "sha256" cases); its
 * digests are pinned to noble by property tests in both runtimes
 * (test/core/sha256-fast.test.ts). A runtime shell may install another
 * synchronous implementation with setSha256Backend, e.g. node:crypto through
 * nodeCryptoSha256Backend (settlement-node/crypto/node-sha256.ts), or noble
 * (nobleSha256Backend, the reference). Measured (bench/cases/{smt,lane}.ts,
 * "node:crypto sha256" cases): node:crypto is not faster on these small
 * inputs (per-call binding and Buffer costs), so no shell installs one today.
 * Outputs are identical by definition; the tests pin every backend to noble
 * and to the goldens.
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "./bytes.ts";
import { sha256 as fastSha256 } from "./sha256.ts";

export const HASH_LENGTH = 32;

/** A synchronous SHA-256: returns a fresh 32-byte array and keeps no reference to `data`. */
export type Sha256Backend = {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
};

/** The default: shared/sha256.ts. */
export const defaultSha256Backend: Sha256Backend = { name: "shared/sha256", sha256: fastSha256 };

/** @noble/hashes, the reference the tests compare every backend with; installable like any other. */
export const nobleSha256Backend: Sha256Backend = { name: "@noble/hashes", sha256: (d) => nobleSha256(d) };

/** Null while the default (shared/sha256.ts) is in use. */
let nativeBackend: Sha256Backend | null = null;

/** Installs another SHA-256 for the whole process (null or the default backend: back to the default). */
export function setSha256Backend(backend: Sha256Backend | null): void {
  nativeBackend = backend === null || backend === defaultSha256Backend ? null : backend;
}

export function getSha256Backend(): Sha256Backend {
  return nativeBackend ?? defaultSha256Backend;
}

/** The installed non-default backend, or null (modules with their own fast path check this). */
export function nativeSha256Backend(): Sha256Backend | null {
  return nativeBackend;
}

/** The subset of node:crypto (Node, or workerd with nodejs_compat) the native backend needs. */
export type NodeCryptoLike = {
  createHash(algorithm: "sha256"): { update(data: Uint8Array): unknown; digest(): Uint8Array };
  /** Node ≥ 21.7: one-shot, no hasher object. */
  hash?: (algorithm: "sha256", data: Uint8Array, outputEncoding: "buffer") => Uint8Array;
};

/**
 * A backend over node:crypto, handed in by the shell so the core imports no
 * runtime module. Digests come back as plain Uint8Arrays: a Buffer's slice()
 * is a view, not a copy, and callers rely on copies.
 */
export function nodeCryptoSha256Backend(nodeCrypto: NodeCryptoLike): Sha256Backend {
  const oneShot = nodeCrypto.hash;
  const digestOf =
    typeof oneShot === "function"
      ? (data: Uint8Array) => oneShot("sha256", data, "buffer")
      : (data: Uint8Array) => {
          const h = nodeCrypto.createHash("sha256");
          h.update(data);
          return h.digest();
        };
  return {
    name: "node:crypto",
    sha256: (data) => {
      const d = digestOf(data);
      return d.byteOffset === 0 && d.buffer.byteLength === HASH_LENGTH
        ? new Uint8Array(d.buffer as ArrayBuffer)
        : Uint8Array.from(d);
    },
  };
}

export function sha256(data: Uint8Array): Uint8Array {
  return nativeBackend ? nativeBackend.sha256(data) : fastSha256(data);
}

/** sha256(tag || parts...) through one reused buffer, so no concatenation is allocated. */
export function hashTagged(tag: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  return joinedDigest(nativeBackend ?? defaultSha256Backend, tag, parts);
}

/** hashTagged(tag, a, b) with an installed backend, without the rest-array (hot in the state tree). */
export function nativeHashTagged2(
  backend: Sha256Backend,
  tag: Uint8Array,
  a: Uint8Array,
  b: Uint8Array,
): Uint8Array {
  const length = tag.length + a.length + b.length;
  const buf = scratchOf(length);
  buf.set(tag, 0);
  buf.set(a, tag.length);
  buf.set(b, tag.length + a.length);
  return backend.sha256(buf.subarray(0, length));
}

// One growing buffer: hashing is synchronous and backends keep no reference to their input.
let scratch = new Uint8Array(256);
function scratchOf(length: number): Uint8Array {
  if (scratch.length < length) scratch = new Uint8Array(Math.max(length, 2 * scratch.length));
  return scratch;
}

function joinedDigest(backend: Sha256Backend, tag: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  let length = tag.length;
  for (const p of parts) length += p.length;
  const buf = scratchOf(length);
  buf.set(tag, 0);
  let at = tag.length;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
  return backend.sha256(buf.subarray(0, length));
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

/**
 * A Map key for a 32-byte hash or state key: the bytes as 16 UTF-16 units,
 * ~5x cheaper than `apply` over the bytes and ~20x than hex. Only for 32-byte
 * inputs (distinct inputs give distinct keys); never hashed or ordered on.
 */
export function hashMapKey(h: Uint8Array): string {
  return String.fromCharCode(
    (h[0]! << 8) | h[1]!,
    (h[2]! << 8) | h[3]!,
    (h[4]! << 8) | h[5]!,
    (h[6]! << 8) | h[7]!,
    (h[8]! << 8) | h[9]!,
    (h[10]! << 8) | h[11]!,
    (h[12]! << 8) | h[13]!,
    (h[14]! << 8) | h[15]!,
    (h[16]! << 8) | h[17]!,
    (h[18]! << 8) | h[19]!,
    (h[20]! << 8) | h[21]!,
    (h[22]! << 8) | h[23]!,
    (h[24]! << 8) | h[25]!,
    (h[26]! << 8) | h[27]!,
    (h[28]! << 8) | h[29]!,
    (h[30]! << 8) | h[31]!,
  );
}
