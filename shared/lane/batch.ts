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

export function encodeBlock(block: Block): Uint8Array {
  return encode(laneBlockCodec, { header: block.header, deposits: [...block.deposits], txs: [...block.txs] });
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
