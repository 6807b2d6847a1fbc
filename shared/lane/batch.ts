/**
 * Checkpoint batch data: the canonical bytes of the sealed blocks a
 * checkpoint covers, in height order. A watcher decodes it and replays each
 * block with shared/stf executeBlock from the checkpoint's prevRoot.
 */
import { concatBytes } from "../bytes.ts";
import { array, bytes, decode, encode, type Infer, struct, varuint } from "../codec/index.ts";
import { blockHeaderCodec, depositCodec } from "../stf/tx.ts";
import { DEPOSITS_PER_BLOCK_MAX, TX_BYTES_MAX, TXS_PER_BLOCK_MAX } from "../stf/limits.ts";
import type { Block } from "../stf/block.ts";

/** settlement-node/ledger/limits.ts BATCH_DATA_BYTES_MAX (the consensus bound on postCheckpoint). */
export const BATCH_DATA_BYTES_MAX = 131_072;
/** Blocks in one checkpoint, a codec bound well above what fits in BATCH_DATA_BYTES_MAX. */
export const BLOCKS_PER_BATCH_MAX = 4096;

export const laneBlockCodec = struct({
  header: blockHeaderCodec,
  deposits: array(depositCodec, DEPOSITS_PER_BLOCK_MAX),
  txs: array(bytes(TX_BYTES_MAX), TXS_PER_BLOCK_MAX),
});
export type LaneBlock = Infer<typeof laneBlockCodec>;

export const batchDataCodec = struct({ blocks: array(laneBlockCodec, BLOCKS_PER_BATCH_MAX) });

/** laneBlockCodec without its last field: a struct is its fields' encodings back to back. */
const blockHeadCodec = struct({
  header: blockHeaderCodec,
  deposits: array(depositCodec, DEPOSITS_PER_BLOCK_MAX),
});

/**
 * encode(laneBlockCodec, block), built in one exactly sized array: through
 * the codec's growing Writer a 20 KB block is copied ~7 times. The header
 * and deposits still go through the codec; the transactions are its
 * array-of-bytes layout (varuint count, then varuint length ‖ bytes each),
 * which the tests pin to the codec. Out-of-bounds blocks take the codec path
 * so they fail with its CodecError.
 */
export function encodeBlock(block: Block): Uint8Array {
  const { txs } = block;
  let txBytes = varuintLength(txs.length);
  let inBounds = txs.length <= TXS_PER_BLOCK_MAX;
  for (const tx of txs) {
    if (!(tx instanceof Uint8Array) || tx.length > TX_BYTES_MAX) inBounds = false;
    else txBytes += varuintLength(tx.length) + tx.length;
  }
  if (!inBounds)
    return encode(laneBlockCodec, { header: block.header, deposits: [...block.deposits], txs: [...txs] });
  const head = encode(blockHeadCodec, { header: block.header, deposits: [...block.deposits] });
  const out = new Uint8Array(head.length + txBytes);
  out.set(head, 0);
  let at = putVaruint(out, head.length, txs.length);
  for (const tx of txs) {
    at = putVaruint(out, at, tx.length);
    out.set(tx, at);
    at += tx.length;
  }
  return out;
}

/** The codec's varuint (LEB128, least significant group first), for lengths already bounds-checked. */
function varuintLength(v: number): number {
  let n = 1;
  for (let x = v; x >= 0x80; x = Math.floor(x / 0x80)) n++;
  return n;
}

function putVaruint(out: Uint8Array, at: number, v: number): number {
  let x = v;
  let i = at;
  while (x >= 0x80) {
    out[i++] = (x % 0x80) | 0x80;
    x = Math.floor(x / 0x80);
  }
  out[i++] = x;
  return i;
}

export function decodeBlock(blockBytes: Uint8Array): LaneBlock {
  return decode(laneBlockCodec, blockBytes);
}

/**
 * Batch data from already-encoded blocks: the array codec is a varuint count
 * followed by the items, so concatenating canonical block bytes behind the
 * count is the canonical batch encoding without decoding the blocks again.
 */
export function batchDataOf(encodedBlocks: readonly Uint8Array[]): Uint8Array {
  return concatBytes(encode(varuint, encodedBlocks.length), ...encodedBlocks);
}

export function decodeBatchData(batchData: Uint8Array): LaneBlock[] {
  return decode(batchDataCodec, batchData).blocks;
}

/** Bytes a batch of blocks with these encoded sizes takes (count prefix included). */
export function batchDataBytes(blockByteCounts: readonly number[]): number {
  return encode(varuint, blockByteCounts.length).length + blockByteCounts.reduce((a, b) => a + b, 0);
}
