/**
 * The lane's receipt feed (GET /v1/lanes/:lane/feed, WebSocket, hibernation
 * API): every committed receipt arrives once, in chain order, on every live
 * socket; the sockets survive the object's hibernation (evictDurableObject
 * hibernates them) and what a socket subscribed to survives with it; a
 * subscribe replays stored receipts; a bad client frame gets an error frame
 * naming the field and the socket stays usable.
 */
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { decode } from "../../shared/codec/index.ts";
import { publicKeyFromSecret } from "../../shared/crypto/keys.ts";
import {
  createSigner,
  deriveSeed,
  GENESIS_RECEIPT_HASH,
  receiptHash,
  signedLaneReceiptCodec,
  verifyReceipt,
} from "../../shared/lane/index.ts";
import { signedTx, type TestAccount } from "../../shared/lane/testing.ts";
import type { TxBody } from "../../shared/stf/index.ts";
import type { Env } from "../../workers/src/env.ts";
import app from "../../workers/src/index.ts";
import { FEED_MESSAGE_BYTES_MAX, FEED_REPLAY_RECEIPTS_MAX } from "../../workers/src/sequencer/feed.ts";

const e = env as unknown as Env;
const accounts: TestAccount[] = Array.from({ length: 5 }, (_, i) => {
  const secretKey = deriveSeed(fromHex(e.DEVNET_ACCOUNTS_SEED), `account/${i}`);
  return { secretKey, publicKey: publicKeyFromSecret(secretKey), signer: createSigner(secretKey) };
});
const sink = accounts[4]!;

// biome-ignore lint/suspicious/noExplicitAny: JSON frames from the API under test
type Json = any;

const tx = async (lane: number, from: TestAccount, nonce: bigint): Promise<string> => {
  const body: TxBody = {
    chainId: e.CHAIN_ID,
    lane,
    sender: from.publicKey,
    nonce,
    maxFeePerGas: 100n,
    tipPerGas: 1n,
    idempotencyKey: null,
    payload: { type: "transfer", to: sink.publicKey, amount: 1n + nonce },
  };
  return toHex(await signedTx(body, accounts));
};

async function submit(lane: number, payload: { tx: string } | { txs: string[] }): Promise<Json[]> {
  const r = await app.request(
    `/v1/lanes/${lane}/txs`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) },
    e,
  );
  const j = (await r.json()) as Json;
  expect(r.status, JSON.stringify(j)).toBe(200);
  const results: Json[] = "tx" in payload ? [j] : j.results;
  for (const x of results) expect(x.status).toBe("included");
  return results.map((x) => x.receipt);
}

type Feed = {
  ws: WebSocket;
  frames: Json[];
  receipts: () => Json[];
  waitFor: (what: string, ok: () => boolean) => Promise<void>;
};

async function openFeed(lane: number): Promise<Feed> {
  const res = await app.request(`/v1/lanes/${lane}/feed`, { headers: { Upgrade: "websocket" } }, e);
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const frames: Json[] = [];
  ws.addEventListener("message", (ev) => {
    const data = ev.data;
    frames.push(typeof data !== "string" ? { binary: true } : data === "pong" ? "pong" : JSON.parse(data));
  });
  return {
    ws,
    frames,
    receipts: () => frames.filter((f) => f?.type === "receipts").flatMap((f) => f.receipts),
    async waitFor(what, ok) {
      const deadline = Date.now() + 15_000;
      while (!ok()) {
        if (Date.now() > deadline)
          throw new Error(
            `feed: timed out waiting for ${what}; frames ${JSON.stringify(frames).slice(0, 2000)}`,
          );
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

async function sequencerKey(lane: number): Promise<Uint8Array> {
  return fromHex((await e.SEQUENCER.getByName(String(lane)).status()).sequencer);
}

/** Receipts in chain order from `prev`: each one's prevReceiptHash is the hash of the one before, signed by the lane. */
async function expectChained(receipts: Json[], prev: Uint8Array, key: Uint8Array): Promise<Uint8Array> {
  let last = prev;
  for (const r of receipts) {
    const signed = decode(signedLaneReceiptCodec, fromHex(r.encoded));
    expect(toHex(signed.receipt.prevReceiptHash)).toBe(toHex(last));
    expect(await verifyReceipt(signed, key)).toBe(true);
    last = receiptHash(signed.receipt);
  }
  return last;
}

describe("receipt feed", () => {
  it("delivers every receipt once, in chain order, across hibernation of the object", async () => {
    const lane = 31;
    const feed = await openFeed(lane);
    const key = await sequencerKey(lane);
    // Four senders at once (group commit mixes them into shared steps), three txs each, and a batch of five.
    const perSender = await Promise.all(
      accounts.slice(0, 4).map(async (a) => {
        const out: Json[] = [];
        for (let n = 0n; n < 3n; n++) out.push(...(await submit(lane, { tx: await tx(lane, a, n) })));
        return out;
      }),
    );
    const batch = await submit(lane, {
      txs: await Promise.all([0n, 1n, 2n, 3n, 4n].map((n) => tx(lane, sink, n))),
    });
    const acked = [...perSender.flat(), ...batch];
    await feed.waitFor("17 receipts", () => feed.receipts().length >= acked.length);
    const got = feed.receipts();
    expect(got).toHaveLength(acked.length);
    expect(new Set(got.map((r) => r.encoded))).toEqual(new Set(acked.map((r) => r.encoded)));
    let last = await expectChained(got, GENESIS_RECEIPT_HASH, key);

    // Hibernate: the object leaves memory, the socket stays open and keeps receiving.
    await evictDurableObject(e.SEQUENCER.getByName(String(lane)));
    expect(feed.ws.readyState).toBe(WebSocket.OPEN);
    feed.ws.send(JSON.stringify({ type: "ping" }));
    await feed.waitFor("pong after hibernation", () => feed.frames.some((f) => f?.type === "pong"));
    const more = [...(await submit(lane, { tx: await tx(lane, accounts[0]!, 3n) }))];
    more.push(
      ...(await submit(lane, { txs: [await tx(lane, accounts[1]!, 3n), await tx(lane, accounts[2]!, 3n)] })),
    );
    await feed.waitFor("3 more receipts", () => feed.receipts().length >= acked.length + 3);
    const after = feed.receipts().slice(acked.length);
    expect(after.map((r) => r.encoded)).toEqual(more.map((r) => r.encoded));
    last = await expectChained(after, last, key);
    expect(toHex(last)).toBe((await e.SEQUENCER.getByName(String(lane)).status()).lastReceiptHash);
    feed.ws.close(1000, "done");
  });

  it("a subscribe replays stored receipts in order, then the socket is live", async () => {
    const lane = 32;
    const key = await sequencerKey(lane);
    const before = [];
    for (let n = 0n; n < 4n; n++)
      before.push(...(await submit(lane, { tx: await tx(lane, accounts[0]!, n) })));
    const feed = await openFeed(lane);
    feed.ws.send(JSON.stringify({ type: "subscribe", fromHeight: "2" }));
    await feed.waitFor("subscribed", () => feed.frames.some((f) => f?.type === "subscribed"));
    const replay = feed.receipts();
    expect(replay.map((r) => r.encoded)).toEqual(
      before.filter((r) => Number(r.receipt.height) >= 2).map((r) => r.encoded),
    );
    expect(feed.frames.find((f) => f?.type === "subscribed")).toMatchObject({ fromHeight: "2", live: true });
    const live = await submit(lane, { tx: await tx(lane, accounts[0]!, 4n) });
    await feed.waitFor("the live receipt", () => feed.receipts().length > replay.length);
    const prev = decode(signedLaneReceiptCodec, fromHex(before[0]!.encoded)).receipt;
    await expectChained([...replay, ...live], receiptHash(prev), key);
    expect(
      feed
        .receipts()
        .slice(replay.length)
        .map((r) => r.encoded),
    ).toEqual(live.map((r) => r.encoded));
    feed.ws.close(1000, "done");
  });

  it(`a replay over ${FEED_REPLAY_RECEIPTS_MAX} receipts stops at a whole block and holds live receipts until caught up, across hibernation`, async () => {
    const lane = 33;
    const key = await sequencerKey(lane);
    // 4 × 256 + 8 transfers from five senders: more than the replay bound, in blocks of ≤ 256.
    const nonces = new Map<TestAccount, bigint>();
    const next = (a: TestAccount) => {
      const n = nonces.get(a) ?? 0n;
      nonces.set(a, n + 1n);
      return n;
    };
    for (let b = 0; b < 4; b++)
      await submit(lane, {
        txs: await Promise.all(
          Array.from({ length: 256 }, (_, i) => accounts[i % 5]!).map((a) => tx(lane, a, next(a))),
        ),
      });
    await submit(lane, {
      txs: await Promise.all(
        Array.from({ length: 8 }, (_, i) => accounts[i % 5]!).map((a) => tx(lane, a, next(a))),
      ),
    });
    const total = 4 * 256 + 8;
    const control = await openFeed(lane);
    const feed = await openFeed(lane);
    feed.ws.send(JSON.stringify({ type: "subscribe", fromHeight: "1" }));
    await feed.waitFor("subscribed", () => feed.frames.some((f) => f?.type === "subscribed"));
    const first = feed.frames.find((f) => f?.type === "subscribed");
    expect(first.live).toBe(false);
    const part1 = feed.receipts();
    expect(part1.length).toBeLessThanOrEqual(FEED_REPLAY_RECEIPTS_MAX);
    expect(Number(first.nextFromHeight)).toBe(Number(part1[part1.length - 1].receipt.height) + 1);
    let last = await expectChained(part1, GENESIS_RECEIPT_HASH, key);

    // Not live: a new receipt reaches the control socket, not this one; it survives hibernation that way.
    await evictDurableObject(e.SEQUENCER.getByName(String(lane)));
    const extra = await submit(lane, { tx: await tx(lane, accounts[0]!, next(accounts[0]!)) });
    await control.waitFor("the new receipt on the control socket", () => control.receipts().length === 1);
    expect(feed.receipts()).toHaveLength(part1.length);

    feed.ws.send(JSON.stringify({ type: "subscribe", fromHeight: first.nextFromHeight }));
    await feed.waitFor(
      "second subscribed",
      () => feed.frames.filter((f) => f?.type === "subscribed").length === 2,
    );
    const second = feed.frames.filter((f) => f?.type === "subscribed")[1];
    expect(second.live).toBe(true);
    const part2 = feed.receipts().slice(part1.length);
    expect(part1.length + part2.length).toBe(total + 1);
    expect(part2[part2.length - 1].encoded).toBe(extra[0].encoded);
    last = await expectChained(part2, last, key);
    const live = await submit(lane, { tx: await tx(lane, accounts[1]!, next(accounts[1]!)) });
    await feed.waitFor("live again", () => feed.receipts().length === total + 2);
    expect(feed.receipts()[total + 1].encoded).toBe(live[0].encoded);
    await expectChained(live, last, key);
    feed.ws.close(1000, "done");
    control.ws.close(1000, "done");
  }, 60_000);

  it("a bad client frame gets an error frame naming the field; the socket stays usable", async () => {
    const lane = 34;
    const feed = await openFeed(lane);
    const bad: [string | ArrayBuffer, string, string][] = [
      [new Uint8Array([1, 2, 3]).buffer, "invalid_message", "message"],
      ["x".repeat(FEED_MESSAGE_BYTES_MAX + 1), "message_too_large", "message"],
      ["{not json", "invalid_json", "message"],
      [JSON.stringify([1]), "invalid_message", "message"],
      [JSON.stringify({ type: "nope" }), "invalid_message", "type"],
      [JSON.stringify({ fromHeight: "1" }), "invalid_message", "type"],
      [JSON.stringify({ type: "subscribe" }), "invalid_message", "fromHeight"],
      [JSON.stringify({ type: "subscribe", fromHeight: "abc" }), "invalid_message", "fromHeight"],
      [JSON.stringify({ type: "subscribe", fromHeight: 5 }), "invalid_message", "fromHeight"],
      [JSON.stringify({ type: "subscribe", fromHeight: "1", extra: true }), "invalid_message", "extra"],
      [JSON.stringify({ type: "ping", x: 1 }), "invalid_message", "x"],
    ];
    for (const [i, [message, code, field]] of bad.entries()) {
      feed.ws.send(message);
      await feed.waitFor(`error frame ${i}`, () => feed.frames.length > i);
      expect(feed.frames[i], `frame for bad message ${i}`).toMatchObject({
        type: "error",
        error: { code, field },
      });
      expect(typeof feed.frames[i].error.message).toBe("string");
    }
    feed.ws.send("ping");
    await feed.waitFor("pong", () => feed.frames.includes("pong"));
    // Still live: a committed receipt arrives.
    const r = await submit(lane, { tx: await tx(lane, accounts[0]!, 0n) });
    await feed.waitFor("the receipt", () => feed.receipts().length === 1);
    expect(feed.receipts()[0].encoded).toBe(r[0].encoded);
    feed.ws.close(1000, "done");
  });
});
