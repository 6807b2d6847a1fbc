/**
 * Domain separation for everything Bitlayer signs (docs/spec/README.md).
 *
 * sign-bytes = "BTLR" || u8 version || u8 messageType || string(chainId) || u32 lane || body
 *
 * where body is the message's canonical encoding and carries its own nonce
 * (or height/round for consensus votes). A signature made for one message
 * type, chain or lane therefore never verifies as another.
 */
import { concatBytes } from "./bytes.ts";
import { encode, string, struct, u8, u32 } from "./codec/index.ts";

/** Stable message-type tags. Never renumber; a new message gets a new number. */
export const MessageType = {
  LaneTx: 1,
  Receipt: 2,
  Checkpoint: 3,
  SettlementTx: 4,
  Proposal: 5,
  Prevote: 6,
  Precommit: 7,
  PeerHandshake: 8,
  ChannelVoucher: 9,
  CheckpointAttestation: 10,
  ForcedInclusion: 11,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Lane 0 is settlement itself; execution lanes are numbered from 1. */
export const SETTLEMENT_LANE = 0;
export const MAX_CHAIN_ID_BYTES = 64;

export const SIGN_MAGIC = new Uint8Array([0x42, 0x54, 0x4c, 0x52]); // "BTLR"
export const SIGN_VERSION = 1;

export type Domain = { chainId: string; lane: number };

const domainCodec = struct({
  version: u8,
  messageType: u8,
  chainId: string(MAX_CHAIN_ID_BYTES),
  lane: u32,
});

export function signBytes(messageType: MessageType, domain: Domain, body: Uint8Array): Uint8Array {
  const prefix = encode(domainCodec, {
    version: SIGN_VERSION,
    messageType,
    chainId: domain.chainId,
    lane: domain.lane,
  });
  return concatBytes(SIGN_MAGIC, prefix, body);
}
