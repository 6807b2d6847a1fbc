/**
 * The checkpoint poster inside the real Sequencer (workerd), against a
 * settlement test double reached through the Worker's outbound fetch: a
 * validator that is down (5xx), one that fails its first N requests, one that
 * loses the answer of an admitted post, one that holds a conflicting
 * checkpoint, and a nonce moved by someone else. With SETTLEMENT_VALIDATORS
 * set, the fake serves checkpoint proofs built like settlement's (a state
 * tree holding the record, block H + 1 over its root, precommits of real
 * Ed25519 keys), honest or forged: a validator that claims `final` with a
 * forged proof never makes the lane final. The real settlement is exercised
 * end to end by test/workerd/lane-settlement-e2e.test.ts and
 * test/node/devnet-e2e.test.ts.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProvableState } from "../../settlement-node/api/backend.ts";
import { checkpointProofJson } from "../../settlement-node/api/views.ts";
import { signVote, valueIdOf } from "../../settlement-node/consensus/messages.ts";
import { checkpointCodec, ledgerKeys } from "../../settlement-node/ledger/records.ts";
import { decodeSettlementTx, type SettlementPayload } from "../../settlement-node/ledger/tx.ts";
import { encodeBlock } from "../../settlement-node/node/block.ts";
import { compareBytes, fromHex, toHex } from "../../shared/bytes.ts";
import { encode } from "../../shared/codec/index.ts";
import { generateKeyPair, type KeyPair, publicKeyFromSecret, sign } from "../../shared/crypto/keys.ts";
import { MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import { createSigner, deriveSeed } from "../../shared/lane/index.ts";
import { signedTx, type TestAccount } from "../../shared/lane/testing.ts";
import type { Env } from "../../workers/src/env.ts";
import app from "../../workers/src/index.ts";
import type { PosterVars } from "../../workers/src/sequencer/poster-config.ts";

const e = env as unknown as Env & PosterVars;
const accounts: TestAccount[] = Array.from({ length: 2 }, (_, i) => {
  const secretKey = deriveSeed(fromHex(e.DEVNET_ACCOUNTS_SEED), `account/${i}`);
  return { secretKey, publicKey: publicKeyFromSecret(secretKey), signer: createSigner(secretKey) };
});
const [alice, bob] = accounts as [TestAccount, TestAccount];

type Held = {
  prevRoot: string;
  newRoot: string;
  batchHash: string;
  status: "checkpointed" | "settled" | "final";
};

const keysOf = (from: number): KeyPair[] =>
  [0, 1, 2, 3]
    .map((i) => generateKeyPair(Uint8Array.from({ length: 32 }, (_, j) => (from + i) * 13 + j)))
    .sort((a, b) => compareBytes(a.publicKey, b.publicKey));
/** The settlement validators the lane trusts (SETTLEMENT_VALIDATORS), and four keys it does not. */
const validatorKeys = keysOf(1);
const strangerKeys = keysOf(50);
const TRUSTED = validatorKeys.map((k) => `${toHex(k.publicKey)}:10000`).join(",");

/** Block H + 1 over a state tree holding only this record, certified by `signers` (or for `certifiedBlock`). */
function checkpointProof(
  lane: number,
  index: string,
  h: Held,
  o: { final: boolean; finalHeight?: bigint; signers?: KeyPair[]; certifiedBlock?: Uint8Array },
) {
  const height = 30n;
  const record = {
    lane,
    index: BigInt(index),
    prevRoot: fromHex(h.prevRoot.slice(2)),
    newRoot: fromHex(h.newRoot.slice(2)),
    withdrawalCount: 0n,
    depositCursor: 0n,
    forcedCursor: 0n,
    batchHash: fromHex(h.batchHash.slice(2)),
    stfVersion: 1,
    sequencerSignature: new Uint8Array(64),
    postedHeight: 10n,
    finalHeight: o.finalHeight ?? (o.final ? 20n : 40n),
  };
  const tree = new SparseMerkleTree(new MemoryNodeStore());
  const root = tree.update([
    { key: ledgerKeys.checkpoint(lane, record.index), value: encode(checkpointCodec, record) },
  ]);
  const block = encodeBlock({
    height: height + 1n,
    timeMs: 0n,
    proposer: validatorKeys[0]!.publicKey,
    appHashPrev: root,
    lastCommit: null,
    txs: [],
  });
  const valueId = valueIdOf(o.certifiedBlock ?? block);
  const precommits = (o.signers ?? validatorKeys).map((key, validatorIndex) =>
    signVote(
      e.CHAIN_ID,
      { publicKey: key.publicKey, sign: (m) => sign(key.secretKey, m) },
      {
        type: "precommit",
        height: Number(height + 1n),
        round: 0,
        valueId,
        validatorIndex,
        extension: new Uint8Array(0),
      },
    ),
  );
  const state: ProvableState = {
    height,
    block,
    certificate: { height: Number(height + 1n), round: 0, valueId, precommits },
    root,
    state: tree.readerAt(root),
    prove: (key) => tree.prove(key, root),
  };
  return { json: checkpointProofJson(state, lane, BigInt(index))!, block };
}

/**
 * A lying validator: it answers the checkpoint JSON with `status` and a
 * proof of a record that is final, signed by keys the lane does not trust
 * (`strangers`) or carrying the honest validators' certificate of the real
 * block over its own state (`forged-state`).
 */
type Liar = { status: Held["status"]; proof: "strangers" | "forged-state" };

/** Settlement as the poster sees it over HTTP: mempool admission by nonce, checkpoints by index. */
class FakeSettlement {
  held = new Map<string, Held>();
  /** Hosts that lie about checkpoints (the others answer with `held`'s status and honest proofs). */
  liars = new Map<string, Liar>();
  nonce = 0n;
  admitted: { lane: number; index: bigint; nonce: bigint }[] = [];
  requests: string[] = [];
  down = new Set<string>();
  proofsServed: string[] = [];
  failNext = 0;
  loseNextPostAnswer = false;

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const method = init?.method ?? "GET";
    this.requests.push(`${method} ${url.host}${url.pathname}`);
    if (this.down.has(url.host)) return new Response("bad gateway", { status: 502 });
    if (this.failNext > 0) {
      this.failNext--;
      return new Response("unavailable", { status: 503 });
    }
    const path = url.pathname;
    const liar = this.liars.get(url.host);
    let m = path.match(/^\/v1\/lanes\/(\d+)\/checkpoints\/(\d+)$/);
    if (m) {
      const h = this.held.get(`${m[1]}/${m[2]}`);
      const status = liar?.status ?? h?.status;
      return h
        ? Response.json({ ...h, lane: Number(m[1]), index: m[2], finality: { status } })
        : Response.json({ error: { code: "checkpoint_not_found", message: "no" } }, { status: 404 });
    }
    m = path.match(/^\/v1\/lanes\/(\d+)\/checkpoints\/(\d+)\/proof$/);
    if (m) {
      const h = this.held.get(`${m[1]}/${m[2]}`);
      // An honest validator has no proof of a checkpoint only in its newest block (checkpointed).
      if (!h || (!liar && h.status === "checkpointed"))
        return Response.json({ error: { code: "checkpoint_not_found", message: "no" } }, { status: 404 });
      const lane = Number(m[1]);
      this.proofsServed.push(`${url.host} ${liar ? "forged" : "honest"}`);
      if (!liar) return Response.json(checkpointProof(lane, m[2]!, h, { final: h.status === "final" }).json);
      if (liar.proof === "strangers")
        return Response.json(
          checkpointProof(lane, m[2]!, h, { final: true, finalHeight: 1n, signers: strangerKeys }).json,
        );
      const honest = checkpointProof(lane, m[2]!, h, { final: h.status === "final" });
      return Response.json(
        checkpointProof(lane, m[2]!, h, { final: true, finalHeight: 1n, certifiedBlock: honest.block }).json,
      );
    }
    m = path.match(/^\/v1\/accounts\/(bl[0-9a-f]{40})$/);
    if (m) return Response.json({ address: m[1], balance: "1000000", nonce: String(this.nonce) });
    if (path === "/v1/txs" && method === "POST") {
      const { tx } = JSON.parse(String(init?.body)) as { tx: string };
      const { body } = decodeSettlementTx(fromHex(tx.slice(2)));
      if (body.nonce < this.nonce)
        return Response.json({ error: { code: "nonce_replayed", message: "used" } }, { status: 409 });
      if (body.nonce > this.nonce)
        return Response.json({ error: { code: "nonce_mismatch", message: "gap" } }, { status: 422 });
      this.nonce++;
      const p = body.payload as Extract<SettlementPayload, { type: "postCheckpoint" }>;
      this.admitted.push({ lane: p.lane, index: p.index, nonce: body.nonce });
      const key = `${p.lane}/${p.index}`;
      if (!this.held.has(key))
        this.held.set(key, {
          prevRoot: `0x${toHex(p.prevRoot)}`,
          newRoot: `0x${toHex(p.newRoot)}`,
          batchHash: `0x${toHex(p.batchHash)}`,
          status: "checkpointed",
        });
      if (this.loseNextPostAnswer) {
        this.loseNextPostAnswer = false;
        throw new Error("connection reset after the request was sent");
      }
      return Response.json({ hash: "0x00", accepted: true }, { status: 202 });
    }
    return Response.json({ error: { code: "route_not_found", message: path } }, { status: 404 });
  };
}

let fake: FakeSettlement;
beforeAll(() => {
  // Read by each Sequencer when it opens (lane config) or runs its alarm (poster config).
  e.CHECKPOINT_AGE_MS_MAX = "1";
  e.SETTLEMENT_URLS = "http://validator-a.test,http://validator-b.test";
  e.SETTLEMENT_BACKOFF_MS_MIN = "60000";
  e.SETTLEMENT_BACKOFF_MS_MAX = "600000";
  // Polls are made due explicitly (makeDue), so no lane of an earlier test wakes during a later one.
  e.SETTLEMENT_POLL_MS = "600000";
  // The fake holds no deposits or forced txs: keep the lane's inbox poll out of its request log.
  (e as Record<string, unknown>).LANE_INBOX_POLL_MS = "0";
});
afterEach(() => {
  vi.restoreAllMocks();
});
function useFake(): FakeSettlement {
  fake = new FakeSettlement();
  vi.spyOn(globalThis, "fetch").mockImplementation(fake.fetch as typeof fetch);
  return fake;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API under test
const json = async (r: Response): Promise<any> => r.json();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submit(lane: number, nonce: bigint): Promise<string> {
  const tx = toHex(
    await signedTx(
      {
        chainId: e.CHAIN_ID,
        lane,
        sender: alice.publicKey,
        nonce,
        maxFeePerGas: 100n,
        tipPerGas: 1n,
        idempotencyKey: null,
        payload: { type: "transfer", to: bob.publicKey, amount: 5n },
      },
      accounts,
    ),
  );
  const r = await json(
    await app.request(
      `/v1/lanes/${lane}/txs`,
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tx }) },
      e,
    ),
  );
  if (r.status !== "included") throw new Error(`submit failed: ${JSON.stringify(r)}`);
  return r.receipt.receipt.txHash;
}

const finality = async (lane: number, hash: string): Promise<string> =>
  (await json(await app.request(`/v1/lanes/${lane}/receipts/${hash}`, {}, e))).finality;

const checkpointRows = (lane: number) =>
  runInDurableObject(e.SEQUENCER.getByName(String(lane)), (_i, state) =>
    state.storage.sql
      .exec<{ idx: number; status: string; attempts: number; next_attempt_ms: number }>(
        "SELECT idx, status, attempts, next_attempt_ms FROM checkpoints ORDER BY idx",
      )
      .toArray(),
  );

/** Lets the checkpoint age pass, then runs the alarm handler (at least once delivery: a background run may also happen). */
async function alarm(lane: number): Promise<void> {
  await sleep(5);
  await runInDurableObject(e.SEQUENCER.getByName(String(lane)), (instance) => instance.alarm());
}

/** Time control: makes every waiting checkpoint due now (as if the backoff elapsed). */
const makeDue = (lane: number) =>
  runInDurableObject(e.SEQUENCER.getByName(String(lane)), (_i, state) => {
    state.storage.sql.exec("UPDATE checkpoints SET next_attempt_ms = 0");
  });

describe("checkpoint poster", () => {
  it("posts a built checkpoint and moves its receipts checkpointed → settled → final as settlement reports", async () => {
    const s = useFake();
    const lane = 101;
    const hash = await submit(lane, 0n);
    expect(await finality(lane, hash)).toBe("soft");
    await alarm(lane);
    expect(s.admitted).toEqual([{ lane, index: 0n, nonce: 0n }]);
    expect(await finality(lane, hash)).toBe("checkpointed");
    s.held.get(`${lane}/0`)!.status = "settled";
    await makeDue(lane);
    await alarm(lane);
    expect(await finality(lane, hash)).toBe("settled");
    s.held.get(`${lane}/0`)!.status = "final";
    await makeDue(lane);
    await alarm(lane);
    expect(await finality(lane, hash)).toBe("final");
    // A final checkpoint is never asked about again, and nothing was posted twice.
    const before = s.requests.length;
    await makeDue(lane);
    await alarm(lane);
    expect(s.requests.length).toBe(before);
    expect(s.admitted).toHaveLength(1);
  });

  it("fails over to the next validator URL when one answers 5xx", async () => {
    const s = useFake();
    s.down.add("validator-a.test");
    const lane = 102;
    const hash = await submit(lane, 0n);
    await alarm(lane);
    expect(s.admitted).toHaveLength(1);
    expect(s.requests[0]).toBe("GET validator-a.test/v1/lanes/102/checkpoints/0");
    expect(s.requests[1]).toBe("GET validator-b.test/v1/lanes/102/checkpoints/0");
    // The validator that answered is tried first next time.
    expect(s.requests.slice(2).every((r) => r.includes("validator-b.test"))).toBe(true);
    expect(await finality(lane, hash)).toBe("checkpointed");
  });

  it("backs off exponentially while every validator fails, without posting later checkpoints first", async () => {
    const s = useFake();
    s.failNext = 4; // both URLs, twice
    const lane = 103;
    const hash = await submit(lane, 0n);
    await alarm(lane);
    let rows = await checkpointRows(lane);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([["built", 1]]);
    const firstDelay = rows[0]!.next_attempt_ms - Date.now();
    expect(firstDelay).toBeGreaterThan(50_000);
    // Not due yet: the alarm asks nothing.
    const before = s.requests.length;
    await alarm(lane);
    expect(s.requests.length).toBe(before);
    // A second checkpoint is built meanwhile; once due, the failure doubles the delay of the first.
    await submit(lane, 1n);
    await makeDue(lane);
    await alarm(lane);
    rows = await checkpointRows(lane);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ["built", 2],
      ["built", 0],
    ]);
    expect(rows[0]!.next_attempt_ms - Date.now()).toBeGreaterThan(110_000);
    expect(s.admitted).toEqual([]);
    await makeDue(lane);
    await alarm(lane);
    expect(s.admitted.map((a) => [a.index, a.nonce])).toEqual([
      [0n, 0n],
      [1n, 1n],
    ]);
    expect(await finality(lane, hash)).toBe("checkpointed");
  });

  it("treats a post whose answer was lost as done once settlement holds the same checkpoint", async () => {
    const s = useFake();
    s.loseNextPostAnswer = true;
    e.SETTLEMENT_URLS = "http://validator-a.test";
    try {
      const lane = 104;
      const hash = await submit(lane, 0n);
      await alarm(lane);
      expect(s.admitted).toHaveLength(1);
      await makeDue(lane);
      await alarm(lane);
      expect(s.admitted).toHaveLength(1);
      expect((await checkpointRows(lane)).map((r) => r.status)).toEqual(["posted"]);
      expect(await finality(lane, hash)).toBe("checkpointed");
    } finally {
      e.SETTLEMENT_URLS = "http://validator-a.test,http://validator-b.test";
    }
  });

  it("refuses to post over a different checkpoint that settlement holds at the same index", async () => {
    const s = useFake();
    const lane = 105;
    const hash = await submit(lane, 0n);
    s.held.set(`${lane}/0`, {
      prevRoot: `0x${"00".repeat(32)}`,
      newRoot: `0x${"11".repeat(32)}`,
      batchHash: `0x${"22".repeat(32)}`,
      status: "settled",
    });
    await alarm(lane);
    expect(s.admitted).toEqual([]);
    expect((await checkpointRows(lane)).map((r) => [r.status, r.attempts])).toEqual([["built", 1]]);
    expect(await finality(lane, hash)).toBe("soft");
  });

  it("resyncs its nonce from the account when someone else used the poster account", async () => {
    const s = useFake();
    const lane = 106;
    await submit(lane, 0n);
    await alarm(lane);
    expect(s.admitted.map((a) => a.nonce)).toEqual([0n]);
    s.nonce += 3n; // three transactions sent with the same key elsewhere
    await submit(lane, 1n);
    await alarm(lane);
    expect(s.admitted.map((a) => [a.index, a.nonce])).toEqual([
      [0n, 0n],
      [1n, 4n],
    ]);
    expect(s.requests.filter((r) => r.includes("/v1/accounts/"))).toHaveLength(2);
  });
});

describe("checkpoint poster verifying settlement's certificates (SETTLEMENT_VALIDATORS)", () => {
  const status = async (lane: number) =>
    (await json(await app.request(`/v1/lanes/${lane}/status`, {}, e))).settlementVerification;
  const withVars = async (vars: { validators: string; urls?: string }, run: () => Promise<void>) => {
    e.SETTLEMENT_VALIDATORS = vars.validators;
    if (vars.urls) e.SETTLEMENT_URLS = vars.urls;
    try {
      await run();
    } finally {
      e.SETTLEMENT_VALIDATORS = "";
      e.SETTLEMENT_URLS = "http://validator-a.test,http://validator-b.test";
    }
  };

  it("a validator claiming final with a forged proof never makes the checkpoint final", async () => {
    const s = useFake();
    await withVars({ validators: TRUSTED, urls: "http://validator-a.test" }, async () => {
      const lane = 111;
      const hash = await submit(lane, 0n);
      await alarm(lane);
      expect(await finality(lane, hash)).toBe("checkpointed");
      // Precommits by keys the lane does not trust, for a state where the record is final.
      s.liars.set("validator-a.test", { status: "final", proof: "strangers" });
      await makeDue(lane);
      await alarm(lane);
      expect((await checkpointRows(lane)).map((r) => [r.status, r.attempts])).toEqual([["posted", 1]]);
      expect(await finality(lane, hash)).toBe("checkpointed");
      // The trusted validators' real certificate, but over the liar's own state.
      s.liars.set("validator-a.test", { status: "final", proof: "forged-state" });
      await makeDue(lane);
      await alarm(lane);
      expect((await checkpointRows(lane)).map((r) => [r.status, r.attempts])).toEqual([["posted", 2]]);
      expect(await finality(lane, hash)).toBe("checkpointed");
      expect(s.proofsServed).toEqual(["validator-a.test forged", "validator-a.test forged"]);
      // The backoff grows like any failed poll.
      expect((await checkpointRows(lane))[0]!.next_attempt_ms - Date.now()).toBeGreaterThan(110_000);
    });
  });

  it("fails over from a lying validator to an honest one and records what the honest proof shows", async () => {
    const s = useFake();
    await withVars({ validators: TRUSTED }, async () => {
      const lane = 112;
      const hash = await submit(lane, 0n);
      await alarm(lane);
      expect(await finality(lane, hash)).toBe("checkpointed");
      // validator-a claims final with a forged proof; validator-b is honest, and its certified state
      // does not hold the checkpoint yet (404): the lane polls again as usual, no backoff.
      s.liars.set("validator-a.test", { status: "final", proof: "forged-state" });
      await makeDue(lane);
      await alarm(lane);
      expect(s.proofsServed).toEqual(["validator-a.test forged"]);
      expect((await checkpointRows(lane)).map((r) => [r.status, r.attempts])).toEqual([["posted", 0]]);
      // The truth becomes settled: the honest proof is the one recorded.
      s.held.get(`${lane}/0`)!.status = "settled";
      await makeDue(lane);
      await alarm(lane);
      expect(s.proofsServed).toEqual([
        "validator-a.test forged",
        "validator-a.test forged",
        "validator-b.test honest",
      ]);
      expect((await checkpointRows(lane)).map((r) => [r.status, r.attempts])).toEqual([["settled", 0]]);
      expect(await finality(lane, hash)).toBe("settled");
      // Once the honest validators' state is final, their proof makes it final (the liar's is skipped again).
      s.held.get(`${lane}/0`)!.status = "final";
      await makeDue(lane);
      await alarm(lane);
      expect(s.proofsServed.slice(3)).toEqual(["validator-a.test forged", "validator-b.test honest"]);
      expect(await finality(lane, hash)).toBe("final");
    });
  });

  it("records a verified proof's status even when the JSON claimed less, and waits while nothing is provable", async () => {
    const s = useFake();
    await withVars({ validators: TRUSTED }, async () => {
      const lane = 113;
      const hash = await submit(lane, 0n);
      await alarm(lane);
      // JSON says checkpointed: no proof is asked for, nothing recorded beyond posted.
      await makeDue(lane);
      await alarm(lane);
      expect(s.proofsServed).toEqual([]);
      expect((await checkpointRows(lane)).map((r) => [r.status, r.attempts])).toEqual([["posted", 0]]);
      s.held.get(`${lane}/0`)!.status = "final";
      await makeDue(lane);
      await alarm(lane);
      expect(await finality(lane, hash)).toBe("final");
    });
  });

  it("the lane status says whether settled/final are verified; a malformed set records nothing past posted", async () => {
    const s = useFake();
    const lane = 114;
    expect(await status(lane)).toMatchObject({ mode: "unverified" });
    await withVars({ validators: TRUSTED }, async () => {
      expect(await status(lane)).toEqual({ mode: "verified", validators: 4, totalPower: "40000" });
    });
    await withVars({ validators: `${toHex(validatorKeys[0]!.publicKey)}:ten` }, async () => {
      expect(await status(lane)).toMatchObject({
        mode: "misconfigured",
        error: expect.stringMatching(/entry 1/),
      });
      const hash = await submit(lane, 0n);
      await alarm(lane);
      s.held.get(`${lane}/0`)!.status = "final";
      await makeDue(lane);
      await alarm(lane);
      expect((await checkpointRows(lane)).map((r) => [r.status, r.attempts])).toEqual([["posted", 1]]);
      expect(await finality(lane, hash)).toBe("checkpointed");
      expect(s.proofsServed).toEqual([]);
    });
  });
});
