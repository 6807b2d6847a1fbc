/**
 * The lane's full loop per batch of 100 pre-signed transfers: one verifyMany
 * over the batch, shared/stf executeBlock over the sparse Merkle tree and the
 * new root (lane/full-loop); lane/full-loop+receipts adds the sequencer's
 * signed, chained receipts, i.e. everything the Sequencer does but SQLite.
 *
 * Each call replays 40 batches (100 senders, nonces 0..39) from the genesis
 * state, which is built once in setup: a call starts a fresh executor over a
 * copy-on-write view of the genesis nodes, so only the loop is timed. SHA-256
 * is the default (noble); "node:crypto sha256" runs the native backend
 * instead (bench/cases/smt.ts HashChoice).
 * "on 10000 accounts" funds 9,900 more (never signing) accounts, so the tree
 * holds ~10K leaves instead of ~200 and every path is longer.
 */
import { LaneExecutor, type LaneHead, type VerifiedTx } from "../../shared/lane/executor.ts";
import { deriveSeed } from "../../shared/lane/genesis.ts";
import { signedTx, type TestLane, testLane, transferBody } from "../../shared/lane/testing.ts";
import { MemoryNodeStore, type NodeStore } from "../../shared/smt/store.ts";
import { SparseMerkleTree } from "../../shared/smt/tree.ts";
import type { StateWrite } from "../../shared/state.ts";
import type { BenchCase } from "../lib/types.ts";
import { type HashChoice, withSha256 } from "./smt.ts";

const BATCH_TXS = 100;
// Each call starts from genesis again (a new executor and store): 40 batches keep that set-up
// a small part of a call (profiled in workerd: ~3% of the loop with 10).
const BATCHES = 40;
/** The Merkle cases replay the first 10 blocks: their tree over genesis is rebuilt every 10. */
const MERKLE_BLOCKS = 10;

type LaneBenchState = {
  lane: TestLane;
  genesisStore: MemoryNodeStore;
  genesisHead: LaneHead;
  batches: Uint8Array[][];
  sink: number;
};

/** Reads fall through to the frozen genesis nodes; writes stay here, so each call starts from the same state. */
class CopyOnWriteStore implements NodeStore {
  readonly #base: NodeStore;
  readonly #own = new MemoryNodeStore();
  constructor(base: NodeStore) {
    this.#base = base;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#own.get(hash) ?? this.#base.get(hash);
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#own.put(hash, record);
  }
  delete(hash: Uint8Array): void {
    this.#own.delete(hash);
  }
}

function setupFor(hash: HashChoice, accountsTotal: number): () => Promise<LaneBenchState> {
  return () =>
    withSha256(hash, async () => {
      const lane = testLane({ accounts: BATCH_TXS });
      const idle = Array.from({ length: accountsTotal - BATCH_TXS }, (_, i) => ({
        owner: deriveSeed(new Uint8Array(32), `bench/idle/${i}`),
        amount: 1_000n,
      }));
      const genesis = { ...lane.genesis, allocations: [...lane.genesis.allocations, ...idle] };
      const genesisStore = new MemoryNodeStore();
      const genesisHead = LaneExecutor.writeGenesis(genesisStore, genesis);
      const batches: Uint8Array[][] = [];
      for (let b = 0; b < BATCHES; b++) {
        const batch: Uint8Array[] = [];
        for (let i = 0; i < BATCH_TXS; i++) {
          const from = lane.accounts[i]!;
          const to = lane.accounts[(i + 1 + b) % BATCH_TXS]!.publicKey;
          batch.push(await signedTx(transferBody(lane, from, to, BigInt(b)), lane.accounts));
        }
        batches.push(batch);
      }
      return { lane, genesisStore, genesisHead, batches, sink: 0 };
    });
}

async function fullLoop(s: LaneBenchState, n: number, signReceipts: boolean): Promise<void> {
  let executor: LaneExecutor | undefined;
  for (let done = 0, b = 0; done < n; done += BATCH_TXS, b++) {
    if (b % BATCHES === 0)
      executor = s.lane.newExecutor({
        blockTxsMax: BATCH_TXS,
        store: new CopyOnWriteStore(s.genesisStore),
        head: s.genesisHead,
      });
    const verified = await executor!.verify(s.batches[b % BATCHES]!);
    const step = executor!.execute(verified, 2_000n + BigInt(b));
    if (step.included.length !== BATCH_TXS)
      throw new Error(`bench: ${step.rejected[0]?.reason} in batch ${b}`);
    if (signReceipts) s.sink += (await executor!.sign(step)).length;
    executor!.commit();
    s.sink += step.stateRoot[0]!;
  }
}

type ExecuteOnlyState = LaneBenchState & { verified: VerifiedTx[][] };

/** The loop without verify: batches verified once in setup, so the figure is execute + root + commit alone. */
async function executeOnlySetup(): Promise<ExecuteOnlyState> {
  const s = await setupFor("default", BATCH_TXS)();
  const executor = s.lane.newExecutor({ store: new CopyOnWriteStore(s.genesisStore), head: s.genesisHead });
  const verified = await Promise.all(s.batches.map((b) => executor.verify(b)));
  return { ...s, verified };
}

function executeOnly(s: ExecuteOnlyState, n: number): void {
  let executor: LaneExecutor | undefined;
  for (let done = 0, b = 0; done < n; done += BATCH_TXS, b++) {
    if (b % BATCHES === 0)
      executor = s.lane.newExecutor({
        blockTxsMax: BATCH_TXS,
        store: new CopyOnWriteStore(s.genesisStore),
        head: s.genesisHead,
      });
    const step = executor!.execute(s.verified[b % BATCHES]!, 2_000n + BigInt(b));
    if (step.included.length !== BATCH_TXS)
      throw new Error(`bench: ${step.rejected[0]?.reason} in batch ${b}`);
    executor!.commit();
    s.sink += step.stateRoot[0]!;
  }
}

type MerkleState = LaneBenchState & {
  /** Each block's writes, in order from genesis, and the root the executor got after it. */
  blocks: { writes: StateWrite[]; root: Uint8Array; txs: number }[];
  tree?: SparseMerkleTree;
  cursor: number;
};

/**
 * The state root alone: the writes of real lane blocks (100 transfers each,
 * recorded once in setup by the executor) applied with SparseMerkleTree.update
 * to a tree over the genesis nodes, as the executor does after executeBlock.
 * One operation is one transaction of a block.
 */
function merkleSetup(accountsTotal: number): () => Promise<MerkleState> {
  return async () => {
    const s = await setupFor("default", accountsTotal)();
    const executor = s.lane.newExecutor({
      blockTxsMax: BATCH_TXS,
      store: new CopyOnWriteStore(s.genesisStore),
      head: s.genesisHead,
    });
    const blocks: MerkleState["blocks"] = [];
    for (let b = 0; b < MERKLE_BLOCKS; b++) {
      const step = executor.execute(await executor.verify(s.batches[b]!), 2_000n + BigInt(b));
      executor.commit();
      for (const sealed of step.blocks)
        blocks.push({ writes: sealed.result.writes, root: sealed.stateRoot, txs: sealed.block.txs.length });
    }
    if (blocks.some((b) => b.txs !== BATCH_TXS)) throw new Error("bench: a block is not 100 transfers");
    return { ...s, blocks, cursor: 0 };
  };
}

function merkleRun(s: MerkleState, n: number): void {
  for (let done = 0; done < n; done += BATCH_TXS) {
    if (s.cursor === 0 || s.tree === undefined)
      s.tree = new SparseMerkleTree(new CopyOnWriteStore(s.genesisStore), {
        root: s.genesisHead.root,
        version: s.genesisHead.treeVersion,
      });
    const block = s.blocks[s.cursor]!;
    const root = s.tree.update(block.writes);
    if (root[0] !== block.root[0] || root[31] !== block.root[31])
      throw new Error("bench: the tree's root differs from the executor's");
    s.sink += root[0]!;
    s.cursor = (s.cursor + 1) % s.blocks.length;
  }
}

function merkleCase(accountsTotal: number): BenchCase {
  return {
    name: `merkle root per tx (blocks of ${BATCH_TXS} transfers, ${accountsTotal} accounts)`,
    unit: "tx",
    quote: `Merkle root cost per transaction (${accountsTotal} accounts)`,
    setup: merkleSetup(accountsTotal),
    run: merkleRun,
    n: BATCH_TXS * MERKLE_BLOCKS,
  };
}

function loopCase(
  name: string,
  hash: HashChoice,
  signReceipts: boolean,
  accountsTotal = BATCH_TXS,
): BenchCase {
  return {
    name,
    unit: "tx",
    setup: setupFor(hash, accountsTotal),
    run: (s: LaneBenchState, n: number) => withSha256(hash, () => fullLoop(s, n, signReceipts)),
    n: BATCH_TXS * BATCHES,
  };
}

/** executor.verify alone (decode, hash, policy, native verify per tx): the loop's share that is not the STF. */
async function verifyOnly(s: LaneBenchState, n: number): Promise<void> {
  const executor = s.lane.newExecutor({ store: new CopyOnWriteStore(s.genesisStore), head: s.genesisHead });
  for (let done = 0, b = 0; done < n; done += BATCH_TXS, b++) {
    const verified = await executor.verify(s.batches[b % BATCHES]!);
    if (!verified[0]!.sigValid) throw new Error("bench: a valid transaction failed verification");
    s.sink += verified.length;
  }
}

export const cases: BenchCase[] = [
  {
    name: "verify-only (executor.verify)",
    unit: "tx",
    setup: setupFor("default", BATCH_TXS),
    run: (s: LaneBenchState, n: number) => withSha256("default", () => verifyOnly(s, n)),
    n: BATCH_TXS * BATCHES,
  },
  loopCase("full-loop", "default", false),
  loopCase("full-loop (node:crypto sha256)", "node:crypto", false),
  loopCase("full-loop on 10000 accounts", "default", false, 10_000),
  loopCase("full-loop+receipts", "default", true),
  merkleCase(BATCH_TXS),
  merkleCase(10_000),
  {
    name: "execute-only (pre-verified)",
    unit: "tx",
    setup: executeOnlySetup,
    run: (s: ExecuteOnlyState, n: number) => withSha256("default", () => executeOnly(s, n)),
    n: BATCH_TXS * BATCHES,
  },
];
