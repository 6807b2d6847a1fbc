/**
 * The edge Worker: versioned JSON routes under /v1 that validate the request
 * and call the lane's Sequencer Durable Object by RPC (docs/api-edge.md).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { fromHex } from "../../shared/bytes.ts";
import { TX_BYTES_MAX } from "../../shared/stf/limits.ts";
import type { Env } from "./env.ts";
import { ApiError, badRequest, notFound } from "./errors.ts";
import { REQUEST_BODY_BYTES_MAX, TXS_PER_REQUEST_MAX } from "./limits.ts";
import { openApiDocument } from "./openapi.ts";
import { rateLimit } from "./rate-limit.ts";
import { devBench } from "./routes/dev-bench.ts";
import { devControls } from "./routes/dev-controls.ts";

export { Sequencer } from "./sequencer/sequencer.ts";

const HEX = /^(0x)?([0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const txText = z
  .string()
  .min(1)
  .max(TX_BYTES_MAX * 2 + 2);
const submitBody = z
  .object({
    tx: txText.optional(),
    txs: z.array(txText).min(1).max(TXS_PER_REQUEST_MAX).optional(),
    encoding: z.enum(["hex", "base64"]).optional(),
  })
  .strict()
  .refine((b) => (b.tx === undefined) !== (b.txs === undefined), {
    message: "give exactly one of tx and txs",
    path: ["tx"],
  });
const hash32 = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, "must be 32 bytes of hex");

function decodeTx(text: string, encoding: "hex" | "base64", field: string): Uint8Array {
  if (encoding === "hex") {
    if (!HEX.test(text)) throw badRequest("invalid_encoding", "Not hex of whole bytes.", field);
    return fromHex(text.startsWith("0x") ? text.slice(2) : text);
  }
  if (!BASE64.test(text) || text.length % 4 !== 0)
    throw badRequest("invalid_encoding", "Not padded base64.", field);
  const bin = atob(text);
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

function strip0x(s: string): string {
  return (s.startsWith("0x") ? s.slice(2) : s).toLowerCase();
}

type AppEnv = { Bindings: Env; Variables: { lane: number } };

const lanes = new Hono<AppEnv>();

lanes.use("/:lane/*", async (c, next) => {
  const raw = c.req.param("lane");
  const lane = Number(raw);
  if (!/^[1-9][0-9]{0,9}$/.test(raw ?? "") || lane > Number(c.env.LANES_MAX))
    throw badRequest("invalid_lane", `Lane must be an integer in 1..${c.env.LANES_MAX}.`, "lane");
  c.set("lane", lane);
  await next();
});

const sequencer = (env: Env, lane: number) => env.SEQUENCER.getByName(String(lane));

lanes.post(
  "/:lane/txs",
  bodyLimit({
    maxSize: REQUEST_BODY_BYTES_MAX,
    onError: () => {
      throw new ApiError(413, "body_too_large", `Request body exceeds ${REQUEST_BODY_BYTES_MAX} bytes.`);
    },
  }),
  async (c) => {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      throw badRequest("invalid_json", "Request body is not valid JSON.");
    }
    const parsed = submitBody.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.join(".") : undefined;
      throw badRequest(
        "invalid_body",
        `Expected { tx } or { txs: [...] } of signed transactions: ${issue.message}.`,
        field,
      );
    }
    const encoding = parsed.data.encoding ?? "hex";
    const single = parsed.data.tx !== undefined;
    const texts = parsed.data.tx !== undefined ? [parsed.data.tx] : (parsed.data.txs ?? []);
    const txs = texts.map((t, i) => decodeTx(t, encoding, single ? "tx" : `txs.${i}`));
    const result = await sequencer(c.env, c.get("lane")).submit(txs);
    if (!result.ok)
      throw new ApiError(503, result.error.code, result.error.message, {
        retryAfterSeconds: result.error.retryAfterSeconds,
      });
    const rejected = result.results.filter((r) => r.status === "rejected");
    // One transaction: a rejection is the request's error. A batch: 200 with one outcome per transaction.
    if (single && rejected.length === 1) {
      const r = rejected[0]!;
      if (r.status === "rejected")
        return c.json(
          {
            error: {
              code: "tx_rejected",
              message: `Transaction rejected: ${r.reason}.`,
              field: "tx",
              reason: r.reason,
              status: r.code,
              txHash: r.txHash,
            },
          },
          422,
        );
    }
    return c.json(single ? result.results[0] : { results: result.results });
  },
);

lanes.get("/:lane/receipts/:hash", async (c) => {
  const hash = hash32.safeParse(c.req.param("hash"));
  if (!hash.success) throw badRequest("invalid_hash", "Transaction hash must be 32 bytes of hex.", "hash");
  const receipt = await sequencer(c.env, c.get("lane")).receipt(strip0x(hash.data));
  if (!receipt) throw notFound("Receipt");
  return c.json(receipt);
});

lanes.get("/:lane/idempotency/:sender/:key", async (c) => {
  const sender = hash32.safeParse(c.req.param("sender"));
  if (!sender.success)
    throw badRequest("invalid_sender", "Sender must be a 32-byte public key in hex.", "sender");
  const key = hash32.safeParse(c.req.param("key"));
  if (!key.success) throw badRequest("invalid_key", "Idempotency key must be 32 bytes of hex.", "key");
  const receipt = await sequencer(c.env, c.get("lane")).byIdempotencyKey(
    strip0x(sender.data),
    strip0x(key.data),
  );
  if (!receipt) throw notFound("Receipt for this idempotency key");
  return c.json(receipt);
});

lanes.get("/:lane/accounts/:address", async (c) => {
  const address = hash32.safeParse(c.req.param("address"));
  if (!address.success)
    throw badRequest("invalid_address", "Address must be a 32-byte public key in hex.", "address");
  return c.json(await sequencer(c.env, c.get("lane")).account(strip0x(address.data)));
});

lanes.get("/:lane/accounts/:address/tokens/:token", async (c) => {
  const address = hash32.safeParse(c.req.param("address"));
  if (!address.success)
    throw badRequest("invalid_address", "Address must be a 32-byte public key in hex.", "address");
  const token = hash32.safeParse(c.req.param("token"));
  if (!token.success) throw badRequest("invalid_token", "Token id must be 32 bytes of hex.", "token");
  return c.json(
    await sequencer(c.env, c.get("lane")).tokenBalance(strip0x(address.data), strip0x(token.data)),
  );
});

lanes.get("/:lane/items/:item", async (c) => {
  const item = hash32.safeParse(c.req.param("item"));
  if (!item.success) throw badRequest("invalid_item", "Item id must be 32 bytes of hex.", "item");
  return c.json(await sequencer(c.env, c.get("lane")).item(strip0x(item.data)));
});

const blocksQuery = z.object({
  from: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

lanes.get("/:lane/blocks", async (c) => {
  const q = blocksQuery.safeParse(c.req.query());
  if (!q.success) {
    const issue = q.error.issues[0]!;
    throw badRequest("invalid_query", issue.message, issue.path.join("."));
  }
  return c.json({ blocks: await sequencer(c.env, c.get("lane")).blocks(q.data.from, q.data.limit) });
});

lanes.get("/:lane/checkpoints", async (c) => {
  const q = blocksQuery.safeParse(c.req.query());
  if (!q.success)
    throw badRequest("invalid_query", q.error.issues[0]!.message, q.error.issues[0]!.path.join("."));
  return c.json({
    checkpoints: await sequencer(c.env, c.get("lane")).checkpoints(q.data.from - 1, q.data.limit),
  });
});

lanes.get("/:lane/status", async (c) => c.json(await sequencer(c.env, c.get("lane")).status()));

lanes.get("/:lane/feed", async (c) => {
  if (c.req.header("Upgrade") !== "websocket")
    throw new ApiError(
      400,
      "websocket_required",
      "The receipt feed is a WebSocket: send Upgrade: websocket.",
    );
  return sequencer(c.env, c.get("lane")).fetch(c.req.raw);
});

const app = new Hono<AppEnv>();
app.use("/v1/*", (c, next) => rateLimit({ perMinute: Number(c.env.RATE_LIMIT_PER_MINUTE) })(c, next));
app.get("/v1/health", (c) => c.json({ ok: true }));
app.get("/v1/openapi.json", (c) => c.json(openApiDocument));
app.route("/v1/lanes", lanes);
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
