/**
 * The state tree's NodeStore in the Durable Object's SQLite: one row per
 * node. Synchronous, like the SQL API, so a ledger step has no await.
 */
import { toHex } from "../../../shared/bytes.ts";
import type { NodeStore } from "../../../shared/smt/store.ts";

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}

/** 2 columns × 50 rows = 100 bound parameters, the platform's limit per query. */
const NODE_ROWS_PER_INSERT = 50;
const nodeInsertSql = (rows: number) =>
  `INSERT OR REPLACE INTO smt_nodes (hash, record) VALUES ${Array.from({ length: rows }, () => "(?, ?)").join(", ")}`;
const NODE_INSERT_FULL = nodeInsertSql(NODE_ROWS_PER_INSERT);
const NODE_ROWS_PER_SELECT = 100;
const nodeSelectSql = (rows: number) =>
  `SELECT hash, record FROM smt_nodes WHERE hash IN (${Array.from({ length: rows }, () => "?").join(", ")})`;
const NODE_SELECT_FULL = nodeSelectSql(NODE_ROWS_PER_SELECT);

export class SqlNodeStore implements NodeStore {
  readonly #sql: SqlStorage;
  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    const row = this.#sql
      .exec<{ record: ArrayBuffer }>("SELECT record FROM smt_nodes WHERE hash = ?", toArrayBuffer(hash))
      .toArray()[0];
    return row === undefined ? undefined : new Uint8Array(row.record);
  }
  /** Up to 100 nodes per statement (the platform's bound on parameters). */
  getMany(hashes: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    const found = new Map<string, Uint8Array>();
    for (let at = 0; at < hashes.length; at += NODE_ROWS_PER_SELECT) {
      const chunk = hashes.slice(at, at + NODE_ROWS_PER_SELECT);
      const sql =
        chunk.length === NODE_ROWS_PER_SELECT ? NODE_SELECT_FULL : nodeSelectSql(chunk.length);
      for (const row of this.#sql.exec<{ hash: ArrayBuffer; record: ArrayBuffer }>(
        sql,
        ...chunk.map((h) => toArrayBuffer(h)),
      ))
        found.set(toHex(new Uint8Array(row.hash)), new Uint8Array(row.record));
    }
    return hashes.map((h) => found.get(toHex(h)));
  }
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO smt_nodes (hash, record) VALUES (?, ?)",
      toArrayBuffer(hash),
      toArrayBuffer(record),
    );
  }
  /** One INSERT per NODE_ROWS_PER_INSERT nodes: a step's flush is a few statements, not one per node. */
  putMany(hashes: readonly Uint8Array[], records: readonly Uint8Array[]): void {
    for (let at = 0; at < hashes.length; at += NODE_ROWS_PER_INSERT) {
      const rows = Math.min(NODE_ROWS_PER_INSERT, hashes.length - at);
      const params: ArrayBuffer[] = [];
      for (let i = at; i < at + rows; i++) params.push(toArrayBuffer(hashes[i]!), toArrayBuffer(records[i]!));
      this.#sql.exec(rows === NODE_ROWS_PER_INSERT ? NODE_INSERT_FULL : nodeInsertSql(rows), ...params);
    }
  }
  delete(hash: Uint8Array): void {
    this.#sql.exec("DELETE FROM smt_nodes WHERE hash = ?", toArrayBuffer(hash));
  }
}
