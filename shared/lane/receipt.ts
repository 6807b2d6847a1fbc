/**
 * Signed lane receipts (DESIGN.md "Life of a transaction", step 3): the
 * sequencer's slashable promise that a transaction is in the lane at
 * (height, index) with the given post-state root. Receipts form a hash chain
 * through prevReceiptHash, so a checkpoint that omits or reorders one
 * contradicts a signed receipt.
 */
import { encode, fixedBytes, type Infer, string, struct, u16, u32, u64 } from "../codec/index.ts";
import { verifySignature } from "../crypto/verifier.ts";
import { MAX_CHAIN_ID_BYTES, MessageType, signBytes } from "../domain.ts";
import { domainTag, hashTagged } from "../hash.ts";

export const laneReceiptCodec = struct({
  chainId: string(MAX_CHAIN_ID_BYTES),
  lane: u32,
  height: u64,
  /** Position of the transaction in its block. */
  index: u32,
  txHash: fixedBytes(32),
  /** receiptHash of the lane's previous receipt; 32 zero bytes for the first. */
  prevReceiptHash: fixedBytes(32),
  /** The lane's state root after the block that holds the transaction. */
  stateRoot: fixedBytes(32),
  /** shared/stf TxStatus; a sequencer only signs receipts of included (Ok) transactions. */
  status: u16,
});
export type LaneReceipt = Infer<typeof laneReceiptCodec>;

export const signedLaneReceiptCodec = struct({ receipt: laneReceiptCodec, signature: fixedBytes(64) });
export type SignedLaneReceipt = Infer<typeof signedLaneReceiptCodec>;

export const GENESIS_RECEIPT_HASH = new Uint8Array(32);
const RECEIPT_HASH_TAG = domainTag("bitlayer/lane-receipt/v1");

/** The chain link: hash of the receipt's canonical encoding (the signature is not part of it). */
export function receiptHash(receipt: LaneReceipt): Uint8Array {
  return hashTagged(RECEIPT_HASH_TAG, encode(laneReceiptCodec, receipt));
}

/** What the sequencer signs: signBytes(Receipt, {chainId, lane}, encode(receipt)). */
export function receiptSignBytes(receipt: LaneReceipt): Uint8Array {
  return signBytes(
    MessageType.Receipt,
    { chainId: receipt.chainId, lane: receipt.lane },
    encode(laneReceiptCodec, receipt),
  );
}

/** True iff `sequencer` signed this receipt (the one Ed25519 policy; never throws). */
export function verifyReceipt(signed: SignedLaneReceipt, sequencer: Uint8Array): Promise<boolean> {
  let message: Uint8Array;
  try {
    message = receiptSignBytes(signed.receipt);
  } catch {
    return Promise.resolve(false);
  }
  return verifySignature(sequencer, message, signed.signature);
}
