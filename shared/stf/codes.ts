/**
 * Why the lane STF rejected a transaction or a deposit (docs/spec/lane-transactions.md).
 *
 * Stable numbers, ordered by precedence: checks run in this order and the first
 * that fails is the code reported, so one input always gets one code in every
 * runtime. Never renumber; a new meaning gets a new number at the end.
 * A rejected entry changes nothing in state and is charged nothing.
 */
export const TxStatus = {
  Ok: 0,
  Malformed: 1,
  ChainMismatch: 2,
  LaneMismatch: 3,
  SignatureCountMismatch: 4,
  SignatureInvalid: 5,
  NonceTooLow: 6,
  NonceTooHigh: 7,
  IdempotencyKeyReused: 8,
  TipExceedsFeeCap: 9,
  FeeCapBelowBaseFee: 10,
  BlockGasLimitReached: 11,
  FeeUnpayable: 12,
  DepositAlreadyCredited: 13,
  AmountZero: 14,
  SelfCounterparty: 15,
  TradeEmpty: 16,
  TradeAssetDuplicate: 17,
  TokenSymbolInvalid: 18,
  TokenDecimalsInvalid: 19,
  TokenExists: 20,
  TokenUnknown: 21,
  NotTokenIssuer: 22,
  TokenSupplyMaxExceeded: 23,
  ItemReferenceConflict: 24,
  ItemUnknown: 25,
  ItemBurned: 26,
  NotItemOwner: 27,
  BalanceInsufficient: 28,
  AmountOverflow: 29,
} as const;
export type TxStatus = (typeof TxStatus)[keyof typeof TxStatus];

const namesByCode = new Map<number, string>(Object.entries(TxStatus).map(([name, code]) => [code, name]));

/** The stable name of a status code, e.g. 27 → "BalanceInsufficient". */
export function txStatusName(code: number): string {
  return namesByCode.get(code) ?? `Unknown(${code})`;
}
