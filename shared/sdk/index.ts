/**
 * The Bitlayer client SDK (viem-style: one action per file, typed
 * parameters, return and error types). Runs in browsers, Workers and Node:
 * no Node or Cloudflare imports.
 *
 * @example
 * const alice = secretKeyToAccount({ secretKey: generateSecretKey() });
 * const tx = buildTransaction({
 *   chainId: "bitlayer-devnet", lane: 1, sender: alice, nonce: 0n, maxFeePerGas: 10n,
 *   payload: transferPayload({ to: bobPublicKey, amount: 1_000n }),
 * });
 * const wire = serializeTransaction({ transaction: signTransaction({ transaction: tx, accounts: [alice] }) });
 */
export type { SignedTx, TradeAsset, TxBody, TxPayload } from "../stf/tx.ts";
export { verifySignature } from "../crypto/verifier.ts";
export {
  type BuildWithdrawalClaimErrorType,
  type BuildWithdrawalClaimParameters,
  type BuildWithdrawalClaimReturnType,
  buildWithdrawalClaim,
} from "./buildWithdrawalClaim.ts";
export {
  type BuildTransactionErrorType,
  type BuildTransactionParameters,
  type BuildTransactionReturnType,
  buildTransaction,
} from "./buildTransaction.ts";
export * from "./errors.ts";
export {
  type GenerateSecretKeyErrorType,
  type GenerateSecretKeyReturnType,
  generateSecretKey,
} from "./generateSecretKey.ts";
export {
  type GetTransactionHashErrorType,
  type GetTransactionHashParameters,
  type GetTransactionHashReturnType,
  getTransactionHash,
} from "./getTransactionHash.ts";
// getWithdrawalProof itself is bound to a client in sdk/actions (it needs a fetch); import it from
// "./getWithdrawalProof.ts" to call it directly.
export type { WithdrawalProof } from "./getWithdrawalProof.ts";
export {
  type GetTransactionSignBytesErrorType,
  type GetTransactionSignBytesParameters,
  type GetTransactionSignBytesReturnType,
  getTransactionSignBytes,
} from "./getTransactionSignBytes.ts";
export {
  type ParseTransactionErrorType,
  type ParseTransactionParameters,
  type ParseTransactionReturnType,
  parseTransaction,
} from "./parseTransaction.ts";
export * from "./payloads.ts";
export {
  type Account,
  type SecretKeyToAccountErrorType,
  type SecretKeyToAccountParameters,
  type SecretKeyToAccountReturnType,
  secretKeyToAccount,
} from "./secretKeyToAccount.ts";
export {
  type SerializeTransactionErrorType,
  type SerializeTransactionParameters,
  type SerializeTransactionReturnType,
  serializeTransaction,
} from "./serializeTransaction.ts";
export {
  type SignSettlementTransactionErrorType,
  type SignSettlementTransactionParameters,
  type SignSettlementTransactionReturnType,
  signSettlementTransaction,
} from "./signSettlementTransaction.ts";
export {
  type SignTransactionErrorType,
  type SignTransactionParameters,
  type SignTransactionReturnType,
  signTransaction,
} from "./signTransaction.ts";
export {
  type VerifyTransactionErrorType,
  type VerifyTransactionParameters,
  type VerifyTransactionReturnType,
  verifyTransaction,
} from "./verifyTransaction.ts";
export {
  type CheckpointProof,
  type VerifyCheckpointProofParameters,
  type VerifyCheckpointProofReturnType,
  verifyCheckpointProof,
} from "./verifyCheckpointProof.ts";
export {
  type SettlementCertificate,
  type TrustedValidator,
  type VerifySettlementCertificateParameters,
  type VerifySettlementCertificateReturnType,
  verifySettlementCertificate,
} from "./verifySettlementCertificate.ts";
export type { WireFormat } from "./wire.ts";
export * from "./withdrawalErrors.ts";
