import { encode } from "../codec/index.ts";
import { verifyMany } from "../crypto/verifier.ts";
import { requiredSigners, type SignedTx, signedTxCodec, txSignBytes } from "../stf/tx.ts";

export type VerifyTransactionParameters = {
  transaction: SignedTx;
  /** If given, the transaction must be for this chain (it is part of what was signed). */
  chainId?: string;
  /** If given, the transaction must be for this lane. */
  lane?: number;
};
export type VerifyTransactionReturnType = Promise<boolean>;
/** Never throws or rejects: anything malformed is `false`. */
export type VerifyTransactionErrorType = never;

/**
 * True iff the transaction has a canonical encoding, is for the expected
 * chain and lane (when given), carries exactly one signature per required
 * signer, and each verifies under Bitlayer's one Ed25519 policy
 * (verifySignature, docs/spec/signatures.md) over the transaction's
 * sign-bytes. A transaction altered after signing, or signed for another
 * chain, lane or message type, is false.
 *
 * @example
 * const tx = parseTransaction({ wire: request.tx });
 * if (!(await verifyTransaction({ transaction: tx, chainId: "bitlayer-devnet", lane: 1 }))) reject();
 */
export async function verifyTransaction({
  transaction,
  chainId,
  lane,
}: VerifyTransactionParameters): VerifyTransactionReturnType {
  try {
    encode(signedTxCodec, transaction);
    const { body, signatures } = transaction;
    if (chainId !== undefined && body.chainId !== chainId) return false;
    if (lane !== undefined && body.lane !== lane) return false;
    const signers = requiredSigners(body);
    if (signatures.length !== signers.length) return false;
    const message = txSignBytes(body);
    const results = await verifyMany(
      signers.map((publicKey, i) => ({ publicKey, message, signature: signatures[i]! })),
    );
    return results.every(Boolean);
  } catch {
    return false;
  }
}
