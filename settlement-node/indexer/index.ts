export * from "./committed-block.ts";
export * from "./indexer.ts";
export {
  type BlockProjection,
  blockProjection,
  projectBlock,
  validatorStatus,
  withdrawalRowId,
  writeProjections,
} from "./project-block.ts";
