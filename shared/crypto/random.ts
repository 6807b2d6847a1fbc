/**
 * Fresh secret keys from the runtime's CSPRNG, for wallets, CLIs and tests.
 * The pure core never calls this: it receives keys and randomness as arguments.
 */
import { SECRET_KEY_BYTES } from "./policy.ts";

export function randomSecretKey(): Uint8Array {
  const secretKey = new Uint8Array(SECRET_KEY_BYTES);
  // biome-ignore lint/nursery/noJsRestrictedProperties: key generation needs real entropy; this entry point is for shells and wallets, never called by the deterministic core.
  crypto.getRandomValues(secretKey);
  return secretKey;
}
