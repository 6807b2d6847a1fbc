/**
 * Why the settlement ledger rejected a transaction
 * (docs/spec/settlement-transactions.md, "Rejection codes").
 *
 * Stable numbers, ordered by precedence: within one transaction type the
 * checks run in ascending code order and the first that fails is reported. Never renumber; a new meaning gets a
 * new number. Codes below FEE_CHARGED_FROM change nothing at all; from
 * FEE_CHARGED_FROM on, the sender has proven it controls a funded account,
 * so the fee is charged and the nonce consumed (spam is never free), and
 * nothing else changes.
 */
export const LedgerStatus = {
  Ok: 0,
  SignatureInvalid: 1,
  NonceMismatch: 2,
  FeeBelowMinimum: 3,
  FeeUnaffordable: 4,
  // ---- fee charged from here ----
  AmountZero: 10,
  BalanceInsufficient: 11,
  EvidenceInvalid: 15,
  EvidenceTooOld: 16,
  ValidatorUnknown: 20,
  ValidatorTombstoned: 21,
  ValidatorSetFull: 22,
  StakeInsufficient: 23,
  StakeBelowMinimum: 24,
  UnbondingQueueFull: 25,
  NothingMatured: 26,
  ValidatorNotJailed: 27,
  JailPeriodActive: 28,
  MaintenanceWindowInvalid: 35,
  MaintenanceTooLong: 36,
  MaintenanceActive: 37,
  ChallengeWindowOutOfBounds: 40,
  LaneBondBelowMinimum: 41,
  LaneUnknown: 42,
  ForcedInclusionBlocksOutOfBounds: 43,
  LaneFrozen: 44,
  ForcedTxMalformed: 45,
  ForcedQueueFull: 46,
  CheckpointSignatureInvalid: 50,
  CheckpointNotFromSequencer: 51,
  CheckpointIndexMismatch: 52,
  CheckpointPrevRootMismatch: 53,
  StfVersionDowngrade: 54,
  BatchDataTooLarge: 55,
  BatchHashMismatch: 56,
  WithdrawalCountRegressed: 57,
  BatchDataMalformed: 58,
  DepositCursorInvalid: 59,
  CheckpointUnknown: 60,
  CheckpointNotFinal: 61,
  WithdrawalMalformed: 62,
  WithdrawalLaneMismatch: 63,
  WithdrawalAssetNotNative: 64,
  WithdrawalProofInvalid: 65,
  WithdrawalAlreadyPaid: 66,
  WithdrawalExceedsEscrow: 67,
  DepositsOutOfOrder: 70,
  ForcedCursorInvalid: 71,
  ForcedTxsOutOfOrder: 72,
} as const;
export type LedgerStatus = (typeof LedgerStatus)[keyof typeof LedgerStatus];

/** Codes at or above this number charge the fee and consume the nonce. */
export const FEE_CHARGED_FROM = 10;

const namesByCode = new Map<number, string>(Object.entries(LedgerStatus).map(([name, code]) => [code, name]));

/** The stable name of a status code, e.g. 11 → "BalanceInsufficient". */
export function ledgerStatusName(code: number): string {
  return namesByCode.get(code) ?? `Unknown(${code})`;
}
