/**
 * The poster's own SQLite rows, beside the Sequencer's drizzle schema: the
 * poster account's next settlement nonce, and per posted checkpoint the time
 * and hash of its last post. Created on first use (CREATE IF NOT EXISTS), so
 * the Sequencer's committed migrations stay untouched.
 */
export type PostRecord = { index: number; txHash: string; postedAtMs: number };

export class PosterStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS poster_nonce (id INTEGER PRIMARY KEY CHECK (id = 1), nonce TEXT NOT NULL)",
    );
    sql.exec(
      "CREATE TABLE IF NOT EXISTS poster_posts (idx INTEGER PRIMARY KEY, tx_hash TEXT NOT NULL, posted_at_ms INTEGER NOT NULL)",
    );
  }

  /** Null until read from settlement (first post, or after a nonce error). */
  nonce(): bigint | null {
    const row = this.#sql.exec<{ nonce: string }>("SELECT nonce FROM poster_nonce WHERE id = 1").toArray()[0];
    return row ? BigInt(row.nonce) : null;
  }

  setNonce(nonce: bigint | null): void {
    if (nonce === null) this.#sql.exec("DELETE FROM poster_nonce WHERE id = 1");
    else
      this.#sql.exec(
        "INSERT INTO poster_nonce (id, nonce) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET nonce = excluded.nonce",
        nonce.toString(),
      );
  }

  post(index: number): PostRecord | undefined {
    const row = this.#sql
      .exec<{ idx: number; tx_hash: string; posted_at_ms: number }>(
        "SELECT idx, tx_hash, posted_at_ms FROM poster_posts WHERE idx = ?",
        index,
      )
      .toArray()[0];
    return row ? { index: row.idx, txHash: row.tx_hash, postedAtMs: row.posted_at_ms } : undefined;
  }

  recordPost(p: PostRecord): void {
    this.#sql.exec(
      "INSERT INTO poster_posts (idx, tx_hash, posted_at_ms) VALUES (?, ?, ?) ON CONFLICT(idx) DO UPDATE SET tx_hash = excluded.tx_hash, posted_at_ms = excluded.posted_at_ms",
      p.index,
      p.txHash,
      p.postedAtMs,
    );
  }
}
