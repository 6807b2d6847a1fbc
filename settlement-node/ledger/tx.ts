/**
 * Canonical encodings of settlement transactions and the bytes their
 * signatures cover (docs/spec/settlement-transactions.md). Tags are stable:
 * never reuse one.
 */
import { bigintToBytesBE } from "../../shared/bytes.ts";
import {
  bytes,
  CodecError,
  CodecErrorCode,
  decode,
  encode,
  fixedBytes,
  type Infer,
  struct,
  taggedUnion,
  u32,
  u64,
  u128,
} from "../../shared/codec/index.ts";
import { MessageType, SETTLEMENT_LANE, signBytes } from "../../shared/domain.ts";
import { domainTag, hashTagged } from "../../shared/hash.ts";
import {
  ACCOUNT_ADDRESS_BYTES,
  BATCH_DATA_BYTES_MAX,
  EVIDENCE_BYTES_MAX,
  HASH_BYTES,
  LANE_ADDRESS_BYTES,
  LANE_TX_BYTES_MAX,
  PUBLIC_KEY_BYTES,
  ROOT_BYTES,
  SETTLEMENT_TX_BYTES_MAX,
  SIGNATURE_BYTES,
  WITHDRAWAL_LEAF_BYTES_MAX,
  WITHDRAWAL_PROOF_BYTES_MAX,
} from "./limits.ts";

const publicKey = fixedBytes(PUBLIC_KEY_BYTES);
const root = fixedBytes(ROOT_BYTES);
const signature = fixedBytes(SIGNATURE_BYTES);

/** What a lane's sequencer signs for a checkpoint; batch data is covered by batchHash. */
export const checkpointBodyCodec = struct({
  lane: u32,
  index: u64,
  prevRoot: root,
  newRoot: root,
  withdrawalCount: u64,
  /** How many of the lane's settlement deposits the lane has consumed after this checkpoint. */
  depositCursor: u64,
  /** How many of the lane's forced transactions the lane has included after this checkpoint. */
  forcedCursor: u64,
  batchHash: fixedBytes(HASH_BYTES),
  stfVersion: u32,
});
export type CheckpointBody = Infer<typeof checkpointBodyCodec>;

export const settlementPayloadCodec = taggedUnion({
  transfer: [1, struct({ to: fixedBytes(ACCOUNT_ADDRESS_BYTES), amount: u128 })],
  bond: [2, struct({ amount: u128 })],
  unbond: [3, struct({ amount: u128 })],
  withdrawUnbonded: [4, struct({})],
  /** Opaque consensus evidence (two conflicting signed votes); the node shell verifies it before apply. */
  reportDoubleSign: [5, struct({ evidence: bytes(EVIDENCE_BYTES_MAX) })],
  unjail: [6, struct({})],
  announceMaintenance: [7, struct({ fromHeight: u64, toHeight: u64 })],
  openLane: [
    8,
    struct({
      sequencer: publicKey,
      bond: u128,
      challengeWindowBlocks: u64,
      genesisRoot: root,
      /** Settlement blocks within which a forced transaction must be covered by a checkpoint. */
      forcedInclusionBlocks: u64,
      /**
       * The native supply the lane's genesis allocates (its genesis balances):
       * debited from the sender with the bond and held as the lane's initial
       * escrow, so every genesis coin the lane may release is backed here.
       */
      genesisEscrow: u128,
    }),
  ],
  depositToLane: [9, struct({ lane: u32, recipient: fixedBytes(LANE_ADDRESS_BYTES), amount: u128 })],
  postCheckpoint: [
    10,
    struct({
      lane: u32,
      index: u64,
      prevRoot: root,
      newRoot: root,
      withdrawalCount: u64,
      depositCursor: u64,
      forcedCursor: u64,
      batchData: bytes(BATCH_DATA_BYTES_MAX),
      batchHash: fixedBytes(HASH_BYTES),
      stfVersion: u32,
      sequencer: publicKey,
      sequencerSignature: signature,
    }),
  ],
  claimWithdrawal: [
    11,
    struct({
      lane: u32,
      checkpointIndex: u64,
      /** The withdrawal leaf value as stored in lane state (shared/stf withdrawalCodec). */
      withdrawal: bytes(WITHDRAWAL_LEAF_BYTES_MAX),
      /** shared/smt encodeSmtProof of the leaf's key against the checkpoint's newRoot. */
      proof: bytes(WITHDRAWAL_PROOF_BYTES_MAX),
    }),
  ],
  /**
   * Forced inclusion: a signed lane transaction (shared/stf signedTxCodec
   * bytes) the lane must put first in a block within the lane's
   * forcedInclusionBlocks, or settlement freezes the lane.
   */
  forceLaneTx: [12, struct({ lane: u32, tx: bytes(LANE_TX_BYTES_MAX) })],
});
export type SettlementPayload = Infer<typeof settlementPayloadCodec>;
export type SettlementTxType = SettlementPayload["type"];
export type PayloadOf<T extends SettlementTxType> = Extract<SettlementPayload, { type: T }>;

/** What the sender signs (inside signBytes, lane 0). */
export const settlementTxBodyCodec = struct({
  sender: publicKey,
  nonce: u64,
  fee: u128,
  payload: settlementPayloadCodec,
});
export type SettlementTxBody = Infer<typeof settlementTxBodyCodec>;

export const signedSettlementTxCodec = struct({ body: settlementTxBodyCodec, signature });
export type SignedSettlementTx = Infer<typeof signedSettlementTxCodec>;

/** Double-sign evidence after the consensus layer has verified both votes. */
export type DoubleSignEvidence = { validatorPublicKey: Uint8Array; height: bigint };

/**
 * A transaction as the ledger applies it: signatures were checked by the
 * shell (mempool or block validation) with the one verifySignature policy,
 * so apply stays synchronous and pure.
 */
export type VerifiedTx = {
  tx: SignedSettlementTx;
  hash: Uint8Array;
  /** The sender's signature over settlementTxSignBytes. */
  sigValid: boolean;
  /** postCheckpoint: sequencerSignature verifies under payload.sequencer over checkpointSignBytes. */
  checkpointSigValid?: boolean;
  /** reportDoubleSign: the verified evidence, or null if it did not verify. */
  evidence?: DoubleSignEvidence | null;
};

const TX_HASH_TAG = domainTag("bitlayer/settlement-tx/v1");
const BATCH_HASH_TAG = domainTag("bitlayer/checkpoint-batch/v1");
const DEPOSIT_ID_TAG = domainTag("bitlayer/settlement-deposit-id/v1");

export function encodeSettlementTx(tx: SignedSettlementTx): Uint8Array {
  return encode(signedSettlementTxCodec, tx);
}

/** Throws CodecError on anything that is not the canonical encoding or exceeds SETTLEMENT_TX_BYTES_MAX. */
export function decodeSettlementTx(txBytes: Uint8Array): SignedSettlementTx {
  if (txBytes.length > SETTLEMENT_TX_BYTES_MAX) {
    throw new CodecError(
      CodecErrorCode.Oversize,
      "tx",
      0,
      `${txBytes.length} bytes exceeds the limit of ${SETTLEMENT_TX_BYTES_MAX}`,
    );
  }
  return decode(signedSettlementTxCodec, txBytes);
}

export function settlementTxHash(txBytes: Uint8Array): Uint8Array {
  return hashTagged(TX_HASH_TAG, txBytes);
}

export function settlementTxSignBytes(chainId: string, body: SettlementTxBody): Uint8Array {
  return signBytes(
    MessageType.SettlementTx,
    { chainId, lane: SETTLEMENT_LANE },
    encode(settlementTxBodyCodec, body),
  );
}

export function checkpointSignBytes(chainId: string, body: CheckpointBody): Uint8Array {
  return signBytes(MessageType.Checkpoint, { chainId, lane: body.lane }, encode(checkpointBodyCodec, body));
}

export function checkpointBodyOf(p: PayloadOf<"postCheckpoint">): CheckpointBody {
  return {
    lane: p.lane,
    index: p.index,
    prevRoot: p.prevRoot,
    newRoot: p.newRoot,
    withdrawalCount: p.withdrawalCount,
    depositCursor: p.depositCursor,
    forcedCursor: p.forcedCursor,
    batchHash: p.batchHash,
    stfVersion: p.stfVersion,
  };
}

export function batchHashOf(batchData: Uint8Array): Uint8Array {
  return hashTagged(BATCH_HASH_TAG, batchData);
}

/** The 32-byte deposit id the lane credits at most once, derived from (lane, sequential id). */
export function laneDepositIdOf(lane: number, id: bigint): Uint8Array {
  return hashTagged(DEPOSIT_ID_TAG, bigintToBytesBE(BigInt(lane), 4), bigintToBytesBE(id, 8));
}

export type VerifySignature = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
export type VerifyEvidence = (evidence: Uint8Array) => DoubleSignEvidence | null;

/** One signature a transaction carries: the key, the exact bytes signed, the signature. */
export type TxSignature = { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array };

/**
 * The signatures a decoded transaction carries, in the order they are
 * checked: its sender's over settlementTxSignBytes, then (postCheckpoint)
 * the sequencer's over checkpointSignBytes. Double-sign evidence is checked
 * by the consensus layer (VerifyEvidence), not listed here.
 */
export function settlementTxSignatures(chainId: string, tx: SignedSettlementTx): TxSignature[] {
  const out: TxSignature[] = [
    { publicKey: tx.body.sender, message: settlementTxSignBytes(chainId, tx.body), signature: tx.signature },
  ];
  const p = tx.body.payload;
  if (p.type === "postCheckpoint")
    out.push({
      publicKey: p.sequencer,
      message: checkpointSignBytes(chainId, checkpointBodyOf(p)),
      signature: p.sequencerSignature,
    });
  return out;
}

/**
 * A decoded transaction with the results of its settlementTxSignatures, in
 * their order, and the evidence verifier's answer for a report.
 */
export function verifiedTxOf(
  tx: SignedSettlementTx,
  hash: Uint8Array,
  signaturesValid: readonly boolean[],
  verifyEvidence: VerifyEvidence = () => null,
): VerifiedTx {
  const verified: VerifiedTx = { tx, hash, sigValid: signaturesValid[0] === true };
  const p = tx.body.payload;
  if (p.type === "postCheckpoint") verified.checkpointSigValid = signaturesValid[1] === true;
  else if (p.type === "reportDoubleSign") verified.evidence = verifyEvidence(p.evidence);
  return verified;
}

/**
 * Decodes and verifies a transaction for apply: the shell's one entry point,
 * given shared/crypto verifySignature and the consensus layer's evidence
 * verifier. Throws CodecError on non-canonical bytes (drop the tx).
 */
export function verifySettlementTx(
  txBytes: Uint8Array,
  chainId: string,
  verify: VerifySignature,
  verifyEvidence: VerifyEvidence = () => null,
): VerifiedTx {
  const tx = decodeSettlementTx(txBytes);
  const results = settlementTxSignatures(chainId, tx).map((s) => verify(s.publicKey, s.message, s.signature));
  return verifiedTxOf(tx, settlementTxHash(txBytes), results, verifyEvidence);
}
