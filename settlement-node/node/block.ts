/**
 * The settlement block (the consensus value) and the commit certificate as
 * stored in the block store. A block carries the certificate of the previous
 * height, so every validator derives the same `lastCommitSigners` for the
 * ledger from the block itself, and the app hash after the previous block,
 * so a validator whose state diverged refuses to vote for it.
 */
import {
  array,
  bytes,
  decode,
  encode,
  fixedBytes,
  type Infer,
  option,
  struct,
  u32,
  u64,
} from "../../shared/codec/index.ts";
import {
  COMMIT_PRECOMMITS_MAX,
  type CommitCertificate,
  SIGNATURE_LENGTH_MAX,
  VALUE_ID_LENGTH,
  voteBodyCodec,
} from "../consensus/messages.ts";
// Narrow imports: light clients (shared/sdk verifyCheckpointProof) decode blocks with this module.
import { SETTLEMENT_TX_BYTES_MAX, TXS_PER_BLOCK_MAX } from "../ledger/limits.ts";

const signedPrecommitCodec = struct({ vote: voteBodyCodec, signature: bytes(SIGNATURE_LENGTH_MAX) });

export const certificateCodec = struct({
  height: u64,
  round: u32,
  valueId: fixedBytes(VALUE_ID_LENGTH),
  precommits: array(signedPrecommitCodec, COMMIT_PRECOMMITS_MAX),
});

export const blockCodec = struct({
  height: u64,
  timeMs: u64,
  proposer: fixedBytes(32),
  /** App hash (state tree root) after height − 1: validators refuse a block built on another state. */
  appHashPrev: fixedBytes(32),
  /** The commit certificate of height − 1; absent at height 1. */
  lastCommit: option(certificateCodec),
  txs: array(bytes(SETTLEMENT_TX_BYTES_MAX), TXS_PER_BLOCK_MAX),
});

export type SettlementBlock = {
  height: bigint;
  timeMs: bigint;
  proposer: Uint8Array;
  appHashPrev: Uint8Array;
  lastCommit: CommitCertificate | null;
  txs: Uint8Array[];
};

type WireCertificate = Infer<typeof certificateCodec>;

function toWire(c: CommitCertificate): WireCertificate {
  return {
    height: BigInt(c.height),
    round: c.round,
    valueId: c.valueId,
    precommits: c.precommits.map((p) => ({ vote: p.vote, signature: p.signature })),
  };
}

function fromWire(c: WireCertificate): CommitCertificate {
  return {
    height: Number(c.height),
    round: c.round,
    valueId: c.valueId,
    precommits: c.precommits.map((p) => ({ vote: { type: "precommit", ...p.vote }, signature: p.signature })),
  };
}

export function encodeCertificate(c: CommitCertificate): Uint8Array {
  return encode(certificateCodec, toWire(c));
}

/** Throws CodecError on non-canonical bytes. */
export function decodeCertificate(bytes: Uint8Array): CommitCertificate {
  return fromWire(decode(certificateCodec, bytes));
}

export function encodeBlock(b: SettlementBlock): Uint8Array {
  return encode(blockCodec, { ...b, lastCommit: b.lastCommit ? toWire(b.lastCommit) : null });
}

/** Throws CodecError on non-canonical bytes. */
export function decodeBlock(bytes: Uint8Array): SettlementBlock {
  const b = decode(blockCodec, bytes);
  return { ...b, lastCommit: b.lastCommit ? fromWire(b.lastCommit) : null };
}
