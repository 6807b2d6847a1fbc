/**
 * One Sequencer per lane (addressed by name: env.SEQUENCER.getByName(String(lane))).
 *
 * A step: take every submit queued since the last step (group commit), answer
 * already-known transactions from storage, check all signatures in one
 * verifyMany, execute with the shared STF over the SQLite-backed tree, sign
 * the receipts, then write nodes, blocks, receipts and the head in one
 * synchronous transaction, and only then reply: the output gate holds the
 * reply until the writes are durable, so an acknowledged transaction is never
 * lost. Checkpoints are built by the alarm (one per object, at least once:
 * building is idempotent because it only takes blocks no checkpoint holds).
 */
import { DurableObject } from "cloudflare:workers";
import { asc, desc, eq, gte, isNull, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import { migrations } from "../../../migrations/edge/migrations.ts";
import { settlementPayloadCodec } from "../../../settlement-node/ledger/tx.ts";
import { fromHex, toHex } from "../../../shared/bytes.ts";
import { decode, encode } from "../../../shared/codec/index.ts";
import {
  blocksForNextCheckpoint,
  buildCheckpoint,
  createSigner,
  LaneExecutor,
  type LaneHead,
  type PreparedTx,
  prepareTx,
  type SignedLaneReceipt,
  type Signer,
  signedLaneReceiptCodec,
} from "../../../shared/lane/index.ts";
import { CachedNodeStore, encodeSmtMultiproof } from "../../../shared/smt/index.ts";
import {
  accountCodec,
  balanceCodec,
  itemCodec,
  keys,
  NATIVE_ASSET,
  type SignedTx,
  tokenCodec,
  withdrawalCountOf,
} from "../../../shared/stf/index.ts";
import type { Env } from "../env.ts";
import { benchWrite } from "./bench-write.ts";
import { addSyntheticAccounts } from "./bulk-accounts.ts";
import { type LaneConfig, laneConfig } from "./config.ts";
import { applyInboxStep, inboxPollMs, LaneInboxStore, pollInbox } from "./deposits.ts";
import { acceptFeed, broadcastReceipts, closeFeed, feedMessage } from "./feed.ts";
import { CheckpointPoster } from "./poster.ts";
import { posterConfig, settlementVerificationView } from "./poster-config.ts";
import * as schema from "./schema.ts";
import { SqlNodeStore } from "./sql-node-store.ts";
import { type ReceiptRowRaw, StepSql } from "./step-sql.ts";
import type {
  DevLaneState,
  FinalityStatus,
  ProvenRead,
  ReceiptView,
  SubmitResult,
  TxOutcome,
} from "./types.ts";
import { type WithdrawalProofView, withdrawalProof } from "./withdrawal-proof.ts";

const HEAD_ID = 1;

type Pending = { txs: Uint8Array[]; resolve: (r: SubmitResult) => void; reject: (e: unknown) => void };

export class Sequencer extends DurableObject<Env> {
  readonly #db;
  readonly #stepSql: StepSql;
  #config!: LaneConfig;
  #signer!: Signer;
  #executor!: LaneExecutor;
  #nodeCache!: CachedNodeStore;
  #inbox!: LaneInboxStore;
  /** Set when settlement's inbox has items the lane has not included; the next pump applies them first. */
  #inboxPending = false;
  #queue: Pending[] = [];
  #pumping = false;
  /** An alarm is known to be set (see #ensureAlarm). */
  #alarmArmed = false;
  /** See #pendingBlocks; undefined: ask SQLite. */
  #pendingBlocksKnown: number | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#db = drizzle(ctx.storage, { schema });
    this.#stepSql = new StepSql(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      await migrate(this.#db, migrations);
      this.#open();
    });
  }

  #open(): void {
    const name = this.ctx.id.name;
    const lane = Number(name);
    if (!name || !Number.isInteger(lane) || lane < 1)
      throw new Error(`Sequencer must be addressed by its lane number (getByName("1")), got ${name}.`);
    this.#config = laneConfig(this.env, lane);
    this.#signer = createSigner(this.#config.sequencerSecretKey);
    const store = new CachedNodeStore(new SqlNodeStore(this.ctx.storage.sql), this.#config.nodeCacheRecords);
    this.#nodeCache = store;
    let row = this.#db.select().from(schema.head).where(eq(schema.head.id, HEAD_ID)).get();
    if (!row) {
      this.ctx.storage.transactionSync(() => {
        const head = LaneExecutor.writeGenesis(store, this.#config.genesis);
        this.#db
          .insert(schema.head)
          .values({
            id: HEAD_ID,
            stateRoot: buf(head.root),
            treeVersion: head.treeVersion,
            lastReceiptHash: buf(head.lastReceiptHash),
            nextCheckpointIndex: 0,
            checkpointedRoot: buf(head.root),
          })
          .run();
      });
      row = this.#db.select().from(schema.head).where(eq(schema.head.id, HEAD_ID)).get()!;
    }
    const head: LaneHead = {
      root: u8(row.stateRoot),
      treeVersion: row.treeVersion,
      lastReceiptHash: u8(row.lastReceiptHash),
    };
    this.#executor = new LaneExecutor({ store, head, signer: this.#signer });
    this.#inbox = new LaneInboxStore(this.ctx.storage.sql);
    this.#inboxPending = true;
    // A lane learns deposits and forced txs only from its alarm: make sure one is set.
    if (this.#inboxPollMs() > 0) void this.#ensureAlarm();
  }

  // ---- writes -------------------------------------------------------------

  /** Submits canonical signed transactions; one outcome per input, in order. */
  submit(txs: Uint8Array[]): Promise<SubmitResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ txs, resolve, reject });
      if (!this.#pumping) {
        this.#pumping = true;
        // Start on a later turn so requests arriving together share one step (one verifyMany, one write).
        setTimeout(() => void this.#pump(), 0);
      }
    });
  }

  async #pump(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        if (this.#inboxPending) await this.#applyInbox();
        try {
          const results = await this.#step(batch.map((p) => p.txs));
          batch.forEach((p, i) => {
            p.resolve(results[i]!);
          });
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #step(requests: Uint8Array[][]): Promise<SubmitResult[]> {
    const pending = this.#pendingBlocks();
    if (pending >= this.#config.pendingBlocksMax) {
      const busy: SubmitResult = {
        ok: false,
        error: {
          code: "lane_busy",
          message: `Lane ${this.#config.lane} has ${pending} blocks waiting for a checkpoint (bound ${this.#config.pendingBlocksMax}).`,
          retryAfterSeconds: Math.max(1, Math.ceil(this.#config.checkpointAgeMsMax / 1000)),
        },
      };
      void this.#ensureAlarm();
      return requests.map(() => busy);
    }
    // Known transactions (same bytes, or same sender and idempotency key) get their stored receipt.
    const outcomes: (TxOutcome | undefined)[][] = requests.map((txs) => txs.map(() => undefined));
    const fresh: {
      r: number;
      i: number;
      bytes: Uint8Array;
      prepared: PreparedTx;
      idempotencyId: string | null;
    }[] = [];
    const seen = new Map<string, { r: number; i: number }>();
    // Each transaction's hash and idempotency id are computed once per step (profiled: hot).
    const prepared = requests.map((txs) => txs.map((bytes) => prepareTx(bytes)));
    const hashes = prepared.map((ps) => ps.map((p) => toHex(p.hash)));
    const idempotencyIds = prepared.map((ps) => ps.map((p) => idempotencyIdOf(p.decoded)));
    const known = this.#stepSql.knownReceipts(
      hashes.flat(),
      idempotencyIds.flat().filter((id) => id !== null),
    );
    for (const [r, txs] of requests.entries())
      txs.forEach((bytes, i) => {
        const h = hashes[r]![i]!;
        const idempotencyId = idempotencyIds[r]![i]!;
        const row =
          known.byHash.get(h) ??
          (idempotencyId === null ? undefined : known.byIdempotencyId.get(idempotencyId));
        if (row)
          outcomes[r]![i] = { index: i, status: "included", duplicate: true, receipt: this.#viewOfRow(row) };
        else {
          if (!seen.has(h)) fresh.push({ r, i, bytes, prepared: prepared[r]![i]!, idempotencyId });
          seen.set(h, seen.get(h) ?? { r, i });
        }
      });

    if (fresh.length > 0) {
      const verified = await this.#executor.verify(
        fresh.map((f) => f.bytes),
        fresh.map((f) => f.prepared),
      );
      const nowMs = BigInt(this.#laneNowMs());
      const step = this.#executor.execute(verified, nowMs);
      let signed: SignedLaneReceipt[];
      let encodedReceipts: Uint8Array[] = [];
      try {
        signed = await this.#executor.sign(step);
        // Encoded once: stored here and returned in the receipt views below.
        encodedReceipts = signed.map((s) => encode(signedLaneReceiptCodec, s));
        const encoded = encodedReceipts;
        this.ctx.storage.transactionSync(() => {
          this.#executor.commit();
          const sealedAtMs = Number(nowMs);
          for (const b of step.blocks)
            this.#stepSql.insertBlock({
              height: Number(b.block.header.height),
              encoded: b.encoded,
              stateRoot: b.stateRoot,
              txCount: b.block.txs.length,
              sealedAtMs,
            });
          this.#stepSql.insertReceipts(
            signed.map((s, k) => {
              const f = fresh[step.included[k]!.inputIndex]!;
              return {
                txHash: hashes[f.r]![f.i]!,
                height: Number(s.receipt.height),
                index: s.receipt.index,
                signed: encoded[k]!,
                idempotencyKey: f.idempotencyId,
              };
            }),
          );
          const head = this.#executor.head;
          this.#stepSql.updateHead(HEAD_ID, {
            stateRoot: head.root,
            treeVersion: head.treeVersion,
            lastReceiptHash: head.lastReceiptHash,
          });
        });
        if (this.#pendingBlocksKnown !== undefined) this.#pendingBlocksKnown += step.blocks.length;
      } catch (error) {
        this.#executor.abort();
        throw error;
      }
      const views = signed.map((s, k) => receiptView(s, "soft", encodedReceipts[k]));
      step.included.forEach((t, k) => {
        const f = fresh[t.inputIndex]!;
        outcomes[f.r]![f.i] = { index: f.i, status: "included", duplicate: false, receipt: views[k]! };
      });
      for (const rj of step.rejected) {
        const f = fresh[rj.inputIndex]!;
        outcomes[f.r]![f.i] = {
          index: f.i,
          status: "rejected",
          code: rj.status,
          reason: rj.reason,
          txHash: toHex(rj.txHash),
        };
      }
      // The same bytes twice in one step: later copies get the first copy's outcome.
      for (const [r, txs] of requests.entries())
        txs.forEach((_bytes, i) => {
          if (outcomes[r]![i]) return;
          const first = seen.get(hashes[r]![i]!)!;
          const o = outcomes[first.r]![first.i]!;
          outcomes[r]![i] =
            o.status === "included" ? { ...o, index: i, duplicate: true } : { ...o, index: i };
        });
      if (signed.length > 0) {
        this.#broadcast(views);
        await this.#ensureAlarm();
      }
    }
    return outcomes.map((o) => ({ ok: true, results: o as TxOutcome[] }));
  }

  #viewOfRow(row: ReceiptRowRaw): ReceiptView {
    return receiptView(decode(signedLaneReceiptCodec, u8(row.signed)), this.#finalityOf(row.height));
  }

  // ---- reads --------------------------------------------------------------

  receipt(txHashHex: string): ReceiptView | undefined {
    return this.#receiptWhere(eq(schema.receipts.txHash, txHashHex.toLowerCase()));
  }

  /** By sender public key (hex) and idempotency key (hex), both 32 bytes. */
  byIdempotencyKey(senderHex: string, keyHex: string): ReceiptView | undefined {
    return this.#receiptWhere(eq(schema.receipts.idempotencyKey, `${senderHex}${keyHex}`.toLowerCase()));
  }

  #receiptWhere(where: ReturnType<typeof eq>): ReceiptView | undefined {
    const row = this.#db.select().from(schema.receipts).where(where).get();
    if (!row) return undefined;
    return receiptView(decode(signedLaneReceiptCodec, u8(row.signed)), this.#finalityOf(row.height));
  }

  #finalityOf(height: number): FinalityStatus {
    const status = this.#stepSql.checkpointStatusOfHeight(height);
    return status === "settled" || status === "final"
      ? status
      : status === "posted"
        ? "checkpointed"
        : "soft";
  }

  account(addressHex: string): ProvenRead<{ nonce: string; balance: string }> {
    const owner = fromHex(addressHex);
    return this.#prove([keys.account(owner), keys.balance(owner, NATIVE_ASSET)], ([acc, bal]) => ({
      nonce: (acc ? decode(accountCodec, acc).nonce : 0n).toString(),
      balance: (bal ? decode(balanceCodec, bal).amount : 0n).toString(),
    }));
  }

  tokenBalance(addressHex: string, tokenIdHex: string): ProvenRead<{ balance: string; token: unknown }> {
    const owner = fromHex(addressHex);
    const tokenId = fromHex(tokenIdHex);
    return this.#prove([keys.token(tokenId), keys.balance(owner, tokenId)], ([tok, bal]) => ({
      token: tok ? jsonReady(decode(tokenCodec, tok)) : null,
      balance: (bal ? decode(balanceCodec, bal).amount : 0n).toString(),
    }));
  }

  item(itemIdHex: string): ProvenRead<unknown> {
    return this.#prove([keys.item(fromHex(itemIdHex))], ([it]) =>
      it ? jsonReady(decode(itemCodec, it)) : null,
    );
  }

  #prove<T>(stateKeys: Uint8Array[], read: (values: (Uint8Array | undefined)[]) => T): ProvenRead<T> {
    const tree = this.#executor.tree;
    const stateRoot = this.#executor.head.root;
    const values = stateKeys.map((k) => tree.getAt(stateRoot, k));
    return {
      stateRoot: toHex(stateRoot),
      height: this.#executor.lane.height.toString(),
      value: read(values),
      proof: toHex(encodeSmtMultiproof(tree.proveMany(stateKeys, stateRoot))),
      entries: stateKeys.map((k, i) => ({ key: toHex(k), value: values[i] ? toHex(values[i]!) : null })),
    };
  }

  blocks(fromHeight: number, limit: number) {
    return this.#db
      .select()
      .from(schema.blocks)
      .where(gte(schema.blocks.height, fromHeight))
      .orderBy(asc(schema.blocks.height))
      .limit(Math.min(Math.max(limit, 1), 100))
      .all()
      .map((b) => ({
        height: b.height,
        stateRoot: toHex(u8(b.stateRoot)),
        txCount: b.txCount,
        sealedAtMs: b.sealedAtMs,
        checkpointIndex: b.checkpointIndex,
        encoded: toHex(u8(b.encoded)),
      }));
  }

  status() {
    const lane = this.#executor.lane;
    const head = this.#executor.head;
    const cp = this.#db.select().from(schema.head).where(eq(schema.head.id, HEAD_ID)).get()!;
    return {
      chainId: lane.chainId,
      lane: lane.lane,
      height: lane.height.toString(),
      stateRoot: toHex(head.root),
      lastReceiptHash: toHex(head.lastReceiptHash),
      sequencer: toHex(this.#signer.publicKey),
      baseFeePerGas: lane.baseFeePerGas.toString(),
      pendingBlocks: this.#pendingBlocks(),
      pendingBlocksMax: this.#config.pendingBlocksMax,
      checkpointAgeMsMax: this.#config.checkpointAgeMsMax,
      nextCheckpointIndex: cp.nextCheckpointIndex,
      checkpointedRoot: toHex(u8(cp.checkpointedRoot)),
      settlementVerification: settlementVerificationView(
        posterConfig(this.env, this.#config.lane).verification,
      ),
    };
  }

  /**
   * Blocks no checkpoint holds yet, asked at every step: kept in memory
   * (a statement costs more than the step's other work for one transaction,
   * profiled) and read from SQLite again after anything but a step changed
   * the blocks or checkpoints (#forgetPendingBlocks).
   */
  #pendingBlocks(): number {
    this.#pendingBlocksKnown ??= this.#stepSql.pendingBlocks();
    return this.#pendingBlocksKnown;
  }
  #forgetPendingBlocks(): void {
    this.#pendingBlocksKnown = undefined;
  }

  // ---- checkpoints (alarm) ------------------------------------------------

  async #ensureAlarm(): Promise<void> {
    // Known armed: no storage round trip on the submit path. The flag starts false in every new
    // instance and alarm() clears it, so after an eviction or a run the storage is asked again.
    if (this.#alarmArmed) return;
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + this.#config.checkpointAgeMsMax);
    this.#alarmArmed = true;
  }

  /** Builds every checkpoint that is due; safe to run twice (takes only blocks no checkpoint holds). */
  override async alarm(): Promise<void> {
    // The runtime has consumed the alarm that woke us: until the end below sets the next, none is armed.
    this.#alarmArmed = false;
    await this.#pollInbox();
    for (;;) {
      const pending = this.#db
        .select()
        .from(schema.blocks)
        .where(isNull(schema.blocks.checkpointIndex))
        .orderBy(asc(schema.blocks.height))
        .limit(4096)
        .all();
      const take = blocksForNextCheckpoint(
        pending.map((b) => ({ bytes: b.encoded.byteLength, sealedAtMs: b.sealedAtMs })),
        this.#laneNowMs(),
        { ageMsMax: this.#forceCheckpoint ? 0 : this.#config.checkpointAgeMsMax, bytesTarget: 96 * 1024 },
      );
      if (take === 0) break;
      const chosen = pending.slice(0, take);
      const head = this.#db.select().from(schema.head).where(eq(schema.head.id, HEAD_ID)).get()!;
      const last = chosen[chosen.length - 1]!;
      const newRoot = u8(last.stateRoot);
      const checkpoint = await buildCheckpoint({
        chainId: this.#config.chainId,
        lane: this.#config.lane,
        index: BigInt(head.nextCheckpointIndex),
        prevRoot: u8(head.checkpointedRoot),
        newRoot,
        withdrawalCount: this.#withdrawalCountAt(newRoot),
        depositCursor: this.#inbox.cursorAt("deposit", last.height),
        forcedCursor: this.#inbox.cursorAt("forced", last.height),
        encodedBlocks: chosen.map((b) => u8(b.encoded)),
        signer: this.#signer,
      });
      this.ctx.storage.transactionSync(() => {
        // Re-check under the transaction: a concurrent alarm run may have taken these blocks.
        const still = this.#db
          .select()
          .from(schema.blocks)
          .where(eq(schema.blocks.height, chosen[0]!.height))
          .get();
        if (!still || still.checkpointIndex !== null) return;
        const index = head.nextCheckpointIndex;
        this.#db
          .insert(schema.checkpoints)
          .values({
            index,
            firstHeight: chosen[0]!.height,
            lastHeight: last.height,
            payload: buf(encode(settlementPayloadCodec, { type: "postCheckpoint", ...checkpoint })),
            status: "built",
            attempts: 0,
            nextAttemptMs: Date.now(),
          })
          .run();
        for (const b of chosen)
          this.#db
            .update(schema.blocks)
            .set({ checkpointIndex: index })
            .where(eq(schema.blocks.height, b.height))
            .run();
        this.#db
          .update(schema.head)
          .set({ nextCheckpointIndex: index + 1, checkpointedRoot: buf(newRoot) })
          .where(eq(schema.head.id, HEAD_ID))
          .run();
      });
      this.#forgetPendingBlocks();
    }
    // Post built checkpoints and follow them up the finality ladder (poster.ts); it says when to come back.
    const poster = new CheckpointPoster({
      db: this.#db,
      sql: this.ctx.storage.sql,
      config: posterConfig(this.env, this.#config.lane),
      fetch: (input, init) => fetch(input, init),
    });
    const { nextWakeMs } = await poster.run(Date.now());
    const wakes = [nextWakeMs ?? Number.POSITIVE_INFINITY];
    if (this.#inboxPollMs() > 0) wakes.push(Date.now() + this.#inboxPollMs());
    if (this.#pendingBlocks() > 0) wakes.push(Date.now() + this.#config.checkpointAgeMsMax);
    const wakeMs = Math.min(...wakes);
    if (Number.isFinite(wakeMs)) {
      await this.ctx.storage.setAlarm(wakeMs);
      this.#alarmArmed = true;
    }
  }

  // ---- settlement's inbox: deposits and forced transactions (deposits.ts) --

  #inboxPollMs(): number {
    return posterConfig(this.env, this.#config.lane).urls.length > 0 ? inboxPollMs(this.env) : 0;
  }

  /** Polls settlement for new inbox items and, if any wait, runs a step that includes them. */
  async #pollInbox(): Promise<void> {
    if (this.#inboxPollMs() === 0) return;
    try {
      await pollInbox({
        lane: this.#config.lane,
        urls: posterConfig(this.env, this.#config.lane).urls,
        fetch: (input, init) => fetch(input, init),
        store: this.#inbox,
      });
    } catch (error) {
      console.warn(
        JSON.stringify({ msg: "inbox: poll failed", lane: this.#config.lane, error: String(error) }),
      );
    }
    this.#inboxPending = true;
    // Through the pump, so the inbox step never interleaves with a submit step.
    await this.submit([]);
  }

  /** Never throws: a failed inbox step is retried at the next pump or alarm. */
  async #applyInbox(): Promise<void> {
    this.#inboxPending = false;
    try {
      const r = await applyInboxStep({
        executor: this.#executor,
        store: this.#inbox,
        db: this.#db,
        storage: this.ctx.storage,
        headId: HEAD_ID,
        nowMs: BigInt(Date.now()),
      });
      this.#forgetPendingBlocks(); // it may have sealed a block
      if (r) {
        this.#broadcast(r.forced.map((s) => receiptView(s, "soft")));
        await this.#ensureAlarm();
      }
    } catch (error) {
      this.#inboxPending = true;
      this.#forgetPendingBlocks();
      console.warn(
        JSON.stringify({ msg: "inbox: step failed", lane: this.#config.lane, error: String(error) }),
      );
    }
  }

  /** The leaf and proof a withdrawal claim needs (withdrawal-proof.ts); undefined if no such withdrawal. */
  withdrawalProof(id: string): WithdrawalProofView | undefined {
    return withdrawalProof(this.#executor, this.#db, BigInt(id));
  }

  #withdrawalCountAt(root: Uint8Array): bigint {
    return withdrawalCountOf(this.#executor.tree.getAt(root, keys.lane()));
  }

  /** Encoded postCheckpoint payloads, oldest first (what a relayer posts to settlement). */
  checkpoints(fromIndex: number, limit: number) {
    return this.#db
      .select()
      .from(schema.checkpoints)
      .where(gte(schema.checkpoints.index, fromIndex))
      .orderBy(asc(schema.checkpoints.index))
      .limit(Math.min(Math.max(limit, 1), 20))
      .all()
      .map((c) => ({
        index: c.index,
        firstHeight: c.firstHeight,
        lastHeight: c.lastHeight,
        status: c.status,
        payload: toHex(u8(c.payload)),
      }));
  }

  // ---- time controls (routes/dev-controls.ts; only with BITLAYER_DEV = "1") ----

  /** Added to the wall clock for block timestamps and checkpoint age; in memory (an evicted object restarts at 0: block times stay monotonic, the STF clamps them). */
  #clockOffsetMs = 0;
  /** While set, the alarm checkpoints every pending block regardless of age. */
  #forceCheckpoint = false;

  /** The lane's clock: wall time plus the dev offset. Alarms are still scheduled in wall time. */
  #laneNowMs(): number {
    return Date.now() + this.#clockOffsetMs;
  }

  /** Moves the lane's clock forward by `ms`, then runs the alarm (checkpoints that came due are built and posted). */
  async devAdvanceClock(ms: number): Promise<DevLaneState> {
    this.#requireDev();
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new Error(`advance by a whole number of ms ≥ 0, got ${ms}`);
    this.#clockOffsetMs += ms;
    await this.alarm();
    return this.#devState();
  }

  /** Runs the alarm now, with every unfinished checkpoint due (posts, and polls settlement's status at once). */
  async devRunAlarm(): Promise<DevLaneState> {
    this.#requireDev();
    this.#db
      .update(schema.checkpoints)
      .set({ nextAttemptMs: Date.now() })
      .where(ne(schema.checkpoints.status, "final"))
      .run();
    await this.alarm();
    return this.#devState();
  }

  /** Builds a checkpoint of every pending block now (whatever their age) and posts it. */
  async devForceCheckpoint(): Promise<DevLaneState> {
    this.#requireDev();
    this.#forceCheckpoint = true;
    try {
      await this.devRunAlarm();
    } finally {
      this.#forceCheckpoint = false;
    }
    return this.#devState();
  }

  /**
   * Every step already seals the blocks it fills (there is no open block to
   * close), so sealing is the lane's head: after any acknowledged submit, its
   * transactions are in a sealed block.
   */
  devSeal(): DevLaneState {
    this.#requireDev();
    return this.#devState();
  }

  #devState(): DevLaneState {
    const last = this.#db
      .select({ index: schema.checkpoints.index, status: schema.checkpoints.status })
      .from(schema.checkpoints)
      .orderBy(desc(schema.checkpoints.index))
      .limit(1)
      .get();
    return {
      lane: this.#config.lane,
      clockOffsetMs: this.#clockOffsetMs,
      laneTimeMs: this.#laneNowMs(),
      height: this.#executor.lane.height.toString(),
      pendingBlocks: this.#pendingBlocks(),
      lastCheckpoint: last ? { index: last.index, status: last.status } : null,
    };
  }

  // ---- bench baselines (routes/dev-bench.ts; only with BITLAYER_DEV = "1") ----

  #benchWrites = 0;

  /** Does nothing: the round trip of one call to this object. */
  benchPing(): null {
    this.#requireDev();
    return null;
  }

  /** One durable SQL row write per call: the no-group-commit baseline. */
  benchWrite(): number {
    this.#requireDev();
    return benchWrite(this.ctx.storage.sql, this.#benchWrites++);
  }

  /**
   * Dev only: adds `count` funded synthetic accounts (bulk-accounts.ts) to the
   * lane's tree as if its genesis had allocated them, then reopens the lane
   * on the new root. Call on an idle lane (the bench does, before any load).
   */
  benchAddAccounts(from: number, count: number): { stateRoot: string; treeVersion: number } {
    this.#requireDev();
    const head = addSyntheticAccounts(this.#nodeCache, this.#executor.head, {
      from,
      count,
      amount: 1_000_000n,
      transaction: (fn) => this.ctx.storage.transactionSync(fn),
    });
    this.ctx.storage.sql.exec(
      "UPDATE head SET state_root = ?, tree_version = ?, checkpointed_root = ? WHERE id = ?",
      head.root.slice().buffer,
      head.treeVersion,
      head.root.slice().buffer,
      HEAD_ID,
    );
    this.#open();
    return { stateRoot: toHex(head.root), treeVersion: head.treeVersion };
  }

  /** The state tree's node cache: records held (never above the bound) and hit/miss counts. */
  nodeCacheStats(): { records: number; recordsMax: number; hits: number; misses: number } {
    const c = this.#nodeCache;
    return { records: c.size, recordsMax: this.#config.nodeCacheRecords, hits: c.hits, misses: c.misses };
  }

  #requireDev(): void {
    if (this.env.BITLAYER_DEV !== "1")
      throw new Error('Bench methods need BITLAYER_DEV = "1" (wrangler dev --var BITLAYER_DEV:1).');
  }

  // ---- receipt feed (hibernatable WebSockets) ---------------------------

  override async fetch(request: Request): Promise<Response> {
    return acceptFeed(this.ctx, request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    feedMessage(ws, message, {
      receiptsFrom: (fromHeight, max) => this.#receiptsFrom(fromHeight, max),
      height: () => Number(this.#executor.lane.height),
    });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeFeed(ws, code, reason);
  }

  #broadcast(views: ReceiptView[]): void {
    broadcastReceipts(this.ctx, views);
  }

  /** Stored receipts from a height on, in chain order (the feed's replay). */
  #receiptsFrom(fromHeight: number, max: number): ReceiptView[] {
    return this.#db
      .select()
      .from(schema.receipts)
      .where(gte(schema.receipts.height, fromHeight))
      .orderBy(asc(schema.receipts.height), asc(schema.receipts.index))
      .limit(max)
      .all()
      .map((row) =>
        receiptView(decode(signedLaneReceiptCodec, u8(row.signed)), this.#finalityOf(row.height)),
      );
  }
}

function receiptView(s: SignedLaneReceipt, finality: FinalityStatus, encoded?: Uint8Array): ReceiptView {
  const r = s.receipt;
  return {
    receipt: {
      chainId: r.chainId,
      lane: r.lane,
      height: r.height.toString(),
      index: r.index,
      txHash: toHex(r.txHash),
      prevReceiptHash: toHex(r.prevReceiptHash),
      stateRoot: toHex(r.stateRoot),
      status: r.status,
    },
    signature: toHex(s.signature),
    encoded: toHex(encoded ?? encode(signedLaneReceiptCodec, s)),
    finality,
  };
}

/** sender ‖ idempotency key as hex, or null when the transaction has none (or did not decode). */
function idempotencyIdOf(tx: SignedTx | null | undefined): string | null {
  const body = tx?.body;
  return body?.idempotencyKey ? toHex(body.sender) + toHex(body.idempotencyKey) : null;
}

function jsonReady(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(jsonReady);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonReady(v)]));
  return value;
}

function buf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u8(b: ArrayBuffer | Uint8Array | Buffer): Uint8Array {
  return b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
}
