/** The lane state transition function (docs/spec/lane-transactions.md). */
export { type Block, type BlockResult, executeBlock, type SupplyDelta } from "./block.ts";
export { TxStatus, txStatusName } from "./codes.ts";
export {
  StfBlockError,
  type StfBlockErrorType,
  StfInvariantError,
  type StfInvariantErrorType,
} from "./errors.ts";
export { effectiveGasPrice, type FeeSplit, nextBaseFeePerGas, splitFee } from "./gas.ts";
export { type Genesis, genesisNativeSupply, genesisWrites } from "./genesis.ts";
export * from "./limits.ts";
export { MemoryState } from "./memory-state.ts";
export { Overlay } from "./overlay.ts";
export * from "./records.ts";
export * from "./tx.ts";
export {
  type BlockOptions,
  LaneHarness,
  LaneView,
  TEST_PARAMS,
  type TxOptions,
  testAddress,
} from "./harness.ts";
