/**
 * Four real validator processes on loopback: they commit blocks, agree on the
 * block hash at every height, and a transfer sent to one is committed and
 * visible on all.
 */
import { toHex } from "../../shared/bytes.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Cluster, waitFor } from "./helpers/cluster.ts";

describe("a four-validator cluster", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.init({ validators: 4 });
    await cluster.startAll();
  });

  afterAll(async () => {
    await cluster?.stop();
    cluster?.cleanup();
  });

  test("commits blocks whose hashes agree on every validator at every height", async () => {
    await Promise.all([0, 1, 2, 3].map((i) => cluster.waitHeight(i, 8n)));
    const heights = await Promise.all([0, 1, 2, 3].map((i) => cluster.height(i)));
    const common = heights.reduce((a, b) => (a < b ? a : b));
    expect(common).toBeGreaterThanOrEqual(8n);
    for (let h = 1n; h <= common; h++) {
      const blocks = await Promise.all([0, 1, 2, 3].map((i) => cluster.block(i, h)));
      expect(new Set(blocks.map((b) => b.hash)).size, `hashes at height ${h}`).toBe(1);
      expect(new Set(blocks.map((b) => b.appHash)).size, `app hashes at height ${h}`).toBe(1);
      for (const b of blocks) expect(b.certificate.precommits.length).toBeGreaterThanOrEqual(3);
    }
    expect(cluster.unexpectedExits).toEqual([]);
  });

  test("a transfer submitted to one validator is committed and visible on all four", async () => {
    const to = cluster.accountAddress(1);
    const before = await cluster.get<{ balance: string }>(2, `/v1/accounts/${toHex(to)}`);
    const tx = cluster.tx(0, 0n, { type: "transfer", to, amount: 12_345n });
    const submitted = await cluster.submit(0, tx);
    expect(submitted.accepted).toBe(true);
    expect((await cluster.submit(0, tx)).accepted).toBe(false); // same hash: refused as a duplicate
    for (const i of [0, 1, 2, 3])
      await waitFor(`transfer visible on validator ${i}`, 20_000, async () => {
        const a = await cluster.get<{ balance: string }>(i, `/v1/accounts/${toHex(to)}`);
        return BigInt(a.balance) === BigInt(before.balance) + 12_345n;
      });
    const sender = await cluster.get<{ nonce: string }>(3, `/v1/accounts/${toHex(cluster.accountAddress(0))}`);
    expect(sender.nonce).toBe("1");
    // The block carrying it is the same block on every validator.
    const h = await cluster.height(0);
    let found: string | null = null;
    for (let k = h; k >= 1n && !found; k--) {
      const b = await cluster.block(0, k);
      if (b.txs.some((t) => t.hash === submitted.hash)) found = `${k}:${b.hash}`;
    }
    expect(found).not.toBeNull();
    const [height, hash] = found!.split(":");
    for (const i of [1, 2, 3]) expect((await cluster.block(i, BigInt(height!))).hash).toBe(hash);
  });
});
