/**
 * Four real validator processes on loopback: they commit blocks, agree on the
 * block hash at every height, a transfer sent to one is committed and visible
 * on all, and each indexes its blocks into its own database: embedded PGlite
 * always, and the same test again on PostgreSQL (one schema per validator)
 * when DATABASE_URL is set. `reindex` rebuilds a stopped validator's rows
 * from its block store.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase, queryRows, type SettlementDatabase } from "../../settlement-node/db/index.ts";
import { compareBytes, fromHex, toHex } from "../../shared/bytes.ts";
import { sign } from "../../shared/crypto/index.ts";
import {
  encodeConsensusMessage,
  encodeEvidence,
  signVote,
  type Vote,
} from "../../settlement-node/consensus/index.ts";
import { settlementTxHash } from "../../settlement-node/ledger/tx.ts";
import { PeerNetwork } from "../../settlement-node/p2p/network.ts";
import { encodeWire } from "../../settlement-node/p2p/wire.ts";
import { CLI, Cluster, minOf, NODE_BIN, waitFor } from "./helpers/cluster.ts";

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL)
  console.warn(
    "cluster-consensus: DATABASE_URL is not set, so the PostgreSQL run is SKIPPED (the PGlite run still runs). " +
      "Set DATABASE_URL=postgres://user:pass@host:5432/db to run it.",
  );

const runs: { name: string; database: "pglite" | "postgres" }[] = [{ name: "PGlite", database: "pglite" }];
if (DATABASE_URL) runs.push({ name: "PostgreSQL", database: "postgres" });

describe.each(runs)("a four-validator cluster indexing into $name", ({ database }) => {
  let cluster: Cluster;
  const schemaPrefix = `bl_${Date.now().toString(36)}`;

  beforeAll(async () => {
    cluster = await Cluster.init({
      validators: 4,
      database,
      schemaPrefix,
      env: DATABASE_URL ? { DATABASE_URL } : {},
    });
    await cluster.startAll();
  });

  afterAll(async () => {
    await cluster?.stop();
    cluster?.cleanup();
  });

  test("commits blocks whose hashes agree on every validator at every height", async () => {
    await Promise.all([0, 1, 2, 3].map((i) => cluster.waitHeight(i, 8n)));
    const heights = await Promise.all([0, 1, 2, 3].map((i) => cluster.height(i)));
    const common = minOf(heights);
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
    const before = await cluster.account(2, to);
    const tx = cluster.tx(0, 0n, { type: "transfer", to, amount: 12_345n });
    // Requests that wait for it on every validator, open before it is submitted.
    const landed = Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const r = await fetch(
          `${cluster.url(i)}/v1/txs/0x${toHex(settlementTxHash(fromHex(tx.slice(2))))}?waitMs=20000`,
        );
        return r.json();
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    const submitted = await cluster.submit(0, tx);
    expect(submitted.accepted).toBe(true);
    // Refused again: as a duplicate while it waits in the mempool, or as a replayed nonce once it
    // is committed (an idle cluster can commit it before this second request arrives).
    const again = await cluster.submit(0, tx);
    expect(again.accepted).toBe(false);
    expect(["duplicate_tx", "nonce_replayed"]).toContain(again.code);
    for (const i of [0, 1, 2, 3])
      await waitFor(`transfer visible on validator ${i}`, 20_000, async () => {
        const a = await cluster.account(i, to);
        return BigInt(a.balance) === BigInt(before.balance) + 12_345n;
      });
    const sender = await cluster.account(3, cluster.accountAddress(0));
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
    // Every validator answered its waiting request with where it landed: the same block, the same verdict.
    for (const r of await landed)
      expect(r).toMatchObject({ state: "committed", height, blockHash: hash, status: 0 });
  });

  async function open(i: number): Promise<SettlementDatabase> {
    return database === "postgres"
      ? openDatabase({ url: DATABASE_URL!, schemaName: `${schemaPrefix}_v${i}` })
      : openDatabase({ dataDir: path.join(cluster.dir, `validator-${i}`, "data", "db") });
  }

  async function indexedHashes(i: number): Promise<Map<bigint, string>> {
    const db = await open(i);
    try {
      const rows = await queryRows<{ height: string; hash: string }>(
        db.db,
        sql`select height::text as height, encode(hash, 'hex') as hash from blocks order by height`,
      );
      return new Map(rows.map((r) => [BigInt(r.height), `0x${r.hash}`]));
    } finally {
      await db.close();
    }
  }

  test("every validator's database holds the committed blocks, and reindex rebuilds them from the block store", async () => {
    await Promise.all([0, 1, 2, 3].map((i) => cluster.waitHeight(i, 5n)));
    // PGlite is one process per data directory: stop the validator before reading its database.
    const victim = 3;
    if (database === "postgres")
      await waitFor("index caught up", 10_000, async () => (await indexedHashes(victim)).size >= 5);
    await cluster.kill9(victim);
    const height = await cluster.height(0);
    const served = new Map<bigint, string>();
    for (let h = 1n; h <= 5n; h++) served.set(h, (await cluster.block(0, h)).hash);
    const indexed = await indexedHashes(victim);
    for (const [h, hash] of served) if (indexed.has(h)) expect(indexed.get(h), `height ${h}`).toBe(hash);

    const out = execFileSync(NODE_BIN, [CLI, "reindex", "--config", cluster.configFiles[victim]!], {
      encoding: "utf8",
      env: { ...process.env, ...(DATABASE_URL ? { DATABASE_URL } : {}) },
    });
    const { countBlocks } = JSON.parse(out) as { countBlocks: number };
    expect(countBlocks).toBeGreaterThanOrEqual(5);
    const rebuilt = await indexedHashes(victim);
    expect(rebuilt.size).toBe(countBlocks);
    for (const [h, hash] of served) expect(rebuilt.get(h), `height ${h}`).toBe(hash);

    await cluster.restart(victim);
    await cluster.waitHeight(victim, height + 1n);
    expect(cluster.unexpectedExits).toEqual([]);
  });

  test("a validator that equivocates on the wire is caught: the others report it on chain and it is tombstoned", async () => {
    // Validator 3's process is replaced by an impostor holding its key (a Byzantine validator).
    await cluster.kill9(3);
    const offender = cluster.validatorKey(3);
    const config = JSON.parse(fs.readFileSync(cluster.configFiles[3]!, "utf8")) as {
      p2p: { port: number };
      peers: { publicKey: string; host: string; port: number }[];
    };
    const byzantine = new PeerNetwork({
      chainId: cluster.chainId,
      keyPair: offender,
      listenHost: "127.0.0.1",
      listenPort: config.p2p.port,
      peers: config.peers.map((p) => ({ publicKey: fromHex(p.publicKey), host: p.host, port: p.port })),
      logger: { info() {}, warn() {}, debug() {} },
      onFrame: () => {},
      reconnectMsMin: 20,
    });
    try {
      await byzantine.start();
      await waitFor("the impostor connected", 10_000, async () => byzantine.peersReady().length === 3);
      const keys = [0, 1, 2, 3].map((i) => cluster.validatorKey(i).publicKey).sort(compareBytes);
      const validatorIndex = keys.findIndex((k) => toHex(k) === toHex(offender.publicKey));
      const signer = { publicKey: offender.publicKey, sign: (m: Uint8Array) => sign(offender.secretKey, m) };
      const status = () =>
        cluster.get<{ validators: { publicKey: string; status: string }[] }>(0, "/v1/validators");
      // Two different prevotes for the height the others are deciding, re-sent until they land in a live height.
      await waitFor("validator 3 tombstoned", 30_000, async () => {
        const height = Number(await cluster.height(0)) + 1;
        for (const fill of [1, 2]) {
          const signed = signVote(cluster.chainId, signer, {
            type: "prevote",
            height,
            round: 0,
            valueId: new Uint8Array(32).fill(fill),
            validatorIndex,
            extension: new Uint8Array(0),
          });
          byzantine.broadcast(
            encodeWire({ type: "consensus", message: encodeConsensusMessage({ type: "vote", signed }) }),
          );
        }
        const v = (await status()).validators.find((x) => x.publicKey === `0x${toHex(offender.publicKey)}`);
        return v?.status === "tombstoned";
      });
      const infos = await Promise.all([0, 1, 2].map((i) => cluster.nodeInfo(i)));
      expect(infos.some((n) => n.evidenceSeen > 0)).toBe(true);
    } finally {
      await byzantine.close();
    }
    const h = await cluster.height(0);
    await Promise.all([0, 1, 2].map((i) => cluster.waitHeight(i, h + 2n)));
  });

  // Last in the file: it removes validator 2 from the set (after the previous test removed 3).
  test("double-sign evidence sent as a transaction is verified, and slashes and tombstones the validator on every node", async () => {
    const offender = cluster.validatorKey(2);
    // Votes name validators by index in the set of their height, which no longer holds validator 3.
    const height = Number(await cluster.height(0)) - 1;
    const { validators: set } = await cluster.get<{ validators: { publicKey: string; power: string }[] }>(
      0,
      "/v1/validators",
    );
    const keys = set
      .filter((v) => v.power !== "0")
      .map((v) => v.publicKey)
      .sort();
    expect(keys).toHaveLength(3);
    const validatorIndex = keys.indexOf(`0x${toHex(offender.publicKey)}`);
    const signer = { publicKey: offender.publicKey, sign: (m: Uint8Array) => sign(offender.secretKey, m) };
    const vote = (fill: number): Vote => ({
      type: "prevote",
      height,
      round: 7,
      valueId: new Uint8Array(32).fill(fill),
      validatorIndex,
      extension: new Uint8Array(0),
    });
    const evidence = encodeEvidence({
      voteA: signVote(cluster.chainId, signer, vote(1)),
      voteB: signVote(cluster.chainId, signer, vote(2)),
    });
    const submitted = await cluster.submit(1, cluster.tx(2, 0n, { type: "reportDoubleSign", evidence }));
    expect(submitted.accepted).toBe(true);
    type Validators = { validators: { publicKey: string; status: string; slashedTotal: string }[] };
    for (const i of [0, 1])
      await waitFor(`validator 2 tombstoned on validator ${i}`, 20_000, async () => {
        const { validators } = await cluster.get<Validators>(i, "/v1/validators");
        const v = validators.find((x) => x.publicKey === `0x${toHex(offender.publicKey)}`);
        return v?.status === "tombstoned" && BigInt(v.slashedTotal) > 0n;
      });
    // The remaining two keep committing without it.
    const h = await cluster.height(0);
    await Promise.all([0, 1].map((i) => cluster.waitHeight(i, h + 2n)));
  });
});
