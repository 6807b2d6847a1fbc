/**
 * Moves a lane's built checkpoints to settlement and their status up the
 * finality ladder (DESIGN.md, "Life of a transaction" 4-5). Called from the
 * Sequencer's alarm, which is at least once: every step here is safe to
 * repeat. Before posting, the poster asks settlement whether it already
 * holds the index (a repeated alarm, or a post whose answer was lost); if it
 * does and the roots and batch hash match, that is success; if they differ,
 * nothing is posted (CheckpointConflictError).
 *
 * Settled and final are recorded only from a checkpoint proof the lane
 * verifies itself (shared/sdk verifyCheckpointProof: block H + 1's commit
 * certificate by more than 2/3 of the trusted set, SETTLEMENT_VALIDATORS,
 * and the record's SMT proof under its appHashPrev), tried across the
 * validators; the checkpoint JSON of one validator only says when to ask.
 * A proof that does not verify is logged and never recorded, and with no
 * validator proving the claim the poll fails (backoff). With
 * SETTLEMENT_VALIDATORS empty the JSON is trusted as served (`unverified`
 * in the lane status).
 *
 * Rows: checkpoints.status built → posted → settled → final (receipts read
 * these as soft/checkpointed/settled/final); attempts and nextAttemptMs hold
 * the exponential backoff of failed posts and the next status poll. No
 * write depends on a value read before an await unless it is re-checked
 * (updates name the status they expect).
 */
import { and, asc, eq, ne } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import {
  encodeSettlementTx,
  type SettlementTxBody,
  settlementPayloadCodec,
  settlementTxSignBytes,
} from "../../../settlement-node/ledger/tx.ts";
import { toHex } from "../../../shared/bytes.ts";
import { decode } from "../../../shared/codec/index.ts";
import { addressFromPublicKey, formatAddress } from "../../../shared/crypto/address.ts";
import { publicKeyFromSecret, sign } from "../../../shared/crypto/keys.ts";
import { type CheckpointProof, verifyCheckpointProof } from "../../../shared/sdk/verifyCheckpointProof.ts";
import { type CheckpointJson, type Fetch, SettlementClient } from "../settlement/client.ts";
import {
  CheckpointConflictError,
  SettlementRefusedError,
  SettlementVerificationError,
} from "../settlement/errors.ts";
import type { PosterConfig } from "./poster-config.ts";
import { PosterStore } from "./poster-store.ts";
import * as schema from "./schema.ts";

type Db = DrizzleSqliteDODatabase<typeof schema>;
type CheckpointRow = schema.CheckpointRow;

export type CheckpointStatus = "built" | "posted" | "settled" | "final";

export type PosterRunResult = {
  /** When the alarm should run again for the poster; null when every checkpoint is final (or nowhere to post). */
  nextWakeMs: number | null;
  posted: number[];
  errors: string[];
};

const NONCE_ERRORS = new Set(["nonce_replayed", "nonce_mismatch"]);

/** The last run per lane database (one Durable Object = one SqlStorage). */
const RUNS = new WeakMap<SqlStorage, Promise<PosterRunResult>>();

export class CheckpointPoster {
  readonly #db: Db;
  readonly #store: PosterStore;
  readonly #config: PosterConfig;
  readonly #client: SettlementClient;
  readonly #publicKey: Uint8Array;
  readonly #address: string;
  readonly #sql: SqlStorage;

  constructor(o: { db: Db; sql: SqlStorage; config: PosterConfig; fetch: Fetch }) {
    this.#db = o.db;
    this.#sql = o.sql;
    this.#store = new PosterStore(o.db);
    this.#config = o.config;
    this.#client = new SettlementClient({ urls: o.config.urls, fetch: o.fetch });
    this.#publicKey = publicKeyFromSecret(o.config.posterSecretKey);
    this.#address = formatAddress(addressFromPublicKey(this.#publicKey));
  }

  /** The settlement account that pays for this lane's checkpoint posts. */
  get address(): string {
    return this.#address;
  }

  /**
   * Posts due checkpoints in index order and polls the status of posted ones.
   * Runs of one lane are serialized: a run that overlapped another (an alarm
   * retried while one is awaiting settlement) could post index i+1 first.
   */
  run(nowMs: number): Promise<PosterRunResult> {
    const previous = RUNS.get(this.#sql) ?? Promise.resolve();
    const next = previous.then(
      () => this.#run(nowMs),
      () => this.#run(nowMs),
    );
    RUNS.set(this.#sql, next);
    return next;
  }

  async #run(nowMs: number): Promise<PosterRunResult> {
    const result: PosterRunResult = { nextWakeMs: null, posted: [], errors: [] };
    if (this.#config.urls.length === 0) return result;
    const open = this.#db
      .select()
      .from(schema.checkpoints)
      .where(ne(schema.checkpoints.status, "final"))
      .orderBy(asc(schema.checkpoints.index))
      .all();
    let blocked = false;
    for (const row of open) {
      // Settlement accepts index i only after i-1: a later checkpoint waits while an
      // earlier one is unposted, whether its post just failed or it is backing off.
      if (blocked && row.status === "built") continue;
      if (row.nextAttemptMs > nowMs) {
        if (row.status === "built") blocked = true;
        continue;
      }
      try {
        const ok = await this.#advance(row, nowMs);
        if (ok === "posted") result.posted.push(row.index);
      } catch (error) {
        const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
        result.errors.push(`checkpoint ${row.index}: ${message}`);
        console.warn(
          JSON.stringify({
            msg: "poster: attempt failed",
            lane: this.#config.lane,
            index: row.index,
            error: message,
          }),
        );
        this.#backOff(row, nowMs);
        if (row.status === "built") blocked = true;
      }
    }
    const next = this.#db
      .select({ at: schema.checkpoints.nextAttemptMs })
      .from(schema.checkpoints)
      .where(ne(schema.checkpoints.status, "final"))
      .orderBy(asc(schema.checkpoints.nextAttemptMs))
      .limit(1)
      .get();
    result.nextWakeMs = next ? Math.max(next.at, nowMs + 1) : null;
    return result;
  }

  async #advance(row: CheckpointRow, nowMs: number): Promise<"posted" | "polled"> {
    const held = await this.#client.checkpoint(this.#config.lane, row.index);
    if (held) {
      this.#assertSame(row, held);
      const claimed = statusOf(held);
      const status =
        rank(claimed) > rank(row.status as CheckpointStatus) && rank(claimed) >= RANK.settled
          ? await this.#proven(row, claimed, nowMs)
          : claimed;
      this.#setStatus(row, status, nowMs + this.#config.pollMs, 0);
      return "polled";
    }
    if (row.status !== "built") {
      // Posted but not (yet) in a block: re-post once the mempool has had its chance.
      const last = this.#store.post(row.index);
      if (last && nowMs - last.postedAtMs < this.#config.repostMs) {
        this.#setStatus(row, row.status as CheckpointStatus, nowMs + this.#config.pollMs, row.attempts);
        return "polled";
      }
    }
    await this.#post(row, nowMs);
    return "posted";
  }

  /**
   * The status to record when settlement claims `claimed` (settled or
   * final) for a checkpoint this lane holds at a lower status: the status a
   * verified proof shows, or `posted` while a validator says its certified
   * state does not hold the checkpoint yet. Throws (after recording
   * `posted`: settlement does hold it) when every validator failed or
   * served a proof that does not verify.
   */
  async #proven(row: CheckpointRow, claimed: CheckpointStatus, nowMs: number): Promise<CheckpointStatus> {
    const v = this.#config.verification;
    if (v.mode === "unverified") return claimed;
    const lane = this.#config.lane;
    const fail = (failures: readonly string[]): never => {
      this.#setStatus(row, "posted", nowMs + this.#config.pollMs, row.attempts);
      throw new SettlementVerificationError(lane, row.index, claimed, failures);
    };
    if (v.mode === "misconfigured") return fail([v.error]);
    const payload = this.#payloadOf(row);
    const answer = await this.#client.checkpointProof(lane, row.index, async (body) => {
      const r = await verifyCheckpointProof({
        chainId: this.#config.chainId,
        validators: v.validators,
        lane,
        index: BigInt(row.index),
        proof: body as CheckpointProof,
      });
      return r.valid ? { ok: true as const, value: r } : { ok: false as const, reason: r.reason };
    });
    const rejected = answer.failures.filter((f) => f.includes("proof rejected"));
    if (rejected.length > 0)
      console.warn(
        JSON.stringify({
          msg: "poster: checkpoint proof rejected",
          lane,
          index: row.index,
          claimed,
          rejected,
        }),
      );
    // A validator whose certified state does not hold the checkpoint yet (404) is not a failure: ask
    // again at the next poll. A forged proof cannot hold the lane back then, only when none is left.
    if (!answer.ok) return answer.notFound > 0 ? "posted" : fail(answer.failures);
    const { record, status, provenHeight } = answer.value;
    // Proven by the trusted set: a different record here is a real conflict, not a lying node.
    const fields = [
      ["prevRoot", payload.prevRoot, record.prevRoot],
      ["newRoot", payload.newRoot, record.newRoot],
      ["batchHash", payload.batchHash, record.batchHash],
    ] as const;
    for (const [name, ours, theirs] of fields)
      if (toHex(ours) !== toHex(theirs)) throw new CheckpointConflictError(lane, row.index, name);
    // The proof lags the JSON by a block (it proves the state before the newest block): that is not a lie.
    const lag = claimed === "final" && record.finalHeight === provenHeight + 1n;
    if (status !== claimed && !lag)
      console.warn(
        JSON.stringify({
          msg: "poster: settlement's claim differs from the proof",
          lane,
          index: row.index,
          claimed,
          proven: status,
          provenHeight: String(provenHeight),
        }),
      );
    return status;
  }

  #payloadOf(row: CheckpointRow) {
    const payload = decode(settlementPayloadCodec, u8(row.payload));
    if (payload.type !== "postCheckpoint")
      throw new Error("BUG: a checkpoint row holds a non-checkpoint payload");
    return payload;
  }

  async #post(row: CheckpointRow, nowMs: number): Promise<void> {
    const payload = decode(settlementPayloadCodec, u8(row.payload));
    for (let attempt = 0; ; attempt++) {
      const nonce = this.#store.nonce() ?? (await this.#nonceFromSettlement());
      const body: SettlementTxBody = { sender: this.#publicKey, nonce, fee: this.#config.feeTx, payload };
      const signature = sign(this.#config.posterSecretKey, settlementTxSignBytes(this.#config.chainId, body));
      const txHex = `0x${toHex(encodeSettlementTx({ body, signature }))}`;
      try {
        const { hash } = await this.#client.submitTx(txHex);
        this.#recordPosted(row, nonce, hash, nowMs);
        return;
      } catch (error) {
        if (error instanceof SettlementRefusedError && error.code === "duplicate_tx") {
          this.#recordPosted(row, nonce, "", nowMs);
          return;
        }
        if (error instanceof SettlementRefusedError && NONCE_ERRORS.has(error.code) && attempt === 0) {
          this.#store.setNonce(null);
          continue;
        }
        throw error;
      }
    }
  }

  async #nonceFromSettlement(): Promise<bigint> {
    const account = await this.#client.account(this.#address);
    if (!account)
      throw new SettlementRefusedError(
        `/v1/accounts/${this.#address}`,
        404,
        "poster_unfunded",
        `Fund the lane's poster account ${this.#address} on settlement (the devnet does it at genesis).`,
      );
    this.#store.setNonce(account.nonce);
    return account.nonce;
  }

  #recordPosted(row: CheckpointRow, nonce: bigint, txHash: string, nowMs: number): void {
    this.#store.setNonce(nonce + 1n);
    this.#store.recordPost({ index: row.index, txHash, postedAtMs: nowMs });
    this.#setStatus(
      row,
      row.status === "built" ? "posted" : (row.status as CheckpointStatus),
      nowMs + this.#config.pollMs,
      0,
    );
    console.log(
      JSON.stringify({
        msg: "poster: checkpoint posted",
        lane: this.#config.lane,
        index: row.index,
        nonce: String(nonce),
        txHash,
      }),
    );
  }

  #assertSame(row: CheckpointRow, held: CheckpointJson): void {
    const payload = this.#payloadOf(row);
    const fields = [
      ["prevRoot", payload.prevRoot, held.prevRoot],
      ["newRoot", payload.newRoot, held.newRoot],
      ["batchHash", payload.batchHash, held.batchHash],
    ] as const;
    for (const [name, ours, theirs] of fields)
      if (toHex(ours) !== theirs.replace(/^0x/, "").toLowerCase())
        throw new CheckpointConflictError(this.#config.lane, row.index, name);
  }

  #setStatus(row: CheckpointRow, status: CheckpointStatus, nextAttemptMs: number, attempts: number): void {
    // Never step down the ladder: a stale read from a lagging validator must not undo "final".
    const status2 =
      rank(status) >= rank(row.status as CheckpointStatus) ? status : (row.status as CheckpointStatus);
    this.#db
      .update(schema.checkpoints)
      .set({ status: status2, nextAttemptMs, attempts })
      .where(and(eq(schema.checkpoints.index, row.index), eq(schema.checkpoints.status, row.status)))
      .run();
  }

  #backOff(row: CheckpointRow, nowMs: number): void {
    const attempts = row.attempts + 1;
    const delayMs = Math.min(
      this.#config.backoffMsMax,
      this.#config.backoffMsMin * 2 ** Math.min(attempts - 1, 30),
    );
    this.#db
      .update(schema.checkpoints)
      .set({ attempts, nextAttemptMs: nowMs + delayMs })
      .where(eq(schema.checkpoints.index, row.index))
      .run();
  }
}

const RANK: Record<CheckpointStatus, number> = { built: 0, posted: 1, settled: 2, final: 3 };
const rank = (s: CheckpointStatus): number => RANK[s] ?? 0;

function statusOf(held: CheckpointJson): CheckpointStatus {
  const s = held.finality.status;
  return s === "final" ? "final" : s === "settled" ? "settled" : "posted";
}

function u8(b: ArrayBuffer | Uint8Array): Uint8Array {
  return b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}
