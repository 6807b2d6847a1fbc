/**
 * The poster's own rows in the Sequencer's drizzle schema (schema.ts
 * posterNonce, posterPosts; migration 0001): the poster account's next
 * settlement nonce, and per posted checkpoint the time and hash of its last
 * post. Synchronous, like every query of the Durable Object's SQLite.
 */
import { eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import * as schema from "./schema.ts";

export type PostRecord = { index: number; txHash: string; postedAtMs: number };

type Db = DrizzleSqliteDODatabase<typeof schema>;
const NONCE_ROW = 1;

export class PosterStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Null until read from settlement (first post, or after a nonce error). */
  nonce(): bigint | null {
    const row = this.#db
      .select({ nonce: schema.posterNonce.nonce })
      .from(schema.posterNonce)
      .where(eq(schema.posterNonce.id, NONCE_ROW))
      .get();
    return row ? BigInt(row.nonce) : null;
  }

  setNonce(nonce: bigint | null): void {
    if (nonce === null) {
      this.#db.delete(schema.posterNonce).where(eq(schema.posterNonce.id, NONCE_ROW)).run();
      return;
    }
    this.#db
      .insert(schema.posterNonce)
      .values({ id: NONCE_ROW, nonce: nonce.toString() })
      .onConflictDoUpdate({ target: schema.posterNonce.id, set: { nonce: nonce.toString() } })
      .run();
  }

  post(index: number): PostRecord | undefined {
    return this.#db.select().from(schema.posterPosts).where(eq(schema.posterPosts.index, index)).get();
  }

  recordPost(p: PostRecord): void {
    this.#db
      .insert(schema.posterPosts)
      .values(p)
      .onConflictDoUpdate({
        target: schema.posterPosts.index,
        set: { txHash: p.txHash, postedAtMs: p.postedAtMs },
      })
      .run();
  }
}
