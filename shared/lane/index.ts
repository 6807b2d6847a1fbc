/** The edge lane's pure core: executor, signed receipts, batch data, checkpoints and their replay. */
export * from "./batch.ts";
export * from "./checkpoint.ts";
export * from "./errors.ts";
export * from "./executor.ts";
export * from "./genesis.ts";
export * from "./receipt.ts";
export * from "./replay.ts";
export * from "./signer.ts";
export { StagingNodeStore } from "./staging-store.ts";
