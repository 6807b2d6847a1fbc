/**
 * SqlNodeStore in a real Durable Object's SQLite: putMany writes in
 * multi-row statements (50 nodes each, the platform's 100-parameter bound)
 * and every node reads back as written (get, and getMany at 100 a
 * statement), including a partial last chunk, a node written twice, and
 * after an eviction.
 */
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { sha256 } from "../../shared/hash.ts";
import { CachedNodeStore } from "../../shared/smt/index.ts";
import type { Env } from "../../workers/src/env.ts";
import { SqlNodeStore } from "../../workers/src/sequencer/sql-node-store.ts";

const e = env as unknown as Env;
const stub = () => e.SEQUENCER.getByName("977");
const node = (i: number) => {
  const hash = sha256(Uint8Array.of(i & 255, i >> 8, 7));
  const record = new Uint8Array(33 + (i % 40)).fill(i & 255);
  return { hash, record };
};

describe("SqlNodeStore.putMany", () => {
  it("stores 123 nodes (two full 50-row statements and a partial one) and reads every one back after an eviction", async () => {
    const nodes = Array.from({ length: 123 }, (_, i) => node(i));
    await runInDurableObject(stub(), (_instance, state) => {
      const store = new CachedNodeStore(new SqlNodeStore(state.storage.sql), 16);
      store.putMany(
        [...nodes.map((n) => n.hash), nodes[5]!.hash],
        [...nodes.map((n) => n.record), nodes[5]!.record],
      );
      const rows = state.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM smt_nodes WHERE length(hash) = 32")
        .one().n;
      expect(rows).toBeGreaterThanOrEqual(123);
    });
    await evictDurableObject(stub());
    await runInDurableObject(stub(), (_instance, state) => {
      const store = new SqlNodeStore(state.storage.sql);
      for (const n of nodes) expect(toHex(store.get(n.hash)!)).toBe(toHex(n.record));
      expect(store.get(sha256(Uint8Array.of(1, 2, 3)))).toBeUndefined();
      // getMany: 100 per statement, answers in input order, undefined for an absent hash.
      const absent = sha256(Uint8Array.of(4, 5, 6));
      const asked = [absent, ...nodes.map((n) => n.hash).reverse(), nodes[0]!.hash];
      const got = store.getMany(asked);
      expect(got).toHaveLength(asked.length);
      expect(got[0]).toBeUndefined();
      expect(got.slice(1, -1).map((r) => toHex(r!))).toEqual(nodes.map((n) => toHex(n.record)).reverse());
      expect(toHex(got[asked.length - 1]!)).toBe(toHex(nodes[0]!.record));
    });
  });
});
