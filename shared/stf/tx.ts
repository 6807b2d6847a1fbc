/**
 * Canonical encodings of lane transactions, deposits, block headers and
 * receipts (docs/spec/lane-transactions.md). Tags are stable: never reuse one.
 */
import {
  array,
  bytes,
  type Codec,
  decode,
  encode,
  fixedBytes,
  type Infer,
  option,
  string,
  struct,
  taggedUnion,
  u8,
  u16,
  u32,
  u64,
  u128,
} from "../codec/index.ts";
import { type Domain, MAX_CHAIN_ID_BYTES, MessageType, SIGN_MAGIC, SIGN_VERSION, signBytes } from "../domain.ts";
import { domainTag, hashTagged } from "../hash.ts";
import {
  ADDRESS_BYTES,
  ASSET_ID_BYTES,
  ITEM_METADATA_BYTES_MAX,
  ITEM_REFERENCE_BYTES_MAX,
  SIGNATURE_BYTES,
  SIGNATURES_PER_TX_MAX,
  TOKEN_SYMBOL_BYTES_MAX,
  TRADE_ASSETS_PER_SIDE_MAX,
} from "./limits.ts";

const address = fixedBytes(ADDRESS_BYTES);
const assetId = fixedBytes(ASSET_ID_BYTES);

/** One asset moved by a trade. */
export const tradeAssetCodec = taggedUnion({
  native: [0, struct({ amount: u128 })],
  token: [1, struct({ tokenId: assetId, amount: u128 })],
  item: [2, struct({ itemId: assetId })],
});
export type TradeAsset = Infer<typeof tradeAssetCodec>;

export const txPayloadCodec = taggedUnion({
  transfer: [1, struct({ to: address, amount: u128 })],
  createToken: [2, struct({ symbol: string(TOKEN_SYMBOL_BYTES_MAX), decimals: u8, supplyMax: u128 })],
  mintToken: [3, struct({ tokenId: assetId, to: address, amount: u128 })],
  transferToken: [4, struct({ tokenId: assetId, to: address, amount: u128 })],
  mintItem: [
    5,
    struct({
      referenceId: bytes(ITEM_REFERENCE_BYTES_MAX),
      owner: address,
      metadata: bytes(ITEM_METADATA_BYTES_MAX),
    }),
  ],
  transferItem: [6, struct({ itemId: assetId, to: address })],
  burnItem: [7, struct({ itemId: assetId })],
  trade: [
    8,
    struct({
      counterparty: address,
      give: array(tradeAssetCodec, TRADE_ASSETS_PER_SIDE_MAX),
      take: array(tradeAssetCodec, TRADE_ASSETS_PER_SIDE_MAX),
    }),
  ],
  withdraw: [9, struct({ asset: assetId, amount: u128, recipient: address })],
});
export type TxPayload = Infer<typeof txPayloadCodec>;

/** What the signers sign (inside signBytes): everything but the signatures. */
export const txBodyCodec = struct({
  chainId: string(MAX_CHAIN_ID_BYTES),
  lane: u32,
  sender: address,
  nonce: u64,
  maxFeePerGas: u64,
  tipPerGas: u64,
  idempotencyKey: option(fixedBytes(32)),
  payload: txPayloadCodec,
});
export type TxBody = Infer<typeof txBodyCodec>;

/** Signatures in signer order: [sender] or, for a trade, [sender, counterparty]. */
export const signedTxCodec = struct({
  body: txBodyCodec,
  signatures: array(fixedBytes(SIGNATURE_BYTES), SIGNATURES_PER_TX_MAX),
});
export type SignedTx = Infer<typeof signedTxCodec>;

/** A credit from settlement, not user-signed; applied at most once per depositId. */
export const depositCodec = struct({
  depositId: fixedBytes(32),
  recipient: address,
  asset: assetId,
  amount: u128,
});
export type Deposit = Infer<typeof depositCodec>;

export const blockHeaderCodec = struct({
  chainId: string(MAX_CHAIN_ID_BYTES),
  lane: u32,
  height: u64,
  timestampMs: u64,
  sequencer: address,
  baseFeePerGas: u64,
});
export type BlockHeader = Infer<typeof blockHeaderCodec>;

export const receiptCodec = struct({
  hash: fixedBytes(32),
  index: u32,
  status: u16,
  gasUsed: u64,
  feePaid: u128,
});
export type Receipt = Infer<typeof receiptCodec>;

const TX_HASH_TAG = domainTag("bitlayer/lane-tx/v1");
const DEPOSIT_HASH_TAG = domainTag("bitlayer/lane-deposit/v1");
const RECEIPTS_HASH_TAG = domainTag("bitlayer/lane-receipts/v1");

/** The hash of a signed transaction: over its exact (canonical) bytes, signatures included. */
export function txHash(txBytes: Uint8Array): Uint8Array {
  return hashTagged(TX_HASH_TAG, txBytes);
}

export function depositHash(deposit: Deposit): Uint8Array {
  return hashTagged(DEPOSIT_HASH_TAG, encode(depositCodec, deposit));
}

/** Commitment to a block's receipts, in order: hash of their concatenated encodings. */
export function receiptsHash(receipts: readonly Receipt[]): Uint8Array {
  return hashTagged(RECEIPTS_HASH_TAG, ...receipts.map((r) => encode(receiptCodec, r)));
}

export function encodeSignedTx(tx: SignedTx): Uint8Array {
  return encode(signedTxCodec, tx);
}

/** Throws CodecError on anything that is not the canonical encoding. */
export function decodeSignedTx(txBytes: Uint8Array): SignedTx {
  return decode(signedTxCodec, txBytes);
}

/** The bytes every signer of `body` signs (DESIGN.md: domain separated by chain, lane and type). */
export function txSignBytes(body: TxBody): Uint8Array {
  const domain: Domain = { chainId: body.chainId, lane: body.lane };
  return signBytes(MessageType.LaneTx, domain, encode(txBodyCodec, body));
}

/**
 * txSignBytes(tx.body) built from the canonical wire bytes of `tx` (what
 * decodeSignedTx(txBytes) returned) without re-encoding the body: the wire
 * bytes are `body ‖ varuint(n) ‖ n signatures`, and the body starts with the
 * domain's own fields (chainId as a string, then lane as a u32), so the sign
 * bytes are `"BTLR" ‖ version ‖ LaneTx ‖ body[0 .. chainId and lane] ‖ body`.
 * Only for bytes decodeSignedTx accepted (the codec is canonical, so they are
 * encode(signedTxCodec, tx)); test/core/stf-properties.test.ts proves it
 * equals txSignBytes.
 */
export function txSignBytesFromWire(txBytes: Uint8Array, tx: SignedTx): Uint8Array {
  // n ≤ SIGNATURES_PER_TX_MAX < 128: a one-byte varuint; a chain id ≤ 64 bytes: a one-byte length.
  const bodyLength = txBytes.length - 1 - SIGNATURE_BYTES * tx.signatures.length;
  const domainLength = 1 + txBytes[0]! + 4;
  const magic = SIGN_MAGIC.length;
  const out = signBytesBuffer(magic + 2 + domainLength + bodyLength);
  out.set(SIGN_MAGIC, 0);
  out[magic] = SIGN_VERSION;
  out[magic + 1] = MessageType.LaneTx;
  out.set(txBytes.subarray(0, domainLength), magic + 2);
  out.set(txBytes.subarray(0, bodyLength), magic + 2 + domainLength);
  return out;
}

/**
 * Sign bytes are cut from shared 16 KB chunks (each is written once and
 * never reused): a fresh array of their size (over V8's 64-byte on-heap
 * limit) is an ArrayBuffer and backing store of its own per transaction.
 */
const SIGN_CHUNK_BYTES = 16 * 1024;
let signChunk = new Uint8Array(SIGN_CHUNK_BYTES);
let signChunkUsed = 0;

function signBytesBuffer(length: number): Uint8Array {
  if (length > SIGN_CHUNK_BYTES / 8) return new Uint8Array(length);
  if (signChunkUsed + length > SIGN_CHUNK_BYTES) {
    signChunk = new Uint8Array(SIGN_CHUNK_BYTES);
    signChunkUsed = 0;
  }
  const out = signChunk.subarray(signChunkUsed, signChunkUsed + length);
  signChunkUsed += length;
  return out;
}

/** Public keys that must sign `body`, in the order of SignedTx.signatures. */
export function requiredSigners(body: TxBody): Uint8Array[] {
  return body.payload.type === "trade" ? [body.sender, body.payload.counterparty] : [body.sender];
}

export type { Codec };
