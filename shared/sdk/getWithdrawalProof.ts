import { fromHex } from "../bytes.ts";
import { decode } from "../codec/index.ts";
import { decodeSmtProof, verifyProof } from "../smt/index.ts";
import { keys, type WithdrawalRecord, withdrawalCodec } from "../stf/records.ts";
import {
  type WithdrawalFinalityStatus,
  InvalidWithdrawalProofError,
  WithdrawalNotFoundError,
  WithdrawalProofRequestError,
} from "./withdrawalErrors.ts";

export type GetWithdrawalProofParameters = {
  /** The edge Worker's base URL, e.g. "http://127.0.0.1:8787". */
  url: string;
  lane: number;
  /** The lane's withdrawal id (counted from 0 per lane). */
  withdrawalId: bigint;
  /**
   * How to make the request: `fetch` in a browser, Worker or Node (the core
   * SDK names no global), or a service binding's fetch.
   */
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
};

export type WithdrawalProof = {
  lane: number;
  withdrawalId: bigint;
  withdrawal: WithdrawalRecord;
  /** The leaf bytes as lane state holds them: claimWithdrawal's `withdrawal`. */
  leaf: Uint8Array;
  finality: WithdrawalFinalityStatus;
  /** The checkpoint whose root the proof is against; null until one holds the withdrawal. */
  checkpoint: { index: bigint; root: Uint8Array; status: WithdrawalFinalityStatus } | null;
  /** Encoded SMT inclusion proof (claimWithdrawal's `proof`); null with checkpoint. */
  proof: Uint8Array | null;
};
export type GetWithdrawalProofReturnType = WithdrawalProof;
export type GetWithdrawalProofErrorType =
  | WithdrawalNotFoundError
  | WithdrawalProofRequestError
  | InvalidWithdrawalProofError;

type ProofJson = {
  lane: number;
  withdrawalId: string;
  leaf: string;
  finality: WithdrawalFinalityStatus;
  checkpoint: { index: number; root: string; status: WithdrawalFinalityStatus } | null;
  proof: string | null;
};

/**
 * Reads a lane withdrawal's leaf and its inclusion proof against the root of
 * the checkpoint holding it (GET /v1/lanes/:lane/withdrawals/:id/proof) and
 * checks the proof locally, so a wrong answer is caught before it costs a
 * settlement fee.
 *
 * @example
 * const proof = await getWithdrawalProof({ url: edgeUrl, lane: 1, withdrawalId: 0n, fetch });
 * if (proof.finality === "final") {
 *   const payload = buildWithdrawalClaim({ proof });
 * }
 */
export async function getWithdrawalProof(
  p: GetWithdrawalProofParameters,
): Promise<GetWithdrawalProofReturnType> {
  const url = `${p.url.replace(/\/+$/, "")}/v1/lanes/${p.lane}/withdrawals/${p.withdrawalId}/proof`;
  const response = await p.fetch(url);
  const text = await response.text();
  if (response.status === 404) throw new WithdrawalNotFoundError(p.lane, p.withdrawalId);
  if (response.status !== 200) throw new WithdrawalProofRequestError(url, response.status, text);
  let json: ProofJson;
  try {
    json = JSON.parse(text) as ProofJson;
  } catch (error) {
    throw new WithdrawalProofRequestError(url, response.status, text, { cause: error });
  }
  const leaf = fromHex(json.leaf);
  const withdrawal = decode(withdrawalCodec, leaf);
  if (withdrawal.id !== p.withdrawalId || withdrawal.lane !== p.lane)
    throw new InvalidWithdrawalProofError(
      `The edge returned withdrawal ${withdrawal.id} of lane ${withdrawal.lane} for ${p.withdrawalId} of lane ${p.lane}.`,
    );
  const checkpoint = json.checkpoint
    ? {
        index: BigInt(json.checkpoint.index),
        root: fromHex(json.checkpoint.root),
        status: json.checkpoint.status,
      }
    : null;
  const proof = json.proof === null ? null : fromHex(json.proof);
  if (checkpoint && proof) {
    const ok = verifyProof(checkpoint.root, keys.withdrawal(p.withdrawalId), leaf, decodeSmtProof(proof));
    if (!ok)
      throw new InvalidWithdrawalProofError(
        `The proof of withdrawal ${p.withdrawalId} does not verify against checkpoint ${checkpoint.index}'s root.`,
      );
  }
  return {
    lane: p.lane,
    withdrawalId: p.withdrawalId,
    withdrawal,
    leaf,
    finality: json.finality,
    checkpoint,
    proof,
  };
}
