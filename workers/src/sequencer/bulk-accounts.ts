/**
 * Many funded accounts in a lane's tree at once, for the 1,000,000-account
 * memory test and benchmark (issue #6, item 7): as if the lane's genesis had
 * allocated them. Owners come from a deterministic generator (nobody holds
 * their keys: they receive transfers and are proven, never sign), and the
 * leaves go through the same node store the Sequencer uses (SQLite behind
 * the bounded cache), in chunks: each chunk is one tree update with a fresh
 * tree object, so memory stays bounded by the chunk, not by the tree.
 * The native supply record grows by what was allocated, so the lane's
 * conservation checks keep holding.
 */
import { encode, decode } from "../../../shared/codec/index.ts";
import { domainTag, hashTagged } from "../../../shared/hash.ts";
import { SparseMerkleTree } from "../../../shared/smt/index.ts";
import type { NodeStore } from "../../../shared/smt/store.ts";
import type { StateWrite } from "../../../shared/state.ts";
import { balanceCodec, keys, NATIVE_ASSET, supplyCodec } from "../../../shared/stf/index.ts";

const OWNER_TAG = domainTag("bitlayer/bench/synthetic-account/v1");

/** The owner (32-byte public-key-shaped id) of synthetic account `i`. */
export function syntheticOwner(i: number): Uint8Array {
  const n = new Uint8Array(8);
  new DataView(n.buffer).setBigUint64(0, BigInt(i));
  return hashTagged(OWNER_TAG, n);
}

export type TreeHead = { root: Uint8Array; treeVersion: number };

export type BulkAccountsOptions = {
  /** First account index (so a lane can be filled in several calls). */
  from: number;
  count: number;
  amount: bigint;
  /** Leaves per tree update (and per SQLite transaction). */
  chunk?: number;
  /** Runs one chunk's writes atomically (the Durable Object's transactionSync). */
  transaction: <T>(fn: () => T) => T;
};

/** Adds accounts from..from+count-1 to the tree at `head`; returns the new head. Synchronous. */
export function addSyntheticAccounts(store: NodeStore, head: TreeHead, o: BulkAccountsOptions): TreeHead {
  const chunk = o.chunk ?? 20_000;
  const value = encode(balanceCodec, { amount: o.amount });
  let root = head.root;
  let version = head.treeVersion;
  for (let at = o.from; at < o.from + o.count; at += chunk) {
    const end = Math.min(at + chunk, o.from + o.count);
    const writes: StateWrite[] = [];
    for (let i = at; i < end; i++) writes.push({ key: keys.balance(syntheticOwner(i), NATIVE_ASSET), value });
    // The supply record changes with the last chunk, in the same update.
    if (end === o.from + o.count) {
      const tree = new SparseMerkleTree(store, { root, version });
      const raw = tree.get(keys.supply(NATIVE_ASSET));
      if (raw === undefined) throw new Error("Lane has no native supply record: genesis missing.");
      const supply = decode(supplyCodec, raw);
      writes.push({
        key: keys.supply(NATIVE_ASSET),
        value: encode(supplyCodec, { ...supply, minted: supply.minted + o.amount * BigInt(o.count) }),
      });
    }
    const next = o.transaction(() => {
      const tree = new SparseMerkleTree(store, { root, version });
      tree.update(writes);
      return { root: tree.root, version: tree.version };
    });
    root = next.root;
    version = next.version;
  }
  return { root, treeVersion: version };
}
