/** The settlement ledger: the pure application the validators run (docs/spec/settlement-transactions.md). */
export { accountAddressOf } from "./address.ts";
export {
  applyBlock,
  type LedgerBlock,
  type LedgerBlockResult,
  type LedgerReceipt,
} from "./apply.ts";
export { Books } from "./books.ts";
export { FEE_CHARGED_FROM, LedgerStatus, ledgerStatusName } from "./codes.ts";
export * from "./errors.ts";
export type { LedgerEvent } from "./events.ts";
export {
  type Genesis,
  type GenesisJson,
  type GenesisState,
  genesisSchema,
  genesisWrites,
  parseGenesis,
} from "./genesis.ts";
export * from "./limits.ts";
export { type LedgerParams, paramsCodec, rewardAtHeight, validateParams } from "./params.ts";
export * from "./records.ts";
export { type CheckpointStatus, type CheckpointView, checkpointStatusAt, checkpointView } from "./status.ts";
export * from "./tx.ts";
export { computeValidatorSet, diffValidatorSets, type ValidatorUpdate } from "./validators.ts";
