/**
 * A lane whose tree is far larger than its node cache keeps working in
 * bounded memory (issue #6, item 7). Scaled for `npm test`: 100,000 funded
 * accounts on lane 998, whose cache is 8,192 records (wrangler.toml
 * SMT_CACHE_RECORDS_OVERRIDES), so the tree (~200K live nodes) is ~25× the
 * cache — the same ratio as 1,000,000 accounts against the default 200,000
 * records, whose measured run (memory of workerd included) is
 * `node bench/edge/million.ts` (bench/README.md, "Edge HTTP").
 *
 * The accounts go in through the Sequencer's own node store (SQLite behind
 * the cache) from a deterministic generator, as a genesis allocation would;
 * then transfers to random accounts are applied and receipted, reads of
 * random accounts carry proofs that verify against the lane's root, and the
 * cache never holds more than its bound.
 */
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { publicKeyFromSecret } from "../../shared/crypto/keys.ts";
import { createSigner, deriveSeed } from "../../shared/lane/index.ts";
import { signedTx, type TestAccount } from "../../shared/lane/testing.ts";
import { Prng } from "../../shared/prng.ts";
import { CachedNodeStore, decodeSmtMultiproof, verifyMultiproof } from "../../shared/smt/index.ts";
import type { Env } from "../../workers/src/env.ts";
import app from "../../workers/src/index.ts";
import { addSyntheticAccounts, syntheticOwner } from "../../workers/src/sequencer/bulk-accounts.ts";
import { laneConfig } from "../../workers/src/sequencer/config.ts";
import { SqlNodeStore } from "../../workers/src/sequencer/sql-node-store.ts";

const e = env as unknown as Env;
const LANE = 998;
const ACCOUNTS = 100_000;
const AMOUNT = 1_000_000n;
const CACHE = laneConfig(e, LANE).nodeCacheRecords;

const senders = [0, 1, 2, 3].map((i): TestAccount => {
  const secretKey = deriveSeed(fromHex(e.DEVNET_ACCOUNTS_SEED), `account/${i}`);
  return { secretKey, publicKey: publicKeyFromSecret(secretKey), signer: createSigner(secretKey) };
});
const stub = () => e.SEQUENCER.getByName(String(LANE));
// biome-ignore lint/suspicious/noExplicitAny: JSON from the API under test
const getJson = async (path: string): Promise<any> => (await app.request(path, {}, e)).json();

async function provenBalance(owner: Uint8Array): Promise<bigint> {
  const read = await getJson(`/v1/lanes/${LANE}/accounts/${toHex(owner)}`);
  const entries = read.entries.map((x: { key: string; value: string | null }) => ({
    key: fromHex(x.key),
    value: x.value === null ? null : fromHex(x.value),
  }));
  expect(verifyMultiproof(fromHex(read.stateRoot), decodeSmtMultiproof(fromHex(read.proof)), entries)).toBe(
    true,
  );
  return BigInt(read.value.balance);
}

describe(`a lane with ${ACCOUNTS.toLocaleString("en-US")} accounts and a ${CACHE}-record node cache`, () => {
  it("takes transfers to random accounts, proves random reads, and keeps the cache within its bound", async () => {
    expect(CACHE).toBeLessThan(ACCOUNTS / 10);
    const before = await getJson(`/v1/lanes/${LANE}/status`);

    // Fill the tree through the lane's own store, in 20K-leaf chunks, then point the head at it.
    const built = await runInDurableObject(stub(), (_i, state) => {
      const store = new CachedNodeStore(new SqlNodeStore(state.storage.sql), CACHE);
      const head = state.storage.sql
        .exec<{ state_root: ArrayBuffer; tree_version: number }>(
          "SELECT state_root, tree_version FROM head WHERE id = 1",
        )
        .one();
      const next = addSyntheticAccounts(
        store,
        { root: new Uint8Array(head.state_root), treeVersion: head.tree_version },
        { from: 0, count: ACCOUNTS, amount: AMOUNT, transaction: (fn) => state.storage.transactionSync(fn) },
      );
      expect(store.size).toBeLessThanOrEqual(CACHE);
      state.storage.sql.exec(
        "UPDATE head SET state_root = ?, tree_version = ?, checkpointed_root = ? WHERE id = 1",
        next.root.slice().buffer,
        next.treeVersion,
        next.root.slice().buffer,
      );
      const nodes = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM smt_nodes").one().n;
      return { root: toHex(next.root), nodes };
    });
    // ~2 nodes per leaf: the tree is many times the cache.
    expect(built.nodes).toBeGreaterThan(ACCOUNTS * 1.5);
    expect(built.nodes).toBeGreaterThan(CACHE * 20);
    await evictDurableObject(stub());
    const opened = await getJson(`/v1/lanes/${LANE}/status`);
    expect(opened.stateRoot).toBe(built.root);
    expect(opened.stateRoot).not.toBe(before.stateRoot);

    // Transfers from the funded devnet accounts to random synthetic accounts, in batched requests.
    const prng = new Prng(0x998);
    const received = new Map<number, bigint>();
    const nonces = senders.map(() => 0n);
    for (let request = 0; request < 5; request++) {
      const txs: string[] = [];
      for (let k = 0; k < 40; k++) {
        const s = k % senders.length;
        const to = prng.below(ACCOUNTS);
        const amount = BigInt(1 + prng.below(1000));
        received.set(to, (received.get(to) ?? 0n) + amount);
        const bytes = await signedTx(
          {
            chainId: e.CHAIN_ID,
            lane: LANE,
            sender: senders[s]!.publicKey,
            nonce: nonces[s]!++,
            maxFeePerGas: 100n,
            tipPerGas: 1n,
            idempotencyKey: null,
            payload: { type: "transfer", to: syntheticOwner(to), amount },
          },
          senders,
        );
        txs.push(toHex(bytes));
      }
      const r = await app.request(
        `/v1/lanes/${LANE}/txs`,
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ txs }) },
        e,
      );
      expect(r.status).toBe(200);
      const body = (await r.json()) as { results: { status: string }[] };
      expect(body.results.map((x) => x.status)).toEqual(txs.map(() => "included"));
    }

    // Reads of recipients and of untouched random accounts: proven against the lane's root.
    const recipients = [...received.keys()].slice(0, 20);
    for (const i of recipients)
      expect(await provenBalance(syntheticOwner(i))).toBe(AMOUNT + received.get(i)!);
    for (let k = 0; k < 20; k++) {
      const i = prng.below(ACCOUNTS);
      expect(await provenBalance(syntheticOwner(i))).toBe(AMOUNT + (received.get(i) ?? 0n));
    }
    // An account that was never allocated reads as zero, with an exclusion proof.
    expect(await provenBalance(syntheticOwner(ACCOUNTS + 7))).toBe(0n);

    const stats = await stub().nodeCacheStats();
    expect(stats.recordsMax).toBe(CACHE);
    expect(stats.records).toBeLessThanOrEqual(CACHE);
    // The reads went to SQLite (the tree does not fit): the bound was exercised, not idle.
    expect(stats.misses).toBeGreaterThan(0);
    expect(stats.records).toBeGreaterThan(CACHE / 4);
  });
});
