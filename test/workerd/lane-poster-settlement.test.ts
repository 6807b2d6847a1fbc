/**
 * The checkpoint poster inside the real Sequencer (workerd), against a
 * settlement test double reached through the Worker's outbound fetch: a
 * validator that is down (5xx), one that fails its first N requests, one that
 * loses the answer of an admitted post, one that holds a conflicting
 * checkpoint, and a nonce moved by someone else. The real settlement is
 * exercised end to end by test/node/devnet-e2e.test.ts.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeSettlementTx, type SettlementPayload } from "../../settlement-node/ledger/tx.ts";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { publicKeyFromSecret } from "../../shared/crypto/keys.ts";
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

/** Settlement as the poster sees it over HTTP: mempool admission by nonce, checkpoints by index. */
class FakeSettlement {
  held = new Map<string, Held>();
  nonce = 0n;
  admitted: { lane: number; index: bigint; nonce: bigint }[] = [];
  requests: string[] = [];
  down = new Set<string>();
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
    let m = path.match(/^\/v1\/lanes\/(\d+)\/checkpoints\/(\d+)$/);
    if (m) {
      const h = this.held.get(`${m[1]}/${m[2]}`);
      return h
        ? Response.json({ ...h, lane: Number(m[1]), index: m[2], finality: { status: h.status } })
        : Response.json({ error: { code: "checkpoint_not_found", message: "no" } }, { status: 404 });
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
