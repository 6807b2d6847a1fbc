import { equalBytes, fromHex, toHex } from "../../shared/bytes.ts";
import {
  type TrustedValidator,
  verifySettlementCertificate,
  type VerifySettlementCertificateReturnType,
} from "../../shared/sdk/verifySettlementCertificate.ts";
import { valueIdOf } from "../../settlement-node/consensus/messages.ts";
import { settlementTxHash } from "../../settlement-node/ledger/tx.ts";
import { decodeBlock } from "../../settlement-node/node/block.ts";
import type { BitlayerClientBase } from "../client.ts";
import {
  VerificationError,
  type VerificationErrorType,
  type SettlementUnavailableErrorType,
} from "../errors.ts";
import { settlementRequest } from "../request.ts";
import type { SettlementBlock } from "../types.ts";

export type GetVerifiedSettlementBlockParameters = {
  height: bigint | number | "latest";
  /** The validator set you trust for that height ({ publicKey, power }). */
  validators: readonly TrustedValidator[];
};
export type GetVerifiedSettlementBlockReturnType = {
  /**
   * The block as served, every field checked against `encoded` except
   * `appHash` and `receipts`, which are not in the block (the node's word).
   */
  block: SettlementBlock;
  verification: VerifySettlementCertificateReturnType;
  /**
   * The state root after block height − 1, as the certified block carries it
   * (0x-hex): proven, unlike `block.appHash` (the root after this block),
   * which only block height + 1's appHashPrev proves.
   */
  appHashPrev: string;
};
export type GetVerifiedSettlementBlockErrorType = VerificationErrorType | SettlementUnavailableErrorType;

const ZERO_HASH = new Uint8Array(32);
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/** A hex field of the served JSON as bytes; anything else is a VerificationError naming it. */
function servedHex(what: string, v: unknown): Uint8Array {
  if (typeof v !== "string" || !HEX.test(v))
    throw new VerificationError(
      what,
      `The node served ${what} that is not 0x-hex: ${String(v).slice(0, 80)}.`,
    );
  return fromHex(v.slice(2));
}

function servedDecimal(what: string, v: unknown): bigint {
  if (typeof v !== "string" || !DECIMAL.test(v))
    throw new VerificationError(
      what,
      `The node served ${what} that is not a decimal string: ${String(v).slice(0, 80)}.`,
    );
  return BigInt(v);
}

/** `served` (the node's JSON) must be `actual` (from the certified block); else a VerificationError naming `what`. */
function expectBytes(what: string, served: unknown, actual: Uint8Array): void {
  if (!equalBytes(servedHex(what, served), actual))
    throw new VerificationError(
      what,
      `The node served ${what} ${String(served).slice(0, 80)}, the certified block has 0x${toHex(actual)}.`,
    );
}

/**
 * Reads a settlement block from any validator and accepts it only if it is
 * the block that more than 2/3 of the power of the validator set you trust
 * committed. The answering node is not trusted: the block's canonical bytes
 * (`encoded`) are decoded and hashed here, exactly as consensus computes a
 * value id, and the commit certificate must carry precommits of more than
 * 2/3 of the trusted power for **that** hash, at the block's height (and the
 * height asked for, when it was a number). Then every field of the answer
 * that the block carries must equal the decoded block's: `hash`, `height`,
 * `timeMs`, `proposer`, each of `txs` (bytes, and its hash recomputed from
 * them) and `lastBlockHash` (the valueId of the block's lastCommit; 32 zero
 * bytes at height 1).
 *
 * Not proven: `appHash`, the state root *after* the block, is not in it
 * (the block carries `appHashPrev`, the root after height − 1, returned as
 * `appHashPrev`); only block height + 1's certificate proves it. `receipts`
 * are not in the block either. Both are the node's word.
 *
 * Throws VerificationError whose `what` names the field that failed:
 * `block.encoded` (missing or not a block), `block.hash`, `block.height`,
 * `certificate` (does not verify for the hash), `certificate.height`,
 * `block.timeMs`, `block.proposer`, `block.txs`, `block.txs[i].bytes`,
 * `block.txs[i].hash`, `block.lastBlockHash`.
 *
 * @example
 * const trusted = (await client.getValidators()).validators; // or your own pinned set
 * const { block } = await client.getVerifiedSettlementBlock({ height: 42n, validators: trusted });
 */
export async function getVerifiedSettlementBlock(
  client: BitlayerClientBase,
  p: GetVerifiedSettlementBlockParameters,
): Promise<GetVerifiedSettlementBlockReturnType> {
  const block = await settlementRequest<SettlementBlock>(client, `/v1/blocks/${String(p.height)}`);
  if (typeof block !== "object" || block === null)
    throw new VerificationError("block", "The node's answer is not a block object.");

  if (block.encoded === undefined)
    throw new VerificationError(
      "block.encoded",
      "The node serves no encoded block, so its hash cannot be recomputed (the node predates `encoded`).",
    );
  const encoded = servedHex("block.encoded", block.encoded);
  let decoded: ReturnType<typeof decodeBlock>;
  try {
    decoded = decodeBlock(encoded);
  } catch (error) {
    throw new VerificationError(
      "block.encoded",
      `The node's encoded block does not decode: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  const hash = valueIdOf(encoded);
  expectBytes("block.hash", block.hash, hash);
  if (p.height !== "latest" && decoded.height !== BigInt(p.height))
    throw new VerificationError(
      "block.height",
      `Asked for block ${String(p.height)}, the node served block ${decoded.height}.`,
    );
  if (servedDecimal("block.height", block.height) !== decoded.height)
    throw new VerificationError(
      "block.height",
      `The node served height ${block.height}, the encoded block is at ${decoded.height}.`,
    );

  const certificate = block.certificate;
  if (typeof certificate !== "object" || certificate === null)
    throw new VerificationError("certificate", `Block ${decoded.height} came without a certificate.`);
  const verification = await verifySettlementCertificate({
    chainId: client.chainId,
    certificate,
    validators: p.validators,
    blockHash: hash,
  });
  if (!verification.valid || verification.signedPower === 0n)
    throw new VerificationError(
      "certificate",
      `Block ${decoded.height}'s certificate does not verify for hash 0x${toHex(hash)}: ${verification.reason ?? "no signed power"}.`,
    );
  if (servedDecimal("certificate.height", String(certificate.height)) !== decoded.height)
    throw new VerificationError(
      "certificate.height",
      `The certificate is for height ${certificate.height}, the block is at ${decoded.height}.`,
    );

  if (servedDecimal("block.timeMs", block.timeMs) !== decoded.timeMs)
    throw new VerificationError(
      "block.timeMs",
      `The node served timeMs ${block.timeMs}, the certified block has ${decoded.timeMs}.`,
    );
  expectBytes("block.proposer", block.proposer, decoded.proposer);
  if (!Array.isArray(block.txs) || block.txs.length !== decoded.txs.length)
    throw new VerificationError(
      "block.txs",
      `The node served ${Array.isArray(block.txs) ? block.txs.length : "no"} transactions, the certified block has ${decoded.txs.length}.`,
    );
  decoded.txs.forEach((tx, i) => {
    const served = block.txs[i];
    expectBytes(`block.txs[${i}].bytes`, served?.bytes, tx);
    expectBytes(`block.txs[${i}].hash`, served?.hash, settlementTxHash(tx));
  });
  // Validators refuse a block without lastCommit above height 1 (node/chain.ts), so a certified one has it.
  if (decoded.lastCommit === null && decoded.height !== 1n)
    throw new VerificationError(
      "block.lastBlockHash",
      `The certified block ${decoded.height} carries no lastCommit, so its parent is not proven.`,
    );
  expectBytes("block.lastBlockHash", block.lastBlockHash, decoded.lastCommit?.valueId ?? ZERO_HASH);

  return { block, verification, appHashPrev: `0x${toHex(decoded.appHashPrev)}` };
}
