/**
 * Per-client rate limit of the edge API: a client over its budget gets 429
 * with Retry-After and a JSON error (before anything reaches the lane), other
 * clients are unaffected, and the client is served again once Retry-After
 * has passed.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { publicKeyFromSecret } from "../../shared/crypto/keys.ts";
import { createSigner, deriveSeed } from "../../shared/lane/index.ts";
import { signedTx } from "../../shared/lane/testing.ts";
import type { Env } from "../../workers/src/env.ts";
import app from "../../workers/src/index.ts";

/** One token per 10 s: nothing refills while a test runs, so the 429 is deterministic. */
const PER_MINUTE = 6;
const limited = { ...(env as unknown as Env), RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) } as Env;
/** Two tokens a second: Retry-After is one second, short enough to wait out. */
const fast = { ...(env as unknown as Env), RATE_LIMIT_PER_MINUTE: "120" } as Env;
const LANE = 41;

const get = (path: string, ip: string) => app.request(path, { headers: { "cf-connecting-ip": ip } }, limited);

async function laneState() {
  const s = await limited.SEQUENCER.getByName(String(LANE)).status();
  return { height: s.height, stateRoot: s.stateRoot, lastReceiptHash: s.lastReceiptHash };
}

describe("rate limit", () => {
  it("a client over its budget gets 429 with Retry-After and a JSON error; another client is unaffected", async () => {
    const a = "198.51.100.7";
    const b = "203.0.113.9";
    const codes: number[] = [];
    for (let i = 0; i < PER_MINUTE; i++) codes.push((await get(`/v1/lanes/${LANE}/status`, a)).status);
    expect(codes.every((c) => c === 200)).toBe(true);

    const over = await get(`/v1/lanes/${LANE}/status`, a);
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get("Retry-After"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.get("content-type")).toContain("application/json");
    const j = (await over.json()) as { error: { code: string; message: string } };
    expect(j.error.code).toBe("rate_limited");
    expect(j.error.message).toContain("retry after");

    // Another client has its own budget.
    expect((await get(`/v1/lanes/${LANE}/status`, b)).status).toBe(200);
    expect((await get("/v1/health", b)).status).toBe(200);

    // A signed transaction from the limited client is refused before the lane sees it.
    const secretKey = deriveSeed(fromHex(limited.DEVNET_ACCOUNTS_SEED), "account/0");
    const alice = { secretKey, publicKey: publicKeyFromSecret(secretKey), signer: createSigner(secretKey) };
    const t = toHex(
      await signedTx(
        {
          chainId: limited.CHAIN_ID,
          lane: LANE,
          sender: alice.publicKey,
          nonce: 0n,
          maxFeePerGas: 100n,
          tipPerGas: 1n,
          idempotencyKey: null,
          payload: { type: "transfer", to: alice.publicKey, amount: 1n },
        },
        [alice],
      ),
    );
    const before = await laneState();
    const post = await app.request(
      `/v1/lanes/${LANE}/txs`,
      {
        method: "POST",
        headers: { "cf-connecting-ip": a, "content-type": "application/json" },
        body: JSON.stringify({ tx: t }),
      },
      limited,
    );
    expect(post.status).toBe(429);
    expect(Number(post.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(await laneState()).toEqual(before);
  });

  it("a limited client is served again once Retry-After has passed", async () => {
    const c = "192.0.2.44";
    const req = () => app.request("/v1/health", { headers: { "cf-connecting-ip": c } }, fast);
    let r = await req();
    for (let i = 0; r.status === 200 && i < 1_000; i++) r = await req();
    expect(r.status).toBe(429);
    const wait = Number(r.headers.get("Retry-After"));
    expect(wait).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
    expect((await req()).status).toBe(200);
  });
});
