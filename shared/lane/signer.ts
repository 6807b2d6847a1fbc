/**
 * The sequencer's signing key. Ed25519 is deterministic, so the native
 * WebCrypto signer (present in Node 22 and workerd, ~10x noble's sign rate)
 * gives the same bytes as shared/crypto sign; receipts are signed per
 * transaction, which is why the native path matters.
 */
import { publicKeyFromSecret, sign } from "../crypto/keys.ts";

export type Signer = {
  readonly publicKey: Uint8Array;
  signMany(messages: readonly Uint8Array[]): Promise<Uint8Array[]>;
};

function base64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A signer over a 32-byte RFC 8032 seed; falls back to noble if the runtime lacks WebCrypto Ed25519. */
export function createSigner(secretKey: Uint8Array): Signer {
  const publicKey = publicKeyFromSecret(secretKey);
  const seed = secretKey.slice();
  let native: Promise<CryptoKey | null> | undefined;
  const nativeKey = () => {
    native ??= globalThis.crypto.subtle
      .importKey(
        "jwk",
        { kty: "OKP", crv: "Ed25519", d: base64Url(seed), x: base64Url(publicKey) },
        { name: "Ed25519" },
        false,
        ["sign"],
      )
      .catch(() => null);
    return native;
  };
  return {
    publicKey,
    async signMany(messages) {
      const key = await nativeKey();
      if (key === null) return messages.map((m) => sign(seed, m));
      const signatures = await Promise.all(
        messages.map((m) => globalThis.crypto.subtle.sign("Ed25519", key, m as Uint8Array<ArrayBuffer>)),
      );
      return signatures.map((s) => new Uint8Array(s));
    },
  };
}
