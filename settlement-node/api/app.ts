/**
 * The settlement node's HTTP API (docs/api-settlement.md). Thin handlers: each
 * parses its input with the zod schemas of schemas.ts, reads the backend,
 * and returns a view (views.ts); every failure is a typed ApiError that the
 * one onError renders as `{ error: { code, message, field? } }`. Serve it
 * with @hono/node-server: serve({ fetch: app.fetch, port }).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { fromHex } from "../../shared/bytes.ts";
import { CodecError } from "../../shared/codec/index.ts";
import { AddressFormatError, parseAddress } from "../../shared/crypto/index.ts";
import { WireFormatError } from "../../shared/sdk/errors.ts";
import { wireToBytes } from "../../shared/sdk/wire.ts";
import { Books } from "../ledger/books.ts";
import { LedgerStatus } from "../ledger/codes.ts";
import { SETTLEMENT_TX_BYTES_MAX } from "../ledger/limits.ts";
import {
  batchDataCodec,
  checkpointCodec,
  depositCodec,
  forcedTxCodec,
  ledgerKeys,
  validatorCodec,
  withdrawalPaidCodec,
} from "../ledger/records.ts";
import { decodeSettlementTx } from "../ledger/tx.ts";
import { MempoolRefusal, type SettlementBackend, type SubmitTxResult } from "./backend.ts";
import { ApiError, BadRequestError, NotFoundError, renderErrors, TxRejectedError } from "./errors.ts";
import { type ApiMetrics, createApiMetrics, requestMetrics } from "./metrics.ts";
import { openApiDocument } from "./openapi.ts";
import { type RateLimitOptions, rateLimit } from "./rate-limit.ts";
import { type TxInclusion, TxWaitersFullError } from "./recent-txs.ts";
import * as s from "./schemas.ts";
import {
  batchDataJson,
  blockJson,
  type Clock,
  checkpointJson,
  checkpointProofJson,
  depositJson,
  forcedTxJson,
  hex,
  laneJson,
  statusJson,
  txInclusionJson,
  validatorJson,
  withdrawalJson,
} from "./views.ts";

export type SettlementApiOptions = {
  /** Request bodies above this many bytes get 413. Default: room for the largest transaction as hex in JSON. */
  bodyBytesMax?: number;
  /** Per-client token bucket on every route; false disables it (e.g. behind a limiting proxy). */
  rateLimit?: RateLimitOptions | false;
  /** Block interval assumed by finality estimates until the chain has recent blocks to measure. */
  blockIntervalMsDefault?: number;
  /** How many recent blocks the interval estimate averages over. */
  blockIntervalSampleBlocks?: number;
  /** Prometheus metrics; created (with its own registry) when absent. */
  metrics?: ApiMetrics;
};

export const BODY_BYTES_MAX_DEFAULT = 2 * SETTLEMENT_TX_BYTES_MAX + 1024;
export const RATE_LIMIT_DEFAULT: RateLimitOptions = { ratePerSecond: 50, burst: 100 };
const PAGE_DEFAULT = 50;

/** Parses `value` with `schema`, or throws BadRequestError naming `field` (plus the issue's path). */
function parse<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [field, ...issue.path.map(String)].filter((p) => p !== "").join(".");
  throw new BadRequestError("invalid_field", `${path}: ${issue.message}`, path);
}

/** How a backend refusal reads over HTTP: status, error code and the tx field to blame. */
function refusalError(r: SubmitTxResult): ApiError {
  const h = hex(r.hash);
  const code = r.code ?? -1;
  const message = r.message ?? "The transaction was refused.";
  const table: Record<number, [409 | 422 | 503, string, string]> = {
    [LedgerStatus.SignatureInvalid]: [422, "signature_invalid", "tx.signature"],
    [LedgerStatus.NonceMismatch]: [422, "nonce_mismatch", "tx.body.nonce"],
    [LedgerStatus.FeeBelowMinimum]: [422, "fee_below_minimum", "tx.body.fee"],
    [LedgerStatus.FeeUnaffordable]: [422, "fee_unaffordable", "tx.body.fee"],
    [MempoolRefusal.NonceReplayed]: [409, "nonce_replayed", "tx.body.nonce"],
    [MempoolRefusal.Duplicate]: [409, "duplicate_tx", "tx"],
    [MempoolRefusal.Full]: [503, "mempool_full", "tx"],
  };
  if (code === MempoolRefusal.Malformed) return new BadRequestError("tx_malformed", message, "tx");
  const [status, errorCode, field] = table[code] ?? [422, "tx_rejected", "tx"];
  return new TxRejectedError(status, errorCode, message, field, code, h);
}

async function readTxBytes(req: Request): Promise<Uint8Array> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/octet-stream") return new Uint8Array(await req.arrayBuffer());
  if (type !== "application/json")
    throw new ApiError(
      415,
      "unsupported_media_type",
      'Send application/json { "tx": "0x…" | "<base64>" } or application/octet-stream.',
      "content-type",
    );
  let json: unknown;
  try {
    json = JSON.parse(await req.text());
  } catch (e) {
    throw new BadRequestError("invalid_json", "The body is not valid JSON.", "body", e);
  }
  const { tx } = parse(s.submitTxBody, json, "");
  try {
    return wireToBytes(tx, tx.startsWith("0x") ? "hex" : "base64");
  } catch (e) {
    if (e instanceof WireFormatError)
      throw new BadRequestError("invalid_field", `tx: ${e.shortMessage}`, "tx", e);
    throw e;
  }
}

export function createSettlementApi(backend: SettlementBackend, options: SettlementApiOptions = {}): Hono {
  const metrics = options.metrics ?? createApiMetrics(backend);
  const intervalDefault = BigInt(options.blockIntervalMsDefault ?? 1000);
  const sampleBlocks = BigInt(options.blockIntervalSampleBlocks ?? 20);

  /** The committed height and an interval measured over recent block times, for finality estimates. */
  const clock = (height: bigint): Clock => {
    const last = backend.block(height);
    const from = height > sampleBlocks ? height - sampleBlocks : 1n;
    const first = from < height ? backend.block(from) : undefined;
    const blockIntervalMs =
      last && first && last.timeMs > first.timeMs
        ? (last.timeMs - first.timeMs) / (height - from)
        : intervalDefault;
    return { height, timeMs: last?.timeMs ?? 0n, blockIntervalMs };
  };

  const laneOrThrow = (books: Books, id: number) => {
    const lane = books.lane(id);
    if (!lane) throw new NotFoundError("lane_not_found", `Lane ${id} does not exist.`, "id");
    return lane;
  };

  const txs = new Hono()
    .post(
      "/",
      bodyLimit({
        maxSize: options.bodyBytesMax ?? BODY_BYTES_MAX_DEFAULT,
        onError: () => {
          throw new ApiError(413, "body_too_large", "The request body is too large.", "body");
        },
      }),
      async (c) => {
        const bytes = await readTxBytes(c.req.raw);
        try {
          decodeSettlementTx(bytes);
        } catch (e) {
          if (e instanceof CodecError)
            throw new BadRequestError("tx_malformed", e.message, e.field ? `tx.${e.field}` : "tx", e);
          throw e;
        }
        const result = await backend.submitTx(bytes);
        metrics.txsSubmitted.inc({ result: result.accepted ? "accepted" : String(result.code ?? "refused") });
        if (!result.accepted) throw refusalError(result);
        return c.json({ hash: hex(result.hash), accepted: true as const }, 202);
      },
    )
    .get("/:hash", async (c) => {
      const hashText = parse(s.txHashParam, c.req.param("hash"), "hash");
      const { waitMs = 0 } = parse(s.txWaitQuery, c.req.query(), "query");
      const hash = fromHex(hashText.slice(2).toLowerCase());
      let inclusion: TxInclusion | undefined;
      try {
        inclusion = await backend.waitForTx(hash, waitMs, c.req.raw.signal);
      } catch (e) {
        if (e instanceof TxWaitersFullError)
          throw new ApiError(503, "too_many_waiters", `${e.message} Retry, or ask with waitMs=0.`, "waitMs");
        throw e;
      }
      if (inclusion) return c.json(txInclusionJson(inclusion));
      if (backend.txPending(hash)) return c.json({ hash: hex(hash), state: "pending" as const });
      throw new NotFoundError(
        "tx_not_found",
        "This validator has neither committed this transaction in its recent blocks nor holds it in its mempool; older blocks are at /v1/blocks/{height} and, with a database, /v1/index/txs/{hash}.",
        "hash",
      );
    });

  const blockAt = (height: bigint) => {
    const block = height > 0n ? backend.block(height) : undefined;
    if (!block)
      throw new NotFoundError("block_not_found", `No committed block at height ${height}.`, "height");
    return blockJson(block);
  };
  const blocks = new Hono()
    .get("/latest", (c) => c.json(blockAt(backend.latestHeight())))
    .get("/:height", (c) => c.json(blockAt(parse(s.heightParam, c.req.param("height"), "height"))));

  const accounts = new Hono().get("/:address", (c) => {
    let address: Uint8Array;
    try {
      address = parseAddress(c.req.param("address"));
    } catch (e) {
      if (e instanceof AddressFormatError)
        throw new BadRequestError("invalid_field", e.shortMessage, "address", e);
      throw e;
    }
    const { state } = backend.ledger();
    if (state.get(ledgerKeys.account(address)) === undefined)
      throw new NotFoundError("account_not_found", "No such account: it has never held funds.", "address");
    const account = new Books(state).account(address);
    return c.json({
      address: c.req.param("address"),
      balance: String(account.balance),
      nonce: String(account.nonce),
    });
  });

  const validators = new Hono().get("/", (c) => {
    const { state, height } = backend.ledger();
    const books = new Books(state);
    const power = new Map(books.validatorSet().current.map((m) => [hex(m.publicKey), m.power]));
    const list = books.registry().flatMap((pk) => {
      const v = books.read(validatorCodec, ledgerKeys.validator(pk));
      return v ? [validatorJson(v, power.get(hex(pk)) ?? 0n)] : [];
    });
    return c.json({ height: String(height), validators: list });
  });

  const lanes = new Hono()
    .get("/", (c) => {
      const { from = 1n, limit = PAGE_DEFAULT } = parse(s.pageQuery, c.req.query(), "query");
      const books = new Books(backend.ledger().state);
      const count = BigInt(books.chain().laneCount);
      const list = [];
      let id = from < 1n ? 1n : from;
      for (; id <= count && list.length < limit; id++) list.push(laneJson(books.lane(Number(id))!));
      return c.json({ lanes: list, next: id <= count ? String(id) : null });
    })
    .get("/:id", (c) => {
      const id = parse(s.laneIdParam, c.req.param("id"), "id");
      return c.json(laneJson(laneOrThrow(new Books(backend.ledger().state), id)));
    })
    .get("/:id/checkpoints", (c) => {
      const id = parse(s.laneIdParam, c.req.param("id"), "id");
      const { from = 0n, limit = PAGE_DEFAULT } = parse(s.pageQuery, c.req.query(), "query");
      const { state, height } = backend.ledger();
      const books = new Books(state);
      const lane = laneOrThrow(books, id);
      const now = clock(height);
      const list = [];
      let index = from;
      for (; index < lane.checkpointCount && list.length < limit; index++) {
        const record = books.read(checkpointCodec, ledgerKeys.checkpoint(id, index))!;
        list.push(checkpointJson(record, now));
      }
      return c.json({ checkpoints: list, next: index < lane.checkpointCount ? String(index) : null });
    })
    .get("/:id/checkpoints/:index", (c) => {
      const id = parse(s.laneIdParam, c.req.param("id"), "id");
      const index = parse(s.indexParam, c.req.param("index"), "index");
      const { state, height } = backend.ledger();
      const books = new Books(state);
      laneOrThrow(books, id);
      const record = books.read(checkpointCodec, ledgerKeys.checkpoint(id, index));
      if (!record)
        throw new NotFoundError("checkpoint_not_found", `Lane ${id} has no checkpoint ${index}.`, "index");
      return c.json(checkpointJson(record, clock(height)));
    })
    .get("/:id/checkpoints/:index/batch", (c) => {
      const id = parse(s.laneIdParam, c.req.param("id"), "id");
      const index = parse(s.indexParam, c.req.param("index"), "index");
      const books = new Books(backend.ledger().state);
      laneOrThrow(books, id);
      const record = books.read(checkpointCodec, ledgerKeys.checkpoint(id, index));
      // Kept apart from the record (ledger/records.ts) so finality reads stay small; written with it.
      const batch = books.read(batchDataCodec, ledgerKeys.batchData(id, index));
      if (!record || !batch)
        throw new NotFoundError("checkpoint_not_found", `Lane ${id} has no checkpoint ${index}.`, "index");
      return c.json(batchDataJson(record, batch.data));
    })
    .get("/:id/checkpoints/:index/proof", (c) => {
      const id = parse(s.laneIdParam, c.req.param("id"), "id");
      const index = parse(s.indexParam, c.req.param("index"), "index");
      const proven = backend.provableState();
      if (!proven || !new Books(proven.state).lane(id))
        throw new NotFoundError(
          "lane_not_found",
          `Lane ${id} does not exist in the newest state a certified block proves${proven ? ` (after block ${proven.height})` : ""}.`,
          "id",
        );
      const view = checkpointProofJson(proven, id, index);
      if (!view)
        throw new NotFoundError(
          "checkpoint_not_found",
          `Lane ${id} has no checkpoint ${index} in the state after block ${proven.height}, the newest a certified block proves (a checkpoint is provable one block after the block that accepted it).`,
          "index",
        );
      return c.json(view);
    })
    .get("/:id/deposits", (c) => {
      const id = parse(s.laneIdParam, c.req.param("id"), "id");
      const { from = 0n, limit = PAGE_DEFAULT } = parse(s.pageQuery, c.req.query(), "query");
      const books = new Books(backend.ledger().state);
      const lane = laneOrThrow(books, id);
      const list = [];
      let depositId = from;
      for (; depositId < lane.depositCount && list.length < limit; depositId++)
        list.push(depositJson(books.read(depositCodec, ledgerKeys.deposit(id, depositId))!));
      return c.json({ deposits: list, next: depositId < lane.depositCount ? String(depositId) : null });
    })
    .get("/:id/forced", (c) => {
      const id = parse(s.laneIdParam, c.req.param("id"), "id");
      const { from = 0n, limit = PAGE_DEFAULT } = parse(s.pageQuery, c.req.query(), "query");
      const books = new Books(backend.ledger().state);
      const lane = laneOrThrow(books, id);
      const list = [];
      let forcedId = from;
      for (; forcedId < lane.forcedCount && list.length < limit; forcedId++)
        list.push(forcedTxJson(books.read(forcedTxCodec, ledgerKeys.forcedTx(id, forcedId))!, lane));
      return c.json({ forced: list, next: forcedId < lane.forcedCount ? String(forcedId) : null });
    });

  const withdrawals = new Hono().get("/:id", (c) => {
    const { lane, id } = parse(s.withdrawalIdParam, c.req.param("id"), "id");
    const books = new Books(backend.ledger().state);
    laneOrThrow(books, lane);
    const paid = books.read(withdrawalPaidCodec, ledgerKeys.withdrawalPaid(lane, id));
    if (!paid)
      throw new NotFoundError(
        "withdrawal_not_found",
        `Withdrawal ${id} of lane ${lane} has not been paid on settlement (claim it with a proof against a final checkpoint).`,
        "id",
      );
    return c.json(withdrawalJson(lane, id, paid));
  });

  const document = openApiDocument();
  const app = new Hono();
  app.use("*", requestMetrics(metrics));
  if (options.rateLimit !== false) app.use("*", rateLimit(options.rateLimit ?? RATE_LIMIT_DEFAULT));
  app.get("/metrics", async (c) =>
    c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );
  app.get("/v1/openapi.json", (c) => c.json(document));
  app.get("/v1/status", (c) => c.json(statusJson(backend.status())));
  app.route("/v1/txs", txs);
  app.route("/v1/blocks", blocks);
  app.route("/v1/accounts", accounts);
  app.route("/v1/validators", validators);
  app.route("/v1/lanes", lanes);
  app.route("/v1/withdrawals", withdrawals);
  renderErrors(app, "the node's logs");
  return app;
}
