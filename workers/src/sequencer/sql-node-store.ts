/**
 * The state tree's NodeStore in the Durable Object's SQLite: one row per
 * node. Synchronous, like the SQL API, so a ledger step has no await.
 */
import type { NodeStore } from "../../../shared/smt/store.ts";

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}

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
  put(hash: Uint8Array, record: Uint8Array): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO smt_nodes (hash, record) VALUES (?, ?)",
      toArrayBuffer(hash),
      toArrayBuffer(record),
    );
  }
  delete(hash: Uint8Array): void {
    this.#sql.exec("DELETE FROM smt_nodes WHERE hash = ?", toArrayBuffer(hash));
  }
}
