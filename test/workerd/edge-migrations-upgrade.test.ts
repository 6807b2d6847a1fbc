/**
 * A lane created by the old migration set (0000 only, with the poster's
 * tables made by poster-store.ts itself) opens under the current one: the
 * migrator applies 0001 (poster tables now drizzle-managed, the pending-block
 * index), the lane keeps its state, receipts and poster rows, and the poster
 * store reads and writes them through drizzle.
 */
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { publicKeyFromSecret } from "../../shared/crypto/keys.ts";
import { createSigner, deriveSeed } from "../../shared/lane/index.ts";
import { signedTx, type TestAccount } from "../../shared/lane/testing.ts";
import { migrations } from "../../migrations/edge/migrations.ts";
import type { Env } from "../../workers/src/env.ts";
import app from "../../workers/src/index.ts";
import { PosterStore } from "../../workers/src/sequencer/poster-store.ts";
import * as schema from "../../workers/src/sequencer/schema.ts";

const e = env as unknown as Env;
const [alice, bob] = [0, 1].map((i): TestAccount => {
  const secretKey = deriveSeed(fromHex(e.DEVNET_ACCOUNTS_SEED), `account/${i}`);
  return { secretKey, publicKey: publicKeyFromSecret(secretKey), signer: createSigner(secretKey) };
}) as [TestAccount, TestAccount];

/** The DDL poster-store.ts ran before its tables joined the drizzle schema (verbatim). */
const OLD_POSTER_DDL = [
  "CREATE TABLE IF NOT EXISTS poster_nonce (id INTEGER PRIMARY KEY CHECK (id = 1), nonce TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS poster_posts (idx INTEGER PRIMARY KEY, tx_hash TEXT NOT NULL, posted_at_ms INTEGER NOT NULL)",
];
const entry0001 = migrations.journal.entries.find((m) => m.tag === "0001_poster_tables")!;

async function submit(lane: number, nonce: bigint): Promise<string> {
  const bytes = await signedTx(
    {
      chainId: e.CHAIN_ID,
      lane,
      sender: alice.publicKey,
      nonce,
      maxFeePerGas: 100n,
      tipPerGas: 1n,
      idempotencyKey: null,
      payload: { type: "transfer", to: bob.publicKey, amount: 7n },
    },
    [alice],
  );
  const r = await app.request(
    `/v1/lanes/${lane}/txs`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx: toHex(bytes) }),
    },
    e,
  );
  expect(r.status).toBe(200);
  return ((await r.json()) as { receipt: { receipt: { txHash: string } } }).receipt.receipt.txHash;
}

const stub = (lane: number) => e.SEQUENCER.getByName(String(lane));
// biome-ignore lint/suspicious/noExplicitAny: JSON from the API under test
const getJson = async (path: string): Promise<any> => (await app.request(path, {}, e)).json();

/** Turns the lane's database back into what the old build left: 0000 applied, poster tables raw. */
function downgrade(lane: number, o: { posterRows: boolean }) {
  return runInDurableObject(stub(lane), (_i, state) => {
    const sql = state.storage.sql;
    sql.exec("DROP TABLE poster_nonce");
    sql.exec("DROP TABLE poster_posts");
    sql.exec("DROP INDEX blocks_checkpoint_index");
    sql.exec("DELETE FROM __drizzle_migrations WHERE created_at = ?", entry0001.when);
    if (!o.posterRows) return;
    for (const ddl of OLD_POSTER_DDL) sql.exec(ddl);
    sql.exec("INSERT INTO poster_nonce (id, nonce) VALUES (1, ?)", "42");
    sql.exec(
      "INSERT INTO poster_posts (idx, tx_hash, posted_at_ms) VALUES (?, ?, ?)",
      0,
      "ab".repeat(32),
      1234,
    );
  });
}

const migrationCount = (lane: number) =>
  runInDurableObject(
    stub(lane),
    (_i, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM __drizzle_migrations").one().n,
  );
const hasIndex = (lane: number) =>
  runInDurableObject(
    stub(lane),
    (_i, state) =>
      state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'blocks_checkpoint_index'")
        .toArray().length === 1,
  );

describe("edge migrations: a lane from the old migration set upgrades", () => {
  it("keeps its state, receipts and the poster's rows, now read and written through drizzle", async () => {
    const lane = 771;
    const hash = await submit(lane, 0n);
    const before = await getJson(`/v1/lanes/${lane}/status`);
    await downgrade(lane, { posterRows: true });
    expect(await migrationCount(lane)).toBe(migrations.journal.entries.length - 1);
    expect(await hasIndex(lane)).toBe(false);

    await evictDurableObject(stub(lane));
    // The next call constructs the object again: the migrator applies 0001 over the old tables.
    const after = await getJson(`/v1/lanes/${lane}/status`);
    expect(after.stateRoot).toBe(before.stateRoot);
    expect(after.height).toBe(before.height);
    expect((await getJson(`/v1/lanes/${lane}/receipts/${hash}`)).receipt.txHash).toBe(hash);
    expect(await migrationCount(lane)).toBe(migrations.journal.entries.length);
    expect(await hasIndex(lane)).toBe(true);

    await runInDurableObject(stub(lane), (_i, state) => {
      const store = new PosterStore(drizzle(state.storage, { schema }));
      expect(store.nonce()).toBe(42n);
      expect(store.post(0)).toEqual({ index: 0, txHash: "ab".repeat(32), postedAtMs: 1234 });
      store.setNonce(43n);
      store.recordPost({ index: 0, txHash: "cd".repeat(32), postedAtMs: 5678 });
      store.recordPost({ index: 1, txHash: "ef".repeat(32), postedAtMs: 9999 });
      expect(store.nonce()).toBe(43n);
      expect(store.post(0)?.txHash).toBe("cd".repeat(32));
      // The old table's one-row rule still holds.
      expect(() => state.storage.sql.exec("INSERT INTO poster_nonce (id, nonce) VALUES (2, '1')")).toThrow();
      store.setNonce(null);
      expect(store.nonce()).toBeNull();
    });
    // And the lane still takes transactions.
    await submit(lane, 1n);
  });

  it("a lane that never posted gets the poster tables from the migration", async () => {
    const lane = 772;
    await submit(lane, 0n);
    await downgrade(lane, { posterRows: false });
    await evictDurableObject(stub(lane));
    expect((await getJson(`/v1/lanes/${lane}/status`)).height).toBe("1");
    await runInDurableObject(stub(lane), (_i, state) => {
      const store = new PosterStore(drizzle(state.storage, { schema }));
      expect(store.nonce()).toBeNull();
      store.setNonce(7n);
      expect(store.nonce()).toBe(7n);
      expect(() => state.storage.sql.exec("INSERT INTO poster_nonce (id, nonce) VALUES (2, '1')")).toThrow();
    });
  });
});
