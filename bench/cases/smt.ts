/**
 * Sparse Merkle tree benchmarks (runtime-agnostic: imports only shared/).
 * Goal (docs/spec/merkle.md, DESIGN.md "Measured facts"): the root costs at
 * most half a native signature verify per transaction, i.e. ≥ 30-50K key
 * updates/s in Node in batches of 100.
 *
 * Memory probe for 1,000,000 keys (Node only, not a test):
 *   node_modules/.bin/node --expose-gc --import tsx -e \
 *     'import("./bench/cases/smt.ts").then((m) => m.probeSmtMemory(1_000_000, () => (gc(), process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers), console.log))'
 */
import { bigintToBytesBE } from "../../shared/bytes.ts";
import {
  CachedNodeStore,
  computeRootFromMultiproof,
  MemoryNodeStore,
  type NodeStore,
  SparseMerkleTree,
  verifyProof,
} from "../../shared/smt/index.ts";
import { type StateWrite, stateKey } from "../../shared/state.ts";
import type { BenchCase } from "../lib/types.ts";
import {
  defaultSha256Backend,
  getSha256Backend,
  type NodeCryptoLike,
  nobleSha256Backend,
  nodeCryptoSha256Backend,
  type Sha256Backend,
  setSha256Backend,
} from "../../shared/hash.ts";

/**
 * Which SHA-256 a case runs with: "default" is shared/sha256.ts, what every
 * shell runs; "noble" is @noble/hashes (the previous default, kept as the
 * reference the goldens were made with); "node:crypto" is the native backend
 * a shell could install (shared/hash.ts setSha256Backend,
 * settlement-node/crypto/node-sha256.ts), reached through
 * process.getBuiltinModule so this file stays importable in both runtimes.
 */
export type HashChoice = "default" | "noble" | "node:crypto";

function nodeCryptoBackend(): Sha256Backend {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const nodeCrypto = proc?.getBuiltinModule?.("node:crypto") as NodeCryptoLike | undefined;
  if (!nodeCrypto) throw new Error("bench: this runtime has no node:crypto for a native SHA-256");
  return nodeCryptoSha256Backend(nodeCrypto);
}

let nodeCryptoSha256: Sha256Backend | undefined;
function backendOf(hash: HashChoice): Sha256Backend {
  if (hash === "default") return defaultSha256Backend;
  if (hash === "noble") return nobleSha256Backend;
  nodeCryptoSha256 ??= nodeCryptoBackend();
  return nodeCryptoSha256;
}

/** Runs one bench call with the chosen SHA-256 installed and restores the previous one, so other cases are unaffected. */
export function withSha256<T>(hash: HashChoice, work: () => T): T {
  const backend = backendOf(hash);
  const previous = getSha256Backend();
  setSha256Backend(backend);
  try {
    const out = work();
    if (out instanceof Promise) return out.finally(() => setSha256Backend(previous)) as T;
    setSha256Backend(previous);
    return out;
  } catch (error) {
    setSha256Backend(previous);
    throw error;
  }
}

const BATCH_KEYS = 100;
const benchKey = (i: number) => stateKey("bench", bigintToBytesBE(BigInt(i), 4));
const benchValue = (i: number) => bigintToBytesBE(BigInt(i), 16);

/** A tree of `countKeys` keys 0..countKeys-1, inserted in blocks of 10,000. */
export function buildBenchTree(countKeys: number, store: NodeStore = new MemoryNodeStore()) {
  const tree = new SparseMerkleTree(store);
  for (let start = 0; start < countKeys; start += 10_000) {
    const writes: StateWrite[] = [];
    for (let i = start; i < Math.min(countKeys, start + 10_000); i++) {
      writes.push({ key: benchKey(i), value: benchValue(i) });
    }
    tree.update(writes);
    tree.pruneStale(tree.version);
  }
  return tree;
}

type UpdateState = { tree: SparseMerkleTree; countKeys: number; cursor: number };

/** n key updates in blocks of 100: existing keys get new values, walking the key space with a stride. */
function runUpdates(state: UpdateState, n: number): void {
  for (let done = 0; done < n; done += BATCH_KEYS) {
    const writes: StateWrite[] = [];
    for (let j = 0; j < Math.min(BATCH_KEYS, n - done); j++) {
      const i = (state.cursor = (state.cursor + 7919) % state.countKeys);
      writes.push({ key: benchKey(i), value: benchValue(i + state.tree.version) });
    }
    state.tree.update(writes);
    // Keep the last 16 versions readable, as a lane would between checkpoints.
    if (state.tree.version % 16 === 0) state.tree.pruneStale(state.tree.version - 16);
  }
}

/** Default SHA-256 (shared/sha256.ts); the noble and node:crypto variants show what the other backends would change. */
function updateCase(
  countKeys: number,
  n: number,
  cacheRecords?: number,
  hash: HashChoice = "default",
): BenchCase {
  const where = cacheRecords ? `, through a ${cacheRecords}-record cache` : "";
  return {
    name: `smt update: batches of ${BATCH_KEYS} on ${countKeys} keys${where}${hash === "default" ? "" : ` (${hash} sha256)`}`,
    unit: "key update",
    n,
    setup: (): UpdateState =>
      withSha256(hash, () => {
        const store = cacheRecords ? new CachedNodeStore(new MemoryNodeStore(), cacheRecords) : undefined;
        return { tree: buildBenchTree(countKeys, store), countKeys, cursor: 0 };
      }),
    run: (state: UpdateState, n: number) => withSha256(hash, () => runUpdates(state, n)),
  };
}

type ProofState = { tree: SparseMerkleTree; countKeys: number; cursor: number };

export const cases: BenchCase[] = [
  updateCase(10_000, 5_000),
  updateCase(10_000, 5_000, undefined, "noble"),
  updateCase(10_000, 5_000, undefined, "node:crypto"),
  updateCase(100_000, 5_000),
  updateCase(100_000, 5_000, 65_536),
  {
    name: "smt prove + verify one key on 100000 keys",
    unit: "proof",
    n: 2_000,
    setup: (): ProofState => ({ tree: buildBenchTree(100_000), countKeys: 100_000, cursor: 0 }),
    run: (state: ProofState, n: number) => {
      const root = state.tree.root;
      for (let j = 0; j < n; j++) {
        const i = (state.cursor = (state.cursor + 7919) % state.countKeys);
        const key = benchKey(i);
        if (!verifyProof(root, key, state.tree.get(key)!, state.tree.prove(key)))
          throw new Error("bad proof");
      }
    },
  },
  {
    name: "smt stateless root from a 100-key multiproof on 100000 keys",
    unit: "key update",
    n: 2_000,
    setup: (): ProofState => ({ tree: buildBenchTree(100_000), countKeys: 100_000, cursor: 0 }),
    run: (state: ProofState, n: number) => {
      const root = state.tree.root;
      for (let done = 0; done < n; done += BATCH_KEYS) {
        const keys: Uint8Array[] = [];
        for (let j = 0; j < BATCH_KEYS; j++)
          keys.push(benchKey((state.cursor = (state.cursor + 7919) % 100_000)));
        const entries = keys.map((key) => ({ key, value: state.tree.get(key)! }));
        const proof = state.tree.proveMany(keys);
        computeRootFromMultiproof(
          root,
          proof,
          entries,
          keys.map((key) => ({ key, value: benchValue(done) })),
        );
      }
    },
  },
];

/**
 * Heap use of a lane tree with `countKeys` keys, and of a bounded cache in
 * front of a store that returns fresh records (as SQLite does). `heapBytes`
 * is supplied by the caller (this module stays runtime-agnostic).
 */
export function probeSmtMemory(
  countKeys: number,
  heapBytes: () => number,
  log: (line: string) => void,
  cacheRecords = 65_536,
): void {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  const before = heapBytes();
  const inner = new MemoryNodeStore();
  const tree = buildBenchTree(countKeys, inner);
  const built = heapBytes();
  const perRecord = (built - before) / inner.size;
  log(
    `${countKeys} keys: ${inner.size} stored records, ${mb(built - before)} in memory (${perRecord.toFixed(0)} B/record)`,
  );

  // A store that copies on read stands in for SQLite; only the cache stays in JS memory.
  const sqliteLike: NodeStore = {
    get: (h) => inner.get(h)?.slice(),
    put: (h, r) => inner.put(h, r.slice()),
    delete: (h) => inner.delete(h),
  };
  const cache = new CachedNodeStore(sqliteLike, cacheRecords);
  const cachedTree = new SparseMerkleTree(cache, { root: tree.root, version: tree.version });
  const emptyCache = heapBytes();
  for (let i = 0; cache.size < cacheRecords && i < countKeys * 4; i++)
    cachedTree.get(benchKey((i * 7919) % countKeys));
  const fullCache = heapBytes();
  log(
    `cache of ${cache.size} records: ${mb(fullCache - emptyCache)} (${((fullCache - emptyCache) / cache.size).toFixed(0)} B/record); ` +
      `a 1M-key lane in SQLite keeps this cache plus one block's transient nodes in memory`,
  );
  cache.hits = 0;
  cache.misses = 0;
  const state: UpdateState = { tree: cachedTree, countKeys, cursor: 0 };
  runUpdates(state, 10_000);
  log(
    `10000 updates in blocks of 100 through the cache: hit rate ${((100 * cache.hits) / (cache.hits + cache.misses)).toFixed(1)}%, ` +
      `heap now ${mb(heapBytes() - fullCache)} above the filled cache (includes the in-memory stand-in's new records)`,
  );
}
