/**
 * Consensus inputs as WAL records (canonical codec). startHeight is not
 * logged: on restart it is derived from the block store, the source of truth
 * for committed heights.
 */
import {
  bool,
  bytes,
  decode,
  encode,
  enumU8,
  fixedBytes,
  struct,
  taggedUnion,
  u8,
  u32,
  u64,
} from "../../shared/codec/index.ts";
import {
  type ConsensusInput,
  decodeConsensusMessage,
  EXTENSION_BYTES_MAX,
  encodeConsensusMessage,
  VALUE_BYTES_MAX,
} from "../consensus/index.ts";
import type { SignedState } from "../storage/sign-guard.ts";

const MESSAGE_BYTES_MAX = VALUE_BYTES_MAX + 256 * 1024;

const walInputCodec = taggedUnion({
  proposeValue: [
    1,
    struct({ height: u64, round: u32, value: bytes(VALUE_BYTES_MAX), extension: bytes(EXTENSION_BYTES_MAX) }),
  ],
  proposal: [
    2,
    struct({ message: bytes(MESSAGE_BYTES_MAX), valid: bool, extension: bytes(EXTENSION_BYTES_MAX) }),
  ],
  vote: [3, struct({ message: bytes(MESSAGE_BYTES_MAX) })],
  commit: [4, struct({ message: bytes(MESSAGE_BYTES_MAX) })],
  timeout: [
    5,
    struct({ height: u64, round: u32, step: enumU8(["propose", "prevote", "precommit"] as const) }),
  ],
  /**
   * Not an input: the sign guard's state for our own message about to leave,
   * fsynced with the inputs that led to it (storage/sign-guard.ts noteDurable).
   */
  signed: [6, struct({ height: u64, round: u32, step: u8, signBytesHash: fixedBytes(32) })],
});

export type LoggedInput = Exclude<ConsensusInput, { type: "startHeight" }>;

export function encodeWalInput(input: LoggedInput): Uint8Array {
  switch (input.type) {
    case "proposeValue":
      return encode(walInputCodec, { ...input, height: BigInt(input.height) });
    case "proposal":
      return encode(walInputCodec, {
        type: "proposal",
        message: encodeConsensusMessage({ type: "proposal", signed: input.signed }),
        valid: input.valid,
        extension: input.extension,
      });
    case "vote":
      return encode(walInputCodec, {
        type: "vote",
        message: encodeConsensusMessage({ type: "vote", signed: input.signed }),
      });
    case "commit":
      return encode(walInputCodec, {
        type: "commit",
        message: encodeConsensusMessage({
          type: "commit",
          certificate: input.certificate,
          value: input.value,
        }),
      });
    case "timeout":
      return encode(walInputCodec, { ...input, height: BigInt(input.height) });
  }
}

/** The height an input is for (every logged input is for the height the core was in). */
export function inputHeight(input: LoggedInput): number {
  switch (input.type) {
    case "proposeValue":
    case "timeout":
      return input.height;
    case "proposal":
      return input.signed.proposal.height;
    case "vote":
      return input.signed.vote.height;
    case "commit":
      return input.certificate.height;
  }
}

export function encodeWalSigned(state: SignedState): Uint8Array {
  return encode(walInputCodec, { type: "signed", ...state });
}

export type WalRecordDecoded = { type: "input"; input: LoggedInput } | { type: "signed"; state: SignedState };

/** Throws CodecError on a record this version cannot read (a corrupt WAL is refused, never guessed). */
export function decodeWalRecord(bytes: Uint8Array): WalRecordDecoded {
  const r = decode(walInputCodec, bytes);
  if (r.type === "signed")
    return {
      type: "signed",
      state: { height: r.height, round: r.round, step: r.step, signBytesHash: r.signBytesHash },
    };
  return { type: "input", input: decodeWalInput(bytes) };
}

/** Throws CodecError on a record this version cannot read (a corrupt WAL is refused, never guessed). */
export function decodeWalInput(bytes: Uint8Array): LoggedInput {
  const r = decode(walInputCodec, bytes);
  switch (r.type) {
    case "signed":
      throw new TypeError("WAL record is a sign-guard state, not an input");
    case "proposeValue":
      return { ...r, height: Number(r.height) };
    case "timeout":
      return { ...r, height: Number(r.height) };
    case "proposal": {
      const m = decodeConsensusMessage(r.message);
      if (m.type !== "proposal") throw new TypeError("WAL proposal record holds another message type");
      return { type: "proposal", signed: m.signed, valid: r.valid, extension: r.extension };
    }
    case "vote": {
      const m = decodeConsensusMessage(r.message);
      if (m.type !== "vote") throw new TypeError("WAL vote record holds another message type");
      return { type: "vote", signed: m.signed };
    }
    case "commit": {
      const m = decodeConsensusMessage(r.message);
      if (m.type !== "commit") throw new TypeError("WAL commit record holds another message type");
      return { type: "commit", certificate: m.certificate, value: m.value };
    }
  }
}
