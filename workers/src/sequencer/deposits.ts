/**
 * The lane's inbox from settlement (DESIGN.md, "Fraud proofs and escape
 * hatches"; settlement-node/ledger/inbox.ts): deposits to the lane's escrow
 * and forced transactions, each numbered per lane on settlement.
 *
 * - pollInbox (from the alarm) reads both lists from settlement, from the
 *   next id this lane has not stored, and stores them (idempotent: the alarm
 *   runs at least once).
 * - applyInboxStep (serialized with the Sequencer's steps) executes what is
 *   stored and not yet included as one inbox block, and in the same
 *   synchronous transaction writes the block, the forced transactions'
 *   receipts, the new head and the items' included height: a deposit is
 *   applied exactly once (its settlement id is marked in the same step, and
 *   the STF refuses a deposit id twice anyway).
 * - cursorAt gives the checkpoint's depositCursor/forcedCursor: how many of
 *   each are included in blocks up to a height.
 *
 * The table is created here with plain SQL rather than a drizzle migration:
 * it is private to this module and `CREATE TABLE IF NOT EXISTS` is its whole
 * schema history.
 */
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { eq } from "drizzle-orm";
import { laneDepositIdOf } from "../../../settlement-node/ledger/tx.ts";
import { equalBytes, fromHex, toHex } from "../../../shared/bytes.ts";
import { decode, encode } from "../../../shared/codec/index.ts";
import {
  FORCED_PER_BLOCK_MAX,
  type LaneExecutor,
  type SignedLaneReceipt,
  signedLaneReceiptCodec,
} from "../../../shared/lane/index.ts";
import { DEPOSITS_PER_BLOCK_MAX, TX_BYTES_MAX } from "../../../shared/stf/limits.ts";
import { NATIVE_ASSET } from "../../../shared/stf/records.ts";
import { type Deposit, decodeSignedTx, depositCodec, TxStatus } from "../../../shared/stf/index.ts";
import type { Fetch } from "../settlement/client.ts";
import { SettlementUnavailableError } from "../settlement/errors.ts";
import * as schema from "./schema.ts";

type Db = DrizzleSqliteDODatabase<typeof schema>;
export type InboxKind = "deposit" | "forced";

/** Items read from settlement per list and poll. */
const PAGE = 100;

export class InboxFormatError extends Error {
  override name = "InboxFormatError";
}

export class LaneInboxStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS lane_inbox (
        kind TEXT NOT NULL,
        id INTEGER NOT NULL,
        body BLOB NOT NULL,
        included_height INTEGER,
        PRIMARY KEY (kind, id)
      )`,
    );
  }

  /** The settlement id of the next item not stored yet. */
  nextId(kind: InboxKind): number {
    const row = this.#sql
      .exec<{ n: number }>("SELECT COALESCE(MAX(id) + 1, 0) AS n FROM lane_inbox WHERE kind = ?", kind)
      .one();
    return row.n;
  }

  /** Stores items in id order; an id already stored is left as it is. */
  add(kind: InboxKind, items: readonly { id: number; body: Uint8Array }[]): void {
    for (const item of items)
      this.#sql.exec(
        "INSERT OR IGNORE INTO lane_inbox (kind, id, body, included_height) VALUES (?, ?, ?, NULL)",
        kind,
        item.id,
        item.body,
      );
  }

  /** Stored items not included yet, oldest first. */
  pending(kind: InboxKind, limit: number): { id: number; body: Uint8Array }[] {
    return this.#sql
      .exec<{ id: number; body: ArrayBuffer }>(
        "SELECT id, body FROM lane_inbox WHERE kind = ? AND included_height IS NULL ORDER BY id LIMIT ?",
        kind,
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.id, body: new Uint8Array(r.body) }));
  }

  markIncluded(kind: InboxKind, ids: readonly number[], height: number): void {
    for (const id of ids)
      this.#sql.exec(
        "UPDATE lane_inbox SET included_height = ? WHERE kind = ? AND id = ? AND included_height IS NULL",
        height,
        kind,
        id,
      );
  }

  /** How many items of `kind` blocks up to `height` include: the checkpoint's cursor. */
  cursorAt(kind: InboxKind, height: number): bigint {
    const row = this.#sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM lane_inbox WHERE kind = ? AND included_height IS NOT NULL AND included_height <= ?",
        kind,
        height,
      )
      .one();
    return BigInt(row.n);
  }

  /** Forced transactions this lane has included, by settlement id (for the lane's API). */
  includedHeight(kind: InboxKind, id: number): number | null {
    const rows = this.#sql
      .exec<{ h: number | null }>(
        "SELECT included_height AS h FROM lane_inbox WHERE kind = ? AND id = ?",
        kind,
        id,
      )
      .toArray();
    return rows[0]?.h ?? null;
  }
}

type DepositJson = { id: string; laneDepositId: string; recipient: string; amount: string };
type ForcedJson = { id: string; tx: string };

/**
 * Reads new deposits and forced transactions of `lane` from settlement and
 * stores them. A deposit whose lane deposit id is not the one derived from
 * (lane, id) is refused: the lane would credit it and settlement would then
 * reject the checkpoint.
 */
export async function pollInbox(o: {
  lane: number;
  urls: readonly string[];
  fetch: Fetch;
  store: LaneInboxStore;
}): Promise<{ deposits: number; forced: number }> {
  const get = async <T>(path: string): Promise<T> => {
    const failures: string[] = [];
    for (const url of o.urls) {
      try {
        const r = await o.fetch(url.replace(/\/+$/, "") + path, { signal: AbortSignal.timeout(5000) });
        if (r.status === 200) return (await r.json()) as T;
        failures.push(`${url}: HTTP ${r.status}`);
      } catch (error) {
        failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    throw new SettlementUnavailableError(path, failures);
  };
  const fromDeposit = o.store.nextId("deposit");
  const deposits = await get<{ deposits: DepositJson[] }>(
    `/v1/lanes/${o.lane}/deposits?from=${fromDeposit}&limit=${PAGE}`,
  );
  const depositItems = deposits.deposits.map((d, k) => {
    const id = Number(d.id);
    const expected = laneDepositIdOf(o.lane, BigInt(id));
    if (id !== fromDeposit + k || !equalBytes(fromHex(strip0x(d.laneDepositId)), expected))
      throw new InboxFormatError(`Settlement returned deposit ${d.id} out of sequence or with a foreign id.`);
    const deposit: Deposit = {
      depositId: expected,
      recipient: fromHex(strip0x(d.recipient)),
      asset: NATIVE_ASSET,
      amount: BigInt(d.amount),
    };
    return { id, body: encode(depositCodec, deposit) };
  });
  const fromForced = o.store.nextId("forced");
  const forced = await get<{ forced: ForcedJson[] }>(
    `/v1/lanes/${o.lane}/forced?from=${fromForced}&limit=${PAGE}`,
  );
  const forcedItems = forced.forced.map((f, k) => {
    const id = Number(f.id);
    const body = fromHex(strip0x(f.tx));
    if (id !== fromForced + k || body.length > TX_BYTES_MAX)
      throw new InboxFormatError(`Settlement returned forced tx ${f.id} out of sequence or oversize.`);
    return { id, body };
  });
  o.store.add("deposit", depositItems);
  o.store.add("forced", forcedItems);
  return { deposits: depositItems.length, forced: forcedItems.length };
}

export type InboxStepResult = { height: number; deposits: number; forced: SignedLaneReceipt[] } | null;

/**
 * Executes the stored, not yet included inbox items as one block and
 * persists it. Must run serialized with the Sequencer's other steps (the
 * executor holds one pending step at a time).
 */
export async function applyInboxStep(o: {
  executor: LaneExecutor;
  store: LaneInboxStore;
  db: Db;
  storage: DurableObjectStorage;
  headId: number;
  nowMs: bigint;
}): Promise<InboxStepResult> {
  const deposits = o.store.pending("deposit", DEPOSITS_PER_BLOCK_MAX);
  const forced = o.store.pending("forced", FORCED_PER_BLOCK_MAX);
  if (deposits.length === 0 && forced.length === 0) return null;
  const verified = await o.executor.verify(forced.map((f) => f.body));
  const step = o.executor.execute([], o.nowMs, {
    deposits: deposits.map((d) => decode(depositCodec, d.body)),
    forced: verified,
  });
  let signed: SignedLaneReceipt[];
  try {
    signed = await o.executor.signInbox(step);
    const block = step.blocks[0]!;
    const height = Number(block.block.header.height);
    o.storage.transactionSync(() => {
      o.executor.commit();
      o.db
        .insert(schema.blocks)
        .values({
          height,
          encoded: buf(block.encoded),
          stateRoot: buf(block.stateRoot),
          txCount: block.block.txs.length,
          sealedAtMs: Number(o.nowMs),
          checkpointIndex: null,
        })
        .run();
      signed.forEach((s, k) => {
        // The same bytes may already have a receipt (sent to the lane directly too): keep the first.
        o.db
          .insert(schema.receipts)
          .values({
            txHash: toHex(s.receipt.txHash),
            height,
            index: s.receipt.index,
            signed: buf(encode(signedLaneReceiptCodec, s)),
            idempotencyKey: s.receipt.status === TxStatus.Ok ? idempotencyIdOf(forced[k]!.body) : null,
          })
          .onConflictDoNothing()
          .run();
      });
      const head = o.executor.head;
      o.db
        .update(schema.head)
        .set({
          stateRoot: buf(head.root),
          treeVersion: head.treeVersion,
          lastReceiptHash: buf(head.lastReceiptHash),
        })
        .where(eq(schema.head.id, o.headId))
        .run();
      o.store.markIncluded(
        "deposit",
        deposits.slice(0, step.inbox.deposits).map((d) => d.id),
        height,
      );
      o.store.markIncluded(
        "forced",
        forced.slice(0, step.inbox.forced).map((f) => f.id),
        height,
      );
    });
    return { height, deposits: step.inbox.deposits, forced: signed };
  } catch (error) {
    o.executor.abort();
    throw error;
  }
}

/** Vars the inbox reads besides Env's. */
export type InboxVars = {
  /** Milliseconds between polls of settlement for deposits and forced txs (default 1000); "0" turns polling off. */
  LANE_INBOX_POLL_MS?: string;
};

/** Milliseconds between inbox polls; 0 turns polling off (the caller also needs settlement URLs). */
export function inboxPollMs(env: object): number {
  const raw = (env as InboxVars).LANE_INBOX_POLL_MS;
  const n = Number(raw === undefined || raw === "" ? "1000" : raw);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function idempotencyIdOf(bytes: Uint8Array): string | null {
  try {
    const { body } = decodeSignedTx(bytes);
    return body.idempotencyKey ? toHex(body.sender) + toHex(body.idempotencyKey) : null;
  } catch {
    return null;
  }
}

function strip0x(s: string): string {
  return s.startsWith("0x") ? s.slice(2) : s;
}

function buf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
