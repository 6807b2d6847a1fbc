import { randomSecretKey } from "../crypto/random.ts";

export type GenerateSecretKeyReturnType = Uint8Array;
export type GenerateSecretKeyErrorType = never;

/**
 * A fresh 32-byte Ed25519 secret key (RFC 8032 seed) from the runtime's
 * CSPRNG (`crypto.getRandomValues`, in browsers, Workers and Node alike).
 *
 * The entropy call lives in `shared/crypto/random.ts`, the one place the
 * purity lint allows it (with a biome-ignore saying why); the deterministic
 * core never reaches it. Keep the key secret: it signs for the account.
 *
 * @example
 * import { generateSecretKey, secretKeyToAccount } from "bitlayer/shared/sdk";
 * const account = secretKeyToAccount({ secretKey: generateSecretKey() });
 */
export function generateSecretKey(): GenerateSecretKeyReturnType {
  return randomSecretKey();
}
