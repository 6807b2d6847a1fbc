/**
 * Messages between validators after the handshake, one per WebSocket binary
 * frame, in the canonical codec. Consensus messages and transactions are
 * signed inside; the transport only authenticates who sent the frame.
 */
import {
  array,
  bytes,
  decode,
  encode,
  type Infer,
  struct,
  taggedUnion,
  u16,
  u64,
} from "../../shared/codec/index.ts";
import { EVIDENCE_BYTES_MAX, SETTLEMENT_TX_BYTES_MAX } from "../ledger/index.ts";

/** A frame never exceeds this (ws maxPayload): a block of the maximum size plus its certificate fits. */
export const FRAME_BYTES_MAX = 32 * 1024 * 1024;
/** A consensus message (proposal with its block) is bounded by the core's value limit plus headroom. */
export const CONSENSUS_MESSAGE_BYTES_MAX = 2 * 1024 * 1024;
/** Blocks per sync response: bounded so one response stays well under FRAME_BYTES_MAX. */
export const SYNC_BLOCKS_PER_RESPONSE_MAX = 64;
export const TXS_PER_FRAME_MAX = 1024;

export const wireCodec = taggedUnion({
  consensus: [1, struct({ message: bytes(CONSENSUS_MESSAGE_BYTES_MAX) })],
  txs: [2, struct({ txs: array(bytes(SETTLEMENT_TX_BYTES_MAX), TXS_PER_FRAME_MAX) })],
  evidence: [3, struct({ evidence: bytes(EVIDENCE_BYTES_MAX) })],
  /** Our committed height: a peer that is behind asks us for blocks. */
  status: [4, struct({ heightCommitted: u64 })],
  blocksRequest: [5, struct({ heightFrom: u64, count: u16 })],
  blocksResponse: [
    6,
    struct({
      blocks: array(
        struct({ height: u64, block: bytes(CONSENSUS_MESSAGE_BYTES_MAX), certificate: bytes(256 * 1024) }),
        SYNC_BLOCKS_PER_RESPONSE_MAX,
      ),
    }),
  ],
});

export type WireMessage = Infer<typeof wireCodec>;

export const encodeWire = (m: WireMessage): Uint8Array => encode(wireCodec, m);
/** Throws CodecError on anything non-canonical. */
export const decodeWire = (b: Uint8Array): WireMessage => decode(wireCodec, b);
