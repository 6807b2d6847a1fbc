/**
 * The mutually authenticated peer handshake. Each side sends a hello (chain
 * id, its public key, a fresh 32-byte nonce), then signs a challenge that
 * binds both nonces, both keys and its role, under
 * signBytes(PeerHandshake, {chainId, lane: 0}, ...): a signature made for one
 * connection, chain or direction never verifies for another. The other side
 * verifies it against the configured peer set and refuses unknown keys.
 */
import { equalBytes, toHex } from "../../shared/bytes.ts";
import { decode, encode, enumU8, fixedBytes, string, struct } from "../../shared/codec/index.ts";
import { verifySignature } from "../../shared/crypto/index.ts";
import { MAX_CHAIN_ID_BYTES, MessageType, SETTLEMENT_LANE, signBytes } from "../../shared/domain.ts";

export const NONCE_BYTES = 32;

export const helloCodec = struct({
  chainId: string(MAX_CHAIN_ID_BYTES),
  publicKey: fixedBytes(32),
  nonce: fixedBytes(NONCE_BYTES),
});
export type Hello = { chainId: string; publicKey: Uint8Array; nonce: Uint8Array };

export const authCodec = struct({ signature: fixedBytes(64) });

const challengeCodec = struct({
  role: enumU8(["dialer", "listener"] as const),
  dialerKey: fixedBytes(32),
  listenerKey: fixedBytes(32),
  dialerNonce: fixedBytes(NONCE_BYTES),
  listenerNonce: fixedBytes(NONCE_BYTES),
});
export type Role = "dialer" | "listener";

export type Challenge = { dialer: Hello; listener: Hello };

export function challengeSignBytes(chainId: string, role: Role, c: Challenge): Uint8Array {
  return signBytes(
    MessageType.PeerHandshake,
    { chainId, lane: SETTLEMENT_LANE },
    encode(challengeCodec, {
      role,
      dialerKey: c.dialer.publicKey,
      listenerKey: c.listener.publicKey,
      dialerNonce: c.dialer.nonce,
      listenerNonce: c.listener.nonce,
    }),
  );
}

export const encodeHello = (h: Hello): Uint8Array => encode(helloCodec, h);
export const decodeHello = (b: Uint8Array): Hello => decode(helloCodec, b);
export const encodeAuth = (signature: Uint8Array): Uint8Array => encode(authCodec, { signature });
export const decodeAuth = (b: Uint8Array): Uint8Array => decode(authCodec, b).signature;

export type HelloRefusal = "wrong-chain" | "unknown-key" | "self";

/** Checks a peer's hello against our chain and peer set, before any signature work. */
export function checkHello(
  hello: Hello,
  chainId: string,
  selfKey: Uint8Array,
  peerKeys: readonly Uint8Array[],
): HelloRefusal | null {
  if (hello.chainId !== chainId) return "wrong-chain";
  if (equalBytes(hello.publicKey, selfKey)) return "self";
  if (!peerKeys.some((k) => equalBytes(k, hello.publicKey))) return "unknown-key";
  return null;
}

/** Verifies the peer's signature over the challenge for its role. */
export function verifyAuth(
  chainId: string,
  peerRole: Role,
  c: Challenge,
  signature: Uint8Array,
): Promise<boolean> {
  const peer = peerRole === "dialer" ? c.dialer : c.listener;
  return verifySignature(peer.publicKey, challengeSignBytes(chainId, peerRole, c), signature);
}

export const peerId = (publicKey: Uint8Array): string => toHex(publicKey).slice(0, 16);
