import {
  type TrustedValidator,
  verifySettlementCertificate,
  type VerifySettlementCertificateReturnType,
} from "../../shared/sdk/verifySettlementCertificate.ts";
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
  block: SettlementBlock;
  verification: VerifySettlementCertificateReturnType;
};
export type GetVerifiedSettlementBlockErrorType = VerificationErrorType | SettlementUnavailableErrorType;

/**
 * Reads a settlement block from any validator and accepts it only if its
 * commit certificate carries precommits of more than 2/3 of the power of
 * the validator set you trust, for this block's hash: the answering node
 * is not trusted. Throws VerificationError otherwise.
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
  const verification = await verifySettlementCertificate({
    chainId: client.chainId,
    certificate: block.certificate,
    validators: p.validators,
    blockHash: block.hash,
  });
  if (!verification.valid || verification.signedPower === 0n || block.certificate.height !== block.height)
    throw new VerificationError(
      "certificate",
      `Block ${block.height}'s certificate does not verify: ${verification.reason ?? "height mismatch"}.`,
    );
  return { block, verification };
}
