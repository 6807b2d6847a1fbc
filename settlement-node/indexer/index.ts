export * from "./committed-block.ts";
export * from "./indexer.ts";
export { projectBlock, validatorStatus, withdrawalRowId } from "./project-block.ts";
