/**
 * verifySignature: the one Ed25519 acceptance policy of Bitlayer, identical in
 * every runtime (DESIGN.md "Signatures", docs/spec/signatures.md). Every
 * verify in the project goes through here (STYLE.md item 3).
 *
 * Order of the rules (the first that fails returns false):
 *   1. key is 32 bytes, signature is 64 bytes (anything else, including
 *      non-Uint8Array input, is false: never an exception);
 *   2. S < L;
 *   3. R and A are canonical encodings (y < p, and not x = 0 with the sign bit);
 *   4. R and A are not of small order; A decompresses to a curve point;
 *   5. the cofactorless equation [S]B = R + [k]A, decided by the native
 *      verifier (WebCrypto by default; node:crypto in the settlement node).
 *
 * Key checks (3-4 for A, and importing the native key) run once per key and
 * are kept in a bounded cache; the checks on R and S are byte comparisons, so
 * the verify rate stays that of the native verifier.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  isCanonicalPointEncoding,
  isSmallOrderEncoding,
  PUBLIC_KEY_BYTES,
  passesSignatureByteChecks,
  SIGNATURE_BYTES,
} from "./policy.ts";

/**
 * A runtime's native Ed25519 verifier. It only ever sees keys and signatures
 * that passed the policy's pre-checks; its job is the cofactorless equation.
 * It may throw or reject: verifySignature turns that into false.
 */
export type NativeVerifier<Key = unknown> = {
  readonly name: string;
  /** Builds the runtime's key object from 32 raw bytes; called once per cached key. */
  importPublicKey(publicKey: Uint8Array): Promise<Key> | Key;
  verify(key: Key, message: Uint8Array, signature: Uint8Array): Promise<boolean> | boolean;
};

// WebCrypto's types want ArrayBuffer-backed views; a shared-memory view makes it throw, which becomes false.
type BufferView = Uint8Array<ArrayBuffer>;

/** WebCrypto Ed25519, present in Node 22 and workerd. The default backend. */
export const webCryptoVerifier: NativeVerifier<CryptoKey> = {
  name: "webcrypto",
  importPublicKey: (publicKey) =>
    globalThis.crypto.subtle.importKey("raw", publicKey as BufferView, { name: "Ed25519" }, false, [
      "verify",
    ]),
  verify: (key, message, signature) =>
    globalThis.crypto.subtle.verify("Ed25519", key, signature as BufferView, message as BufferView),
};

export const KEY_CACHE_CAPACITY_DEFAULT = 4096;

/** A checked key: either rejected by the policy or accepted with its native key object. */
type KeyEntry = { readonly accepted: false } | { readonly accepted: true; readonly nativeKey: unknown };
const REJECTED_KEY: KeyEntry = { accepted: false };
/** A key's cache slot: the check-and-import promise, and its verdict once settled. */
type KeySlot = { readonly promise: Promise<KeyEntry>; entry: KeyEntry | undefined };

const isTrue = (v: unknown): boolean => v === true;
const isFalse = (): boolean => false;

/** The cache's id of a 32-byte key: one char per byte (the caller checked the length). */
function keyId(publicKey: Uint8Array): string {
  return String.fromCharCode.apply(null, publicKey as unknown as number[]);
}

export type SignatureVerifierOptions = { keyCacheCapacity?: number };
export type SetNativeVerifierOptions = SignatureVerifierOptions;

export type SignedItem = {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
};

/** The policy bound to one native backend, with its own bounded key cache. */
export type SignatureVerifier = {
  readonly backend: NativeVerifier<unknown>;
  /** Never throws, never rejects: see verifySignature. */
  verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** One result per item, in input order; never throws. */
  verifyMany(items: readonly SignedItem[]): Promise<boolean[]>;
};

/** Rules 3-4 for A: canonical, on the curve, not of small order. Pure; the cache calls it once per key. */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  if (!isCanonicalPointEncoding(publicKey) || isSmallOrderEncoding(publicKey)) return false;
  try {
    // zip215=false: decoding itself also refuses y >= p and x = 0 with the sign bit.
    return !ed25519.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false; // not a point on the curve
  }
}

/**
 * A verifier applying the policy with `backend` for the final equation. Most
 * code uses the process-wide one through verifySignature/verifyMany; a
 * separate instance suits tests and benchmarks that must not disturb it.
 */
export function createSignatureVerifier(
  backend: NativeVerifier<unknown>,
  options: SignatureVerifierOptions = {},
): SignatureVerifier {
  const keyCacheCapacity = options.keyCacheCapacity ?? KEY_CACHE_CAPACITY_DEFAULT;
  if (!Number.isInteger(keyCacheCapacity) || keyCacheCapacity < 1) {
    throw new RangeError(`keyCacheCapacity must be a positive integer, got ${keyCacheCapacity}.`);
  }
  // Promises, so that a batch carrying one key many times imports it once;
  // `entry` is set once the promise settles with a verdict, so a cached key
  // costs no await. Keyed by the key's bytes as a 32-character one-byte
  // string (cheaper to build than hex; V8's seeded string hash decides the
  // buckets, so chosen keys cannot crowd one bucket).
  const keyCache = new Map<string, KeySlot>();

  async function checkAndImportKey(publicKey: Uint8Array): Promise<KeyEntry> {
    if (!isAcceptablePublicKey(publicKey)) return REJECTED_KEY;
    // A copy: the caller may reuse its buffer after we return.
    return { accepted: true, nativeKey: await backend.importPublicKey(publicKey.slice()) };
  }

  function keySlotFor(publicKey: Uint8Array): KeySlot {
    const id = keyId(publicKey);
    const cached = keyCache.get(id);
    if (cached) return cached;
    const slot: KeySlot = { promise: checkAndImportKey(publicKey), entry: undefined };
    if (keyCache.size >= keyCacheCapacity) {
      // Evict the oldest insertion: the order never reaches a result, only the hit rate.
      const oldest = keyCache.keys().next();
      if (!oldest.done) keyCache.delete(oldest.value);
    }
    keyCache.set(id, slot);
    slot.promise.then(
      (entry) => {
        slot.entry = entry;
      },
      // A native import that throws is not a policy verdict: forget it so the next call retries.
      () => {
        if (keyCache.get(id) === slot) keyCache.delete(id);
      },
    );
    return slot;
  }

  /** Rule 5 for a checked key; never throws, never rejects. */
  function verifyWith(entry: KeyEntry, message: Uint8Array, signature: Uint8Array): Promise<boolean> | boolean {
    if (!entry.accepted) return false;
    try {
      const result = backend.verify(entry.nativeKey, message, signature);
      if (typeof result === "boolean") return result;
      return Promise.resolve(result).then(isTrue, isFalse);
    } catch {
      return false;
    }
  }

  /** Rules 1-2 and R's checks synchronously, then the key's entry (cached: no await) and the native verify. */
  function verifyOne(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> | boolean {
    try {
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
      if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
      if (!(message instanceof Uint8Array)) return false;
      if (!passesSignatureByteChecks(signature)) return false;
      const slot = keySlotFor(publicKey);
      if (slot.entry !== undefined) return verifyWith(slot.entry, message, signature);
      return slot.promise.then((entry) => verifyWith(entry, message, signature), isFalse);
    } catch {
      return false;
    }
  }

  function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return Promise.resolve(verifyOne(publicKey, message, signature));
  }

  return {
    backend,
    verifySignature: verify,
    verifyMany(items) {
      try {
        return Promise.all(items.map((item) => verifyOne(item?.publicKey, item?.message, item?.signature)));
      } catch {
        return Promise.resolve([]);
      }
    },
  };
}

let current: SignatureVerifier = createSignatureVerifier(webCryptoVerifier);

/**
 * Replaces the process-wide native backend (for example settlement-node/crypto's
 * node:crypto verifier), with a fresh key cache. The policy pre-checks stay
 * the same whatever the backend. Calls already in flight finish on the old one.
 */
export function setNativeVerifier(
  backend: NativeVerifier<unknown>,
  options: SignatureVerifierOptions = {},
): void {
  current = createSignatureVerifier(backend, options);
}

export function getNativeVerifier(): NativeVerifier<unknown> {
  return current.backend;
}

/**
 * True iff `signature` is a valid Ed25519 signature of `message` by
 * `publicKey` under Bitlayer's policy. Never throws and never rejects: any
 * malformed input or internal error gives false.
 */
export function verifySignature(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  return current.verifySignature(publicKey, message, signature);
}

/** verifySignature over a batch (a request carries many transactions); results in input order. */
export function verifyMany(items: readonly SignedItem[]): Promise<boolean[]> {
  return current.verifyMany(items);
}
