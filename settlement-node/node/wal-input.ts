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
  struct,
  taggedUnion,
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

/** Throws CodecError on a record this version cannot read (a corrupt WAL is refused, never guessed). */
export function decodeWalInput(bytes: Uint8Array): LoggedInput {
  const r = decode(walInputCodec, bytes);
  switch (r.type) {
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
