/**
 * Bench-only routes (bench/edge/http.ts): the baselines the edge benchmarks
 * divide by, measured in the same Worker and the same lane object as the
 * figure they are compared with. They exist only when the Worker runs with
 * BITLAYER_DEV = "1" (`wrangler dev --var BITLAYER_DEV:1`, set by the bench and
 * the devnet, never in wrangler.toml): otherwise every path here is a 404, as
 * if the module were not mounted.
 *
 *   POST /v1/dev/bench/verify?n=      n native Ed25519 verifies, one at a time (B_v)
 *   POST /v1/dev/bench/ping?lane=     one RPC to the lane's Sequencer that does nothing
 *   POST /v1/dev/bench/write?lane=    one RPC to the lane's Sequencer doing one SQL write
 *   POST /v1/dev/bench/accounts?lane=&from=&count=   funded synthetic accounts (1M-account bench)
 *   GET  /v1/dev/bench/cache?lane=    the lane's node-cache occupancy and bound
 *
 * workerd's clocks stand still while a request computes, so none of these
 * time themselves: the client times the round trip and subtracts a ping.
 */
import { Hono } from "hono";
import { generateKeyPair, sign } from "../../../shared/crypto/index.ts";
import { Prng } from "../../../shared/prng.ts";
import type { Env } from "../env.ts";
import { badRequest, notFound } from "../errors.ts";

/** True when the dev-only routes and Sequencer methods may run (exactly "1"). */
export function devRoutesEnabled(env: Pick<Env, "BITLAYER_DEV">): boolean {
  return env.BITLAYER_DEV === "1";
}

const VERIFY_N_MAX = 100_000;
const KEYS = 64;
const MESSAGE_BYTES = 150;

type VerifySet = { keys: CryptoKey[]; messages: Uint8Array[]; signatures: Uint8Array[] };
let verifySet: Promise<VerifySet> | undefined;

/** 64 keys with one valid signature each over a ~150-byte message (a transaction's sign-bytes), as bench/cases/crypto.ts verify/native. */
function loadVerifySet(): Promise<VerifySet> {
  verifySet ??= (async () => {
    const prng = new Prng(0xbe7c);
    const messages: Uint8Array[] = [];
    const signatures: Uint8Array[] = [];
    const keys = await Promise.all(
      Array.from({ length: KEYS }, () => {
        const { secretKey, publicKey } = generateKeyPair(prng.bytes(32));
        const message = prng.bytes(MESSAGE_BYTES);
        messages.push(message);
        signatures.push(sign(secretKey, message));
        return globalThis.crypto.subtle.importKey(
          "raw",
          publicKey as Uint8Array<ArrayBuffer>,
          "Ed25519",
          false,
          ["verify"],
        );
      }),
    );
    return { keys, messages, signatures };
  })();
  return verifySet;
}

function intParam(raw: string | undefined, field: string, min: number, max: number): number {
  const n = Number(raw);
  if (raw === undefined || !/^[0-9]{1,9}$/.test(raw) || n < min || n > max)
    throw badRequest("invalid_query", `${field} must be an integer in ${min}..${max}.`, field);
  return n;
}

export const devBench = new Hono<{ Bindings: Env }>();

devBench.use("*", async (c, next) => {
  if (!devRoutesEnabled(c.env)) throw notFound("Route");
  await next();
});

devBench.post("/verify", async (c) => {
  const n = intParam(c.req.query("n"), "n", 0, VERIFY_N_MAX);
  const set = await loadVerifySet();
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const j = i % KEYS;
    const ok = await globalThis.crypto.subtle.verify(
      "Ed25519",
      set.keys[j]!,
      set.signatures[j] as Uint8Array<ArrayBuffer>,
      set.messages[j] as Uint8Array<ArrayBuffer>,
    );
    if (ok) valid++;
  }
  // Every signature is valid: a smaller count means the measurement is wrong, so say so.
  return c.json({ n, valid });
});

const lane = (c: { env: Env; req: { query(k: string): string | undefined } }) =>
  intParam(c.req.query("lane"), "lane", 1, Number(c.env.LANES_MAX));

devBench.post("/ping", async (c) => {
  await c.env.SEQUENCER.getByName(String(lane(c))).benchPing();
  return c.json({ ok: true });
});

devBench.post("/write", async (c) => {
  const rows = await c.env.SEQUENCER.getByName(String(lane(c))).benchWrite();
  return c.json({ ok: true, rows });
});

/** Adds `count` funded synthetic accounts (from index `from`) to an idle lane's tree: the 1M-account bench. */
devBench.post("/accounts", async (c) => {
  const from = intParam(c.req.query("from"), "from", 0, 100_000_000);
  const count = intParam(c.req.query("count"), "count", 1, 1_000_000);
  return c.json(await c.env.SEQUENCER.getByName(String(lane(c))).benchAddAccounts(from, count));
});

/** The lane's node-cache occupancy against its bound. */
devBench.get("/cache", async (c) =>
  c.json(await c.env.SEQUENCER.getByName(String(lane(c))).nodeCacheStats()),
);
