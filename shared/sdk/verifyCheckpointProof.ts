import { fromHex, toHex } from "../bytes.ts";
import { decode } from "../codec/index.ts";
import { decodeSmtProof, verifyProof } from "../smt/proof.ts";
import { valueIdOf } from "../../settlement-node/consensus/messages.ts";
import { type CheckpointRecord, checkpointCodec, ledgerKeys } from "../../settlement-node/ledger/records.ts";
import { decodeBlock } from "../../settlement-node/node/block.ts";
import {
  type SettlementCertificate,
  type TrustedValidator,
  verifySettlementCertificate,
} from "./verifySettlementCertificate.ts";

type Hex = string | Uint8Array;

/** A proven checkpoint as settlement's API serves it (GET /v1/lanes/:id/checkpoints/:index/proof). */
export type CheckpointProof = {
  /** H: the proof is of the ledger state after block H. */
  height: string | bigint | number;
  /** Block H + 1's canonical bytes; its appHashPrev is the state root after H. */
  block: Hex;
  /** H + 1's commit certificate. */
  certificate: SettlementCertificate;
  /** The record's ledger key; recomputed from (lane, index) and compared when given. */
  key?: Hex;
  /** The checkpoint record's canonical bytes. */
  value: Hex;
  /** SMT inclusion proof (encodeSmtProof) of key → value under block H + 1's appHashPrev. */
  proof: Hex;
};

export type VerifyCheckpointProofParameters = {
  chainId: string;
  /** The validator set you trust (GET /v1/validators at a height you trust, or your own pinned list). */
  validators: readonly TrustedValidator[];
  lane: number;
  index: bigint | number | string;
  /** What a validator served: not trusted, every field is checked. */
  proof: CheckpointProof;
};

export type VerifyCheckpointProofReturnType =
  | {
      valid: true;
      /** The checkpoint as settlement's ledger holds it (newRoot, batchHash, postedHeight, finalHeight, ...). */
      record: CheckpointRecord;
      /** H: the record is in the ledger state after this block. */
      provenHeight: bigint;
      /** `final` when finalHeight ≤ H (the challenge window is over), else `settled`. */
      status: "settled" | "final";
      /** Hash (consensus value id) of block H + 1, hex without 0x. */
      blockHash: string;
      /** Public keys (hex) whose precommits for block H + 1 verified. */
      signers: string[];
      signedPower: bigint;
      totalPower: bigint;
    }
  | { valid: false; reason: string };

const bytesOf = (v: Hex): Uint8Array => {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== "string") throw new TypeError("expected hex");
  return fromHex(v.startsWith("0x") ? v.slice(2) : v);
};

/**
 * The light client for checkpoints: accepts a checkpoint's finality only if
 * (1) block H + 1 decodes and its hash, computed here exactly as consensus
 * computes a value id, carries precommits of more than 2/3 of the trusted
 * set's power (verifySettlementCertificate), and (2) the checkpoint record
 * of (lane, index) is proven by an SMT inclusion proof under that block's
 * appHashPrev, the state root after H. The record is then settled on
 * settlement, and final once its finalHeight ≤ H. The serving node is not
 * trusted. Settlement has no state that revokes an accepted checkpoint (a
 * frozen lane keeps its checkpoints and withdrawals claimable), so nothing
 * else can make a proven final record non-final.
 *
 * Never throws on bad input: anything malformed or inconsistent is
 * `valid: false` with a reason.
 *
 * @example
 * const proof = await (await fetch(`${url}/v1/lanes/1/checkpoints/7/proof`)).json();
 * const r = await verifyCheckpointProof({ chainId, validators: trusted, lane: 1, index: 7n, proof });
 * if (r.valid && r.status === "final") use(r.record.newRoot);
 */
export async function verifyCheckpointProof(
  p: VerifyCheckpointProofParameters,
): Promise<VerifyCheckpointProofReturnType> {
  const fail = (reason: string) => ({ valid: false as const, reason });
  try {
    if (!Number.isInteger(p.lane) || p.lane < 1 || p.lane > 0xffff_ffff) return fail("lane out of range");
    const index = BigInt(p.index);
    if (index < 0n || index >= 1n << 64n) return fail("index out of range");
    const served = p.proof;
    if (typeof served !== "object" || served === null) return fail("the proof is not an object");
    const height = BigInt(served.height);
    if (height < 0n) return fail("height out of range");

    const blockBytes = bytesOf(served.block);
    let block: ReturnType<typeof decodeBlock>;
    try {
      block = decodeBlock(blockBytes);
    } catch (error) {
      return fail(`the block does not decode: ${message(error)}`);
    }
    if (block.height !== height + 1n)
      return fail(`the block is at height ${block.height}, not ${height + 1n} (the proven height + 1)`);

    const key = ledgerKeys.checkpoint(p.lane, index);
    if (served.key !== undefined && toHex(bytesOf(served.key)) !== toHex(key))
      return fail(`the key is not lane ${p.lane} checkpoint ${index}'s`);
    const value = bytesOf(served.value);
    let smtProof: ReturnType<typeof decodeSmtProof>;
    try {
      smtProof = decodeSmtProof(bytesOf(served.proof));
    } catch (error) {
      return fail(`the SMT proof does not decode: ${message(error)}`);
    }
    if (!verifyProof(block.appHashPrev, key, value, smtProof))
      return fail(`the SMT proof does not show the record under block ${block.height}'s appHashPrev`);
    let record: CheckpointRecord;
    try {
      record = decode(checkpointCodec, value);
    } catch (error) {
      return fail(`the value is not a checkpoint record: ${message(error)}`);
    }
    if (record.lane !== p.lane || record.index !== index)
      return fail(`the record is lane ${record.lane} checkpoint ${record.index}'s`);
    if (record.postedHeight > height)
      return fail(`the record claims block ${record.postedHeight}, after the proven state ${height}`);

    const certificate = served.certificate;
    if (typeof certificate !== "object" || certificate === null) return fail("the certificate is missing");
    if (BigInt(certificate.height) !== block.height)
      return fail(`the certificate is for height ${certificate.height}, not ${block.height}`);
    const blockHash = valueIdOf(blockBytes);
    const cert = await verifySettlementCertificate({
      chainId: p.chainId,
      certificate,
      validators: p.validators,
      blockHash,
    });
    if (!cert.valid) return fail(`block ${block.height}'s certificate: ${cert.reason ?? "invalid"}`);
    return {
      valid: true,
      record,
      provenHeight: height,
      status: record.finalHeight <= height ? "final" : "settled",
      blockHash: toHex(blockHash),
      signers: cert.signers,
      signedPower: cert.signedPower,
      totalPower: cert.totalPower,
    };
  } catch (error) {
    return fail(`malformed input: ${message(error)}`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}
