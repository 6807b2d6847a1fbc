/**
 * Views served from the validator's database (the indexer's derived tables),
 * mounted at /v1/index by the node: what the ledger state alone cannot
 * answer cheaply (an account's transactions, a transaction by hash,
 * checkpoints by finality status, withdrawals by recipient) plus the
 * accounts, validators and lanes as last indexed. Every answer says the
 * height it reflects; `reindex` rebuilds all of it from the block store, so
 * the same blocks always give the same answers (docs/api-settlement.md).
 */
import { and, asc, eq, gte, sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { AddressFormatError, formatAddress, parseAddress } from "../../shared/crypto/index.ts";
import { BadRequestError, NotFoundError, renderErrors } from "../api/errors.ts";
import { withdrawalIdParam } from "../api/schemas.ts";
import { ledgerStatusName } from "../ledger/codes.ts";
import type { SettlementDb } from "../db/open-database.ts";
import { heightIndexed } from "../db/reindex.ts";
import * as t from "../db/schema.ts";
import { withdrawalRowId } from "./project-block.ts";

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;
const PAGE_DEFAULT = 50;
const PAGE_MAX = 200;

const u64 = (what: string) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,19})$/, `${what} must be a decimal integer without leading zeros`)
    .transform(BigInt)
    .refine((v) => v < 1n << 64n, `${what} must be at most 2^64-1`);
const laneId = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, "lane id must be a positive decimal integer")
  .transform(Number)
  .refine((n) => n <= 0xffff_ffff, "lane id must be at most 2^32-1");
const limit = z
  .string()
  .regex(/^[1-9][0-9]{0,2}$/, `limit must be an integer from 1 to ${PAGE_MAX}`)
  .transform(Number)
  .refine((n) => n <= PAGE_MAX, `limit must be at most ${PAGE_MAX}`);
const hash32 = z.string().regex(/^0x[0-9a-f]{64}$/, "must be 0x and 64 lowercase hex digits");
const pageQuery = z.strictObject({ from: u64("from").optional(), limit: limit.optional() });
const checkpointsQuery = pageQuery.extend({ status: z.enum(t.FINALITY_STATUSES).optional() });
const withdrawalsQuery = pageQuery.extend({ recipient: z.string().optional() });

function parse<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [field, ...issue.path.map(String)].filter((p) => p !== "").join(".");
  throw new BadRequestError("invalid_field", `${path}: ${issue.message}`, path);
}

function address(text: string, field: string): Uint8Array {
  try {
    return parseAddress(text);
  } catch (e) {
    if (e instanceof AddressFormatError) throw new BadRequestError("invalid_field", e.shortMessage, field, e);
    throw e;
  }
}

function txJson(r: typeof t.transactions.$inferSelect) {
  return {
    hash: hex(r.hash),
    height: String(r.height),
    indexInBlock: r.indexInBlock,
    kind: r.kind,
    sender: formatAddress(r.sender),
    status: r.status,
    codeRejection: r.codeRejection,
    rejection: r.codeRejection === null ? null : ledgerStatusName(r.codeRejection),
  };
}

function checkpointJson(r: typeof t.checkpoints.$inferSelect) {
  return {
    lane: r.lane,
    index: String(r.indexInLane),
    prevRoot: hex(r.rootPrevious),
    newRoot: hex(r.rootNew),
    batchHash: hex(r.batchHash),
    status: r.status,
    heightSettled: r.heightSettled === null ? null : String(r.heightSettled),
    heightFinal: r.heightFinal === null ? null : String(r.heightFinal),
  };
}

export type IndexApiOptions = {
  /** The node's committed height, to show how far the index lags. */
  heightCommitted?: () => bigint;
};

/** The /v1/index routes over `db`. Errors render like the settlement API's: `{ error: { code, message, field } }`. */
export function createIndexApi(db: SettlementDb, options: IndexApiOptions = {}): Hono {
  const indexed = async () => (await heightIndexed(db)) ?? 0n;
  const app = new Hono();

  app.get("/status", async (c) => {
    const height = await indexed();
    const committed = options.heightCommitted?.() ?? height;
    return c.json({
      heightIndexed: String(height),
      heightCommitted: String(committed),
      lagBlocks: String(committed > height ? committed - height : 0n),
    });
  });

  app.get("/accounts/:address", async (c) => {
    const a = address(c.req.param("address"), "address");
    const [row] = await db.select().from(t.accounts).where(eq(t.accounts.address, a));
    if (!row) throw new NotFoundError("account_not_found", "No such account in the index.", "address");
    return c.json({
      address: formatAddress(row.address),
      balance: String(row.balance),
      nonce: String(row.nonce),
      heightIndexed: String(await indexed()),
    });
  });

  app.get("/accounts/:address/txs", async (c) => {
    const a = address(c.req.param("address"), "address");
    const q = parse(pageQuery, c.req.query(), "query");
    const n = q.limit ?? PAGE_DEFAULT;
    const rows = await db
      .select()
      .from(t.transactions)
      .where(and(eq(t.transactions.sender, a), gte(t.transactions.height, q.from ?? 0n)))
      .orderBy(asc(t.transactions.height), asc(t.transactions.indexInBlock))
      .limit(n + 1);
    const page = rows.slice(0, n);
    return c.json({
      txs: page.map(txJson),
      next: rows.length > n ? String(rows[n]!.height) : null,
      heightIndexed: String(await indexed()),
    });
  });

  app.get("/txs/:hash", async (c) => {
    const h = fromHex(parse(hash32, c.req.param("hash"), "hash").slice(2));
    const [row] = await db.select().from(t.transactions).where(eq(t.transactions.hash, h));
    if (!row) throw new NotFoundError("tx_not_found", "No committed transaction with this hash.", "hash");
    return c.json(txJson(row));
  });

  app.get("/validators", async (c) => {
    const rows = await db.select().from(t.validators).orderBy(asc(t.validators.address));
    return c.json({
      validators: rows.map((r) => ({
        address: formatAddress(r.address),
        publicKey: hex(r.publicKey),
        stake: String(r.stake),
        status: r.status,
      })),
      heightIndexed: String(await indexed()),
    });
  });

  app.get("/lanes", async (c) => {
    const rows = await db.select().from(t.lanes).orderBy(asc(t.lanes.id));
    return c.json({
      lanes: rows.map((r) => ({
        id: r.id,
        sequencer: hex(r.sequencer),
        escrow: String(r.escrow),
        bond: String(r.bond),
        challengeWindowBlocks: String(r.challengeWindowBlocks),
      })),
      heightIndexed: String(await indexed()),
    });
  });

  app.get("/lanes/:id/checkpoints", async (c) => {
    const id = parse(laneId, c.req.param("id"), "id");
    const q = parse(checkpointsQuery, c.req.query(), "query");
    const n = q.limit ?? PAGE_DEFAULT;
    const rows = await db
      .select()
      .from(t.checkpoints)
      .where(
        and(
          eq(t.checkpoints.lane, id),
          gte(t.checkpoints.indexInLane, q.from ?? 0n),
          q.status ? eq(t.checkpoints.status, q.status) : undefined,
        ),
      )
      .orderBy(asc(t.checkpoints.indexInLane))
      .limit(n + 1);
    return c.json({
      checkpoints: rows.slice(0, n).map(checkpointJson),
      next: rows.length > n ? String(rows[n]!.indexInLane) : null,
      heightIndexed: String(await indexed()),
    });
  });

  app.get("/checkpoints/count", async (c) => {
    const rows = await db
      .select({ status: t.checkpoints.status, count: sql<string>`count(*)::text` })
      .from(t.checkpoints)
      .groupBy(t.checkpoints.status);
    const byStatus: Record<string, string> = {};
    for (const r of rows) byStatus[r.status] = r.count;
    return c.json({ byStatus, heightIndexed: String(await indexed()) });
  });

  app.get("/withdrawals", async (c) => {
    const q = parse(withdrawalsQuery, c.req.query(), "query");
    const recipient = q.recipient === undefined ? undefined : address(q.recipient, "query.recipient");
    const n = q.limit ?? PAGE_DEFAULT;
    const rows = await db
      .select()
      .from(t.withdrawals)
      .where(recipient ? eq(t.withdrawals.recipient, recipient) : undefined)
      .orderBy(asc(t.withdrawals.id))
      .limit(n);
    return c.json({
      withdrawals: rows.map((r) => withdrawalJson(r)),
      heightIndexed: String(await indexed()),
    });
  });

  app.get("/withdrawals/:id", async (c) => {
    const { lane, id } = parse(withdrawalIdParam, c.req.param("id"), "id");
    const [row] = await db
      .select()
      .from(t.withdrawals)
      .where(eq(t.withdrawals.id, withdrawalRowId(lane, id)));
    if (!row)
      throw new NotFoundError("withdrawal_not_found", `Withdrawal ${lane}-${id} is not in the index.`, "id");
    return c.json(withdrawalJson(row));
  });

  renderErrors(app, "the node's logs");
  return app;
}

function withdrawalJson(r: typeof t.withdrawals.$inferSelect) {
  const view = new DataView(r.id.buffer, r.id.byteOffset, r.id.byteLength);
  return {
    id: `${r.lane}-${view.getBigUint64(4)}`,
    lane: r.lane,
    recipient: formatAddress(r.recipient),
    amount: String(r.amount),
    status: r.status,
    height: String(r.heightRequested),
  };
}
