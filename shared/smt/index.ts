export * from "./errors.ts";
export {
  emptyRoot,
  isZeroHash,
  leafHash,
  nodeHash,
  SMT_KEY_BITS,
  SMT_KEY_BYTES,
  valueHash,
} from "./hashing.ts";
export * from "./proof.ts";
export { CachedNodeStore, MemoryNodeStore, type NodeStore } from "./store.ts";
export { SparseMerkleTree, type SparseMerkleTreeOptions, VALUE_CACHE_ENTRIES_DEFAULT } from "./tree.ts";
