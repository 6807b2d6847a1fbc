/**
 * Consensus messages, their canonical encodings and sign-bytes
 * (docs/spec/consensus.md). A vote's type is not in its body: it is the
 * message type of the sign domain (Prevote 6, Precommit 7), so a prevote's
 * signature can never verify as a precommit.
 */
import {
  array,
  bytes,
  CodecErrorCode,
  type Codec,
  decode,
  encode,
  enumU8,
  fixedBytes,
  option,
  struct,
  taggedUnion,
  u16,
  u32,
  u64,
} from "../../shared/codec/index.ts";
import { type Domain, MessageType, SETTLEMENT_LANE, signBytes } from "../../shared/domain.ts";
import { domainTag, hashTagged } from "../../shared/hash.ts";

export const VALUE_ID_LENGTH = 32;
export const SIGNATURE_LENGTH_MAX = 64;
export const VALUE_BYTES_MAX = 1 << 20;
export const EXTENSION_BYTES_MAX = 1024;
export const COMMIT_PRECOMMITS_MAX = 1024;

export type VoteType = "prevote" | "precommit";

/** What a validator votes for: the id of a value, or nil (null). */
export type Vote = {
  type: VoteType;
  height: number;
  round: number;
  valueId: Uint8Array | null;
  validatorIndex: number;
  /** Application data signed with a precommit for a value (checkpoint roots); empty otherwise. */
  extension: Uint8Array;
};
export type SignedVote = { vote: Vote; signature: Uint8Array };

export type Proposal = {
  height: number;
  round: number;
  /** The valid round the proposer re-proposes from (paper's vr), or -1. */
  polRound: number;
  value: Uint8Array;
  validatorIndex: number;
};
export type SignedProposal = { proposal: Proposal; signature: Uint8Array };

/** More than 2/3 of stake precommitted `valueId` at (height, round): the portable proof of a decision. */
export type CommitCertificate = {
  height: number;
  round: number;
  valueId: Uint8Array;
  precommits: SignedVote[];
};

/** Two signed votes by one validator for the same height, round and type but different values. */
export type DuplicateVoteEvidence = { voteA: SignedVote; voteB: SignedVote };

/** Signs sign-bytes. The simulator may use a keyed-hash stand-in; nodes use Ed25519. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

const heightCodec: Codec<number> = {
  layout: "u64",
  write(w, v) {
    u64.write(w, BigInt(v));
  },
  read(r) {
    const v = u64.read(r);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) r.fail(CodecErrorCode.OutOfRange, "height above 2^53-1");
    return Number(v);
  },
};

/** -1 is encoded as an absent option so every round on the wire is an unsigned integer. */
const polRoundCodec: Codec<number> = {
  layout: "option<u32>",
  write(w, v) {
    option(u32).write(w, v < 0 ? null : v);
  },
  read(r) {
    const v = option(u32).read(r);
    return v === null ? -1 : v;
  },
};

export const voteBodyCodec = struct({
  height: heightCodec,
  round: u32,
  valueId: option(fixedBytes(VALUE_ID_LENGTH)),
  validatorIndex: u16,
  extension: bytes(EXTENSION_BYTES_MAX),
});

export const proposalBodyCodec = struct({
  height: heightCodec,
  round: u32,
  polRound: polRoundCodec,
  value: bytes(VALUE_BYTES_MAX),
  validatorIndex: u16,
});

const signature = bytes(SIGNATURE_LENGTH_MAX);
const signedVoteBody = struct({ vote: voteBodyCodec, signature });

/** Everything a validator sends to its peers. */
export const consensusMessageCodec = taggedUnion({
  proposal: [1, struct({ proposal: proposalBodyCodec, signature })],
  prevote: [2, signedVoteBody],
  precommit: [3, signedVoteBody],
  commit: [
    4,
    struct({
      height: heightCodec,
      round: u32,
      valueId: fixedBytes(VALUE_ID_LENGTH),
      value: bytes(VALUE_BYTES_MAX),
      precommits: array(signedVoteBody, COMMIT_PRECOMMITS_MAX),
    }),
  ],
});

export const evidenceCodec = struct({
  voteType: enumU8(["prevote", "precommit"] as const),
  voteA: signedVoteBody,
  voteB: signedVoteBody,
});

const VALUE_TAG = domainTag("bitlayer/consensus/value/v1");

/** id(v) of the paper: votes name values by this hash. */
export function valueIdOf(value: Uint8Array): Uint8Array {
  return hashTagged(VALUE_TAG, value);
}

export function settlementDomain(chainId: string): Domain {
  return { chainId, lane: SETTLEMENT_LANE };
}

export function voteSignBytes(chainId: string, vote: Vote): Uint8Array {
  const type = vote.type === "prevote" ? MessageType.Prevote : MessageType.Precommit;
  return signBytes(type, settlementDomain(chainId), encode(voteBodyCodec, vote));
}

export function proposalSignBytes(chainId: string, proposal: Proposal): Uint8Array {
  return signBytes(MessageType.Proposal, settlementDomain(chainId), encode(proposalBodyCodec, proposal));
}

export function signVote(chainId: string, signer: Signer, vote: Vote): SignedVote {
  return { vote, signature: signer.sign(voteSignBytes(chainId, vote)) };
}

export function signProposal(chainId: string, signer: Signer, proposal: Proposal): SignedProposal {
  return { proposal, signature: signer.sign(proposalSignBytes(chainId, proposal)) };
}

export type ConsensusMessage =
  | { type: "proposal"; signed: SignedProposal }
  | { type: "vote"; signed: SignedVote }
  | { type: "commit"; certificate: CommitCertificate; value: Uint8Array };

export function encodeConsensusMessage(message: ConsensusMessage): Uint8Array {
  if (message.type === "proposal")
    return encode(consensusMessageCodec, { type: "proposal", ...message.signed });
  if (message.type === "vote")
    return encode(consensusMessageCodec, { type: message.signed.vote.type, ...message.signed } as never);
  const c = message.certificate;
  return encode(consensusMessageCodec, {
    type: "commit",
    height: c.height,
    round: c.round,
    valueId: c.valueId,
    value: message.value,
    precommits: c.precommits,
  } as never);
}

type WireVote = { vote: Omit<Vote, "type">; signature: Uint8Array };
const withType = (type: VoteType, v: WireVote): SignedVote => ({
  vote: { type, ...v.vote },
  signature: v.signature,
});

/** Decodes a peer's message; throws CodecError on anything non-canonical. Signatures are not checked here. */
export function decodeConsensusMessage(bytes: Uint8Array): ConsensusMessage {
  const m = decode(consensusMessageCodec, bytes);
  if (m.type === "proposal")
    return { type: "proposal", signed: { proposal: m.proposal, signature: m.signature } };
  if (m.type === "prevote" || m.type === "precommit") return { type: "vote", signed: withType(m.type, m) };
  return {
    type: "commit",
    value: m.value,
    certificate: {
      height: m.height,
      round: m.round,
      valueId: m.valueId,
      precommits: m.precommits.map((p) => withType("precommit", p)),
    },
  };
}

export function encodeEvidence(evidence: DuplicateVoteEvidence): Uint8Array {
  return encode(evidenceCodec, { voteType: evidence.voteA.vote.type, ...evidence });
}

export function decodeEvidence(bytes: Uint8Array): DuplicateVoteEvidence {
  const e = decode(evidenceCodec, bytes);
  return { voteA: withType(e.voteType, e.voteA), voteB: withType(e.voteType, e.voteB) };
}
