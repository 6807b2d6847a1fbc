/**
 * The edge Worker: versioned JSON routes under /v1 that validate the request
 * and call the lane's Sequencer Durable Object by RPC (docs/api-edge.md).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { fromHex } from "../../shared/bytes.ts";
import type { Env } from "./env.ts";
import { ApiError, badRequest, notFound } from "./errors.ts";
import { REQUEST_BODY_BYTES_MAX } from "./limits.ts";
import { openApiDocument } from "./openapi.ts";
import { rateLimit } from "./rate-limit.ts";
import { devBench } from "./routes/dev-bench.ts";
import { devControls } from "./routes/dev-controls.ts";
import { withdrawalRoutes } from "./routes/withdrawals.ts";
import { checkpointQuery, laneParam, pageQuery, submitBody, websocketUpgrade } from "./schemas.ts";
import { hexParam, jsonBody, parse, queryOf } from "./validate.ts";

export { Sequencer } from "./sequencer/sequencer.ts";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeTx(text: string, encoding: "hex" | "base64", field: string): Uint8Array {
  if (encoding === "hex") {
    // fromHex checks every character itself (a regex first cost more than the decoding, profiled).
    try {
      return fromHex(text.startsWith("0x") ? text.slice(2) : text);
    } catch {
      throw badRequest("invalid_encoding", "Not hex of whole bytes.", field);
    }
  }
  if (!BASE64.test(text) || text.length % 4 !== 0)
    throw badRequest("invalid_encoding", "Not padded base64.", field);
  const bin = atob(text);
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

type AppEnv = { Bindings: Env; Variables: { lane: number } };

const lanes = new Hono<AppEnv>();

lanes.use("/:lane/*", async (c, next) => {
  const raw = c.req.param("lane") ?? "";
  const lane = Number(raw);
  if (!laneParam.safeParse(raw).success || lane > Number(c.env.LANES_MAX))
    throw badRequest("invalid_lane", `Lane must be an integer in 1..${c.env.LANES_MAX}.`, "lane");
  c.set("lane", lane);
  await next();
});

const sequencer = (env: Env, lane: number) => env.SEQUENCER.getByName(String(lane));

lanes.post("/:lane/txs", async (c) => {
  const body = await jsonBody(c, submitBody);
  const encoding = body.encoding ?? "hex";
  const single = body.tx !== undefined;
  const texts = body.tx !== undefined ? [body.tx] : (body.txs ?? []);
  const txs = texts.map((t, i) => decodeTx(t, encoding, single ? "tx" : `txs.${i}`));
  const result = await sequencer(c.env, c.get("lane")).submit(txs);
  if (!result.ok)
    throw new ApiError(503, result.error.code, result.error.message, {
      retryAfterSeconds: result.error.retryAfterSeconds,
    });
  // One transaction: a rejection is the request's error. A batch: 200 with one outcome per transaction.
  const first = result.results[0]!;
  if (single && first.status === "rejected")
    return c.json(
      {
        error: {
          code: "tx_rejected",
          message: `Transaction rejected: ${first.reason}.`,
          field: "tx",
          reason: first.reason,
          status: first.code,
          txHash: first.txHash,
        },
      },
      422,
    );
  return c.json(single ? first : { results: result.results });
});

lanes.get("/:lane/receipts/:hash", async (c) => {
  const hash = hexParam(c.req.param("hash"), "invalid_hash", "hash");
  const receipt = await sequencer(c.env, c.get("lane")).receipt(hash);
  if (!receipt) throw notFound("Receipt");
  return c.json(receipt);
});

lanes.get("/:lane/idempotency/:sender/:key", async (c) => {
  const sender = hexParam(c.req.param("sender"), "invalid_sender", "sender");
  const key = hexParam(c.req.param("key"), "invalid_key", "key");
  const receipt = await sequencer(c.env, c.get("lane")).byIdempotencyKey(sender, key);
  if (!receipt) throw notFound("Receipt for this idempotency key");
  return c.json(receipt);
});

lanes.get("/:lane/accounts/:address", async (c) => {
  const address = hexParam(c.req.param("address"), "invalid_address", "address");
  return c.json(await sequencer(c.env, c.get("lane")).account(address));
});

lanes.get("/:lane/accounts/:address/tokens/:token", async (c) => {
  const address = hexParam(c.req.param("address"), "invalid_address", "address");
  const token = hexParam(c.req.param("token"), "invalid_token", "token");
  return c.json(await sequencer(c.env, c.get("lane")).tokenBalance(address, token));
});

lanes.get("/:lane/items/:item", async (c) => {
  const item = hexParam(c.req.param("item"), "invalid_item", "item");
  return c.json(await sequencer(c.env, c.get("lane")).item(item));
});

lanes.get("/:lane/blocks", async (c) => {
  const q = queryOf(c, pageQuery);
  return c.json({ blocks: await sequencer(c.env, c.get("lane")).blocks(q.from ?? 1, q.limit ?? 20) });
});

lanes.get("/:lane/checkpoints", async (c) => {
  const q = queryOf(c, checkpointQuery);
  return c.json({
    checkpoints: await sequencer(c.env, c.get("lane")).checkpoints((q.from ?? 1) - 1, q.limit ?? 20),
  });
});

lanes.get("/:lane/status", async (c) => c.json(await sequencer(c.env, c.get("lane")).status()));

lanes.get("/:lane/feed", async (c) => {
  parse(websocketUpgrade, c.req.header("Upgrade")?.toLowerCase(), "websocket_required", "Upgrade");
  return sequencer(c.env, c.get("lane")).fetch(c.req.raw);
});

const app = new Hono<AppEnv>();
app.use("/v1/*", (c, next) => rateLimit({ perMinute: Number(c.env.RATE_LIMIT_PER_MINUTE) })(c, next));
// One bound for every route's body, route modules included: 413 before anything is parsed.
app.use(
  "/v1/*",
  bodyLimit({
    maxSize: REQUEST_BODY_BYTES_MAX,
    onError: () => {
      throw new ApiError(413, "body_too_large", `Request body exceeds ${REQUEST_BODY_BYTES_MAX} bytes.`);
    },
  }),
);
app.get("/v1/health", (c) => c.json({ ok: true }));
app.get("/v1/openapi.json", (c) => c.json(openApiDocument));
app.route("/v1/lanes", lanes);
app.route("/v1/lanes", withdrawalRoutes);
app.route("/v1/dev/bench", devBench);
app.route("/v1/dev/lanes", devControls);
app.notFound(() => {
  throw notFound("Route");
});
app.onError((error, c) => {
  if (error instanceof ApiError) {
    if (error.retryAfterSeconds !== undefined) c.header("Retry-After", String(error.retryAfterSeconds));
    const body: { code: string; message: string; field?: string } = {
      code: error.code,
      message: error.shortMessage,
    };
    if (error.field !== undefined) body.field = error.field;
    return c.json({ error: body }, error.status);
  }
  console.error(JSON.stringify({ level: "error", message: String(error), stack: (error as Error).stack }));
  return c.json({ error: { code: "internal", message: "Internal error." } }, 500);
});

export default app;
