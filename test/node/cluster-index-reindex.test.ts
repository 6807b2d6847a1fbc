/**
 * The CLI's `start` serves the whole API over HTTP (settlement API, /v1/node,
 * /v1/index), and the database the running node maintains holds accounts,
 * validators, lanes, checkpoints, withdrawals and transactions that agree
 * with the ledger. Losing the database (kill -9, then delete it) and running
 * `reindex` gives exactly the same indexed answers. PGlite always; PostgreSQL
 * too when DATABASE_URL is set.
 *
 * One validator with a one-hour block interval: blocks come only when
 * transactions arrive (the node proposes as soon as it has one), so the
 * chain stands still between the two reads being compared.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signCheckpoint } from "../../settlement-node/api/testing.ts";
import { checkpointPayload } from "../../settlement-node/ledger/harness.ts";
import { toHex } from "../../shared/bytes.ts";
import { formatAddress } from "../../shared/crypto/index.ts";
import { CLI, Cluster, NODE_BIN, waitFor } from "./helpers/cluster.ts";

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL)
  console.warn(
    "cluster-index-reindex: DATABASE_URL is not set, so the PostgreSQL run is SKIPPED (the PGlite run still runs).",
  );
const runs: { name: string; database: "pglite" | "postgres" }[] = [{ name: "PGlite", database: "pglite" }];
if (DATABASE_URL) runs.push({ name: "PostgreSQL", database: "postgres" });

const START_MS = 120_000;
const GENESIS_ROOT = new Uint8Array(32).fill(7);
const ROOT_1 = new Uint8Array(32).fill(8);

describe.each(runs)("a validator started by the CLI, indexing into $name", ({ database }) => {
  let cluster: Cluster;
  const schemaPrefix = `bl_ix_${Date.now().toString(36)}`;
  const env: Record<string, string> = DATABASE_URL ? { DATABASE_URL } : {};
  const hashes: string[] = [];

  beforeAll(async () => {
    cluster = await Cluster.init({ validators: 1, database, schemaPrefix, blockIntervalMs: 3_600_000, env });
    cluster.spawn(0);
    await cluster.waitReady(0, START_MS);
  }, START_MS + 10_000);

  afterAll(async () => {
    await cluster?.stop();
    cluster?.cleanup();
    if (database === "postgres") {
      const admin = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop schema if exists "${schemaPrefix}_v0" cascade`);
      await admin.end();
    }
  });

  const post = async (tx: string) => {
    const r = await cluster.submit(0, tx);
    expect(r, JSON.stringify(r)).toMatchObject({ accepted: true });
    hashes.push(r.hash!);
    return r.hash!;
  };
  const nonceIs = (account: number, nonce: bigint) =>
    waitFor(`account ${account} at nonce ${nonce}`, 30_000, async () => {
      const a = await cluster.account(0, cluster.accountAddress(account));
      return BigInt(a.nonce) === nonce;
    });

  test("transactions commit at once although the empty-block interval is an hour", async () => {
    const [alice, bob, sequencer] = [0, 1, 2];
    await post(cluster.tx(alice, 0n, { type: "transfer", to: cluster.accountAddress(bob), amount: 777n }));
    await nonceIs(alice, 1n);
    await post(
      cluster.tx(bob, 0n, {
        type: "openLane",
        sequencer: cluster.accounts[sequencer]!.publicKey,
        bond: 5_000n,
        challengeWindowBlocks: 10n,
        genesisRoot: GENESIS_ROOT,
        forcedInclusionBlocks: 100n,
        genesisEscrow: 0n,
      }),
    );
    await nonceIs(bob, 1n);
    const payload = signCheckpoint(
      cluster.chainId,
      cluster.accounts[sequencer]!,
      checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: GENESIS_ROOT,
        newRoot: ROOT_1,
        sequencer: cluster.accounts[sequencer]!.publicKey,
      }),
    );
    await post(cluster.tx(sequencer, 0n, payload));
    await nonceIs(sequencer, 1n);
    await post(
      cluster.tx(alice, 1n, {
        type: "depositToLane",
        lane: 1,
        recipient: new Uint8Array(32).fill(3),
        amount: 900n,
      }),
    );
    await nonceIs(alice, 2n);
  });

  /** Every indexed answer the node serves, read over HTTP. */
  async function indexAnswers(): Promise<Record<string, unknown>> {
    const get = (p: string) => cluster.get<Record<string, unknown>>(0, `/v1/index${p}`);
    const out: Record<string, unknown> = {};
    for (const a of [0, 1, 2]) {
      const address = formatAddress(cluster.accountAddress(a));
      out[`account ${a}`] = await get(`/accounts/${address}`);
      out[`txs of ${a}`] = await get(`/accounts/${address}/txs`);
    }
    for (const h of hashes) out[`tx ${h}`] = await get(`/txs/${h}`);
    out.validators = await get("/validators");
    out.lanes = await get("/lanes");
    out.checkpoints = await get("/lanes/1/checkpoints");
    out.counts = await get("/checkpoints/count");
    out.withdrawals = await get("/withdrawals");
    out.status = await get("/status");
    return out;
  }

  let before: Record<string, unknown>;

  test("the full API answers over HTTP, and the indexed views agree with the ledger", async () => {
    const height = await cluster.height(0);
    await waitFor("index caught up", 30_000, async () => {
      const s = await cluster.get<{ heightIndexed: string }>(0, "/v1/index/status");
      return BigInt(s.heightIndexed) === height;
    });
    // Routes of createSettlementApi, served by the CLI's process.
    const openapi = await cluster.get<{ paths: Record<string, unknown> }>(0, "/v1/openapi.json");
    expect(Object.keys(openapi.paths)).toContain("/v1/lanes/{id}/checkpoints/{index}");
    const lane = await cluster.get<{ escrow: string; checkpointCount: string }>(0, "/v1/lanes/1");
    expect(lane).toMatchObject({ escrow: "900", checkpointCount: "1" });
    const cp = await cluster.get<{ newRoot: string; finality: { status: string } }>(
      0,
      "/v1/lanes/1/checkpoints/0",
    );
    expect(cp.newRoot).toBe(`0x${toHex(ROOT_1)}`);
    expect(cp.finality.status).toBe("settled");
    const node = await cluster.get<{ heightIndexed: string }>(0, "/v1/node");
    expect(node.heightIndexed).toBe(String(height));
    const metrics = await fetch(`${cluster.url(0)}/metrics`);
    expect(metrics.status).toBe(200);

    // Bad input: 4xx naming the field, from both route families.
    const bad = async (p: string, status: number, field: string) => {
      const r = await fetch(cluster.url(0) + p);
      expect(r.status, p).toBe(status);
      expect(((await r.json()) as { error: { field?: string } }).error.field, p).toBe(field);
    };
    await bad("/v1/lanes/abc", 400, "id");
    await bad("/v1/index/lanes/1/checkpoints?status=maybe", 400, "query.status");
    await bad("/v1/index/accounts/nothex", 400, "address");
    await bad("/v1/index/txs/0x12", 400, "hash");
    await bad(`/v1/index/txs/0x${"0".repeat(64)}`, 404, "hash");
    await bad("/v1/node/phases?recent=abc", 400, "query.recent");
    await bad("/v1/node/phases?recent=513", 400, "query.recent");
    await bad("/v1/node/phases?txsMin=-1", 400, "query.txsMin");
    const phases = await cluster.get<{ recent: { startedAtUnixMs: number }[] }>(
      0,
      "/v1/node/phases?recent=512",
    );
    expect(phases.recent.length).toBeGreaterThan(0);
    expect(phases.recent.length).toBeLessThanOrEqual(512);
    expect(phases.recent[0]!.startedAtUnixMs).toBeGreaterThan(Date.UTC(2020, 0, 1));

    // Indexed rows equal the ledger's records.
    before = await indexAnswers();
    for (const a of [0, 1, 2]) {
      const ledger = await cluster.account(0, cluster.accountAddress(a));
      expect(before[`account ${a}`]).toMatchObject({ balance: ledger.balance, nonce: ledger.nonce });
    }
    expect((before.lanes as { lanes: unknown[] }).lanes).toEqual([
      expect.objectContaining({ id: 1, escrow: "900", bond: "5000", challengeWindowBlocks: "10" }),
    ]);
    expect((before.checkpoints as { checkpoints: unknown[] }).checkpoints).toEqual([
      expect.objectContaining({ lane: 1, index: "0", newRoot: `0x${toHex(ROOT_1)}`, status: "settled" }),
    ]);
    const ledgerValidators = await cluster.get<{ validators: { address: string; stake: string }[] }>(
      0,
      "/v1/validators",
    );
    expect(
      (before.validators as { validators: { address: string; stake: string }[] }).validators.map((v) => [
        v.address,
        v.stake,
      ]),
    ).toEqual(ledgerValidators.validators.map((v) => [v.address, v.stake]));
    const txsOfAlice = (before["txs of 0"] as { txs: { kind: string; status: string }[] }).txs;
    expect(txsOfAlice.map((t) => [t.kind, t.status])).toEqual([
      ["transfer", "applied"],
      ["depositToLane", "applied"],
    ]);
    for (const h of hashes) expect(before[`tx ${h}`]).toMatchObject({ hash: h, status: "applied" });
  });

  test(
    "kill -9, lose the database, reindex: the same answers",
    async () => {
      const height = await cluster.height(0);
      await cluster.kill9(0);
      if (database === "pglite")
        fs.rmSync(path.join(cluster.dir, "validator-0", "data", "db"), { recursive: true, force: true });
      else {
        const admin = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop schema "${schemaPrefix}_v0" cascade`);
        await admin.end();
      }
      const out = execFileSync(NODE_BIN, [CLI, "reindex", "--config", cluster.configFiles[0]!], {
        encoding: "utf8",
        env: { ...process.env, ...env },
      });
      expect(JSON.parse(out)).toEqual({ countBlocks: Number(height), heightLast: String(height) });
      cluster.spawn(0);
      await cluster.waitReady(0, START_MS);
      expect(await cluster.height(0)).toBe(height);
      expect(await indexAnswers()).toEqual(before);
      expect(cluster.unexpectedExits).toEqual([]);
    },
    START_MS + 60_000,
  );
});
