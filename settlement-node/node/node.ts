/**
 * The validator process: the I/O shell around the pure consensus core
 * (STYLE.md item 10). One serial loop: an input arrives (peer message,
 * timeout, the application's value, a synced block), is appended to the WAL,
 * goes through `step`, and the outputs are performed. Before any of our own
 * signed messages leaves, the WAL is fsynced and the sign guard records the
 * (height, round, step) signed, so a crash can never make us sign a
 * conflicting vote. Committed blocks go to the block store (fsync) and then
 * the ledger, mempool and database index follow.
 *
 * On start: the block store is replayed into the ledger, the core starts the
 * next height, and the WAL of that height is replayed through `step` (its
 * outputs are not sent again: peers get our messages from gossip).
 */
import { createHash } from "node:crypto";
import { toHex } from "../../shared/bytes.ts";
import { CodecError } from "../../shared/codec/index.ts";
import { addressFromPublicKey, verifyMany, verifySignature } from "../../shared/crypto/index.ts";
import { RecentTxs } from "../api/recent-txs.ts";
import type { LoadedConfig } from "../config/config.ts";
import {
  type CommitCertificate,
  type ConsensusConfig,
  type ConsensusMessage,
  type ConsensusOutput,
  type ConsensusState,
  decodeConsensusMessage,
  encodeConsensusMessage,
  encodeEvidence,
  gossipMessages,
  initialState,
  proposalSignBytes,
  type Signer,
  step,
  valueIdOf,
  voteSignBytes,
} from "../consensus/index.ts";
import { type MessageSigner, nodeSigner } from "../crypto/node-signer.ts";
import { encodeSettlementTx, type LedgerReceipt, settlementTxSignBytes } from "../ledger/index.ts";
import { Mempool } from "../mempool/mempool.ts";
import { PeerNetwork } from "../p2p/network.ts";
import {
  decodeWire,
  encodeWire,
  SYNC_BLOCKS_PER_RESPONSE_MAX,
  TXS_PER_FRAME_MAX,
  type WireMessage,
} from "../p2p/wire.ts";
import {
  acquireDataDirLock,
  BlockStore,
  type DataDirLock,
  openWal,
  type SignedState,
  SignGuard,
  SignStep,
  type WriteAheadLog,
} from "../storage/index.ts";
import { decodeCertificate, encodeBlock, encodeCertificate } from "./block.ts";
import { type CommittedSettlementBlock, SettlementChain, verifyCertificate } from "./chain.ts";
import { NodeFatalError } from "./errors.ts";
import { PhaseLog } from "./phases.ts";
import { VerifiedSignatures } from "./verified-signatures.ts";
import { VoteAudit } from "./vote-audit.ts";
import {
  decodeWalRecord,
  encodeWalInput,
  encodeWalSigned,
  inputHeight,
  type LoggedInput,
} from "./wal-input.ts";

export type NodeLogger = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
};

/** Messages for the next height kept until it starts (then verified against its validator set). */
export const NEXT_HEIGHT_MESSAGES_MAX = 2048;
/** A WAL segment holds the inputs of up to this many heights (rollWal). */
export const WAL_SEGMENT_HEIGHTS_MAX = 64n;
/** ... or up to this many bytes (a new segment starts at the next height beyond it). */
export const WAL_SEGMENT_BYTES_MAX = 16 * 1024 * 1024;
/** Receipts kept in memory for the API, most recent heights. */
export const RECEIPT_HEIGHTS_KEPT = 1000;

export type CommitListener = (committed: CommittedSettlementBlock, certificate: CommitCertificate) => void;

const sha256Hex = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

export class SettlementNode {
  readonly loaded: LoadedConfig;
  readonly chain: SettlementChain;
  readonly mempool: Mempool;
  readonly network: PeerNetwork;
  readonly audit = new VoteAudit();
  /** Peers' precommits that verified: the next block's lastCommit carries them (checkProposal). */
  private readonly verifiedVotes = new VerifiedSignatures();
  /** Per-height phase timings (observation only: GET /v1/node/phases, the committed-block log line). */
  readonly phases = new PhaseLog();
  private readonly logger: NodeLogger;
  /** Our validator key's Ed25519 signatures (node:crypto; the same bytes as shared/crypto's sign). */
  private readonly signWithKey: MessageSigner;
  private readonly lock: DataDirLock;
  private readonly guard: SignGuard;
  readonly blocks: BlockStore;
  private wal!: WriteAheadLog;
  private core: ConsensusState = initialState();
  private readonly coreConfig: ConsensusConfig;
  private loop: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextHeight = new Map<string, { peer: string; message: ConsensusMessage }>();
  private seen = new Set<string>();
  private readonly peerHeights = new Map<string, bigint>();
  private syncRequestedAtMs = 0;
  private heightStartedAtMs = Date.now();
  private replaying = false;
  private closed = false;
  private gossipTimer: NodeJS.Timeout | null = null;
  /**
   * Pending while a committed height waits out the block interval before
   * starting the next one (the pace of empty blocks). A transaction that can
   * go into a block, or a proposal for the next height, ends the wait at once.
   */
  private idle: { height: bigint; timer: NodeJS.Timeout } | null = null;
  private txOutbox: Uint8Array[] = [];
  /** Recent blocks' receipts and where their transactions landed, for the API (waiting requests are answered at commit). */
  readonly recentTxs = new RecentTxs(RECEIPT_HEIGHTS_KEPT);
  private readonly commitListeners: CommitListener[] = [];
  countEvidence = 0;
  private readonly evidenceReported = new Set<string>();
  private nonceNextReport = 0n;
  countRounds = 0;

  private constructor(loaded: LoadedConfig, logger: NodeLogger) {
    this.loaded = loaded;
    this.logger = logger;
    const { config, dataDir, genesis, keyPair } = loaded;
    this.signWithKey = nodeSigner(keyPair.secretKey);
    this.lock = acquireDataDirLock(dataDir);
    this.guard = SignGuard.open(dataDir);
    this.blocks = BlockStore.open({ dir: `${dataDir}/blocks`, logger });
    this.chain = new SettlementChain(genesis);
    const signer: Signer = {
      publicKey: keyPair.publicKey,
      sign: this.signWithKey,
    };
    this.coreConfig = { chainId: genesis.chainId, signer, ...config.consensus };
    this.mempool = new Mempool({
      chainId: genesis.chainId,
      txsMax: config.mempool.txsMax,
      bytesMax: config.mempool.bytesMax,
      nonceOf: (address) => this.chain.account(address).nonce,
      feeMin: () => genesis.params.txFeeMin,
      verify: verifySignature,
      signBytesOf: (tx) => settlementTxSignBytes(genesis.chainId, tx.body),
    });
    this.network = new PeerNetwork({
      chainId: genesis.chainId,
      keyPair,
      listenHost: config.p2p.host,
      listenPort: config.p2p.port,
      peers: config.peers.map((p) => ({
        publicKey: Uint8Array.from(Buffer.from(p.publicKey, "hex")),
        host: p.host,
        port: p.port,
      })),
      logger,
      onFrame: (peer, frame) => this.onFrame(peer, frame),
      onPeerUp: (peer) => this.sendStatus(peer),
    });
  }

  /** Opens storage, rebuilds the ledger and the core, replays the WAL, then joins the network. */
  static async start(
    loaded: LoadedConfig,
    logger: NodeLogger,
    options: { onCommit?: CommitListener } = {},
  ): Promise<SettlementNode> {
    const node = new SettlementNode(loaded, logger);
    if (options.onCommit) node.onCommit(options.onCommit);
    try {
      await node.recover();
      await node.network.start();
      node.gossipTimer = setInterval(() => node.gossip(), loaded.config.consensus.gossipIntervalMs);
    } catch (e) {
      await node.close();
      throw e;
    }
    return node;
  }

  onCommit(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  get publicKey(): Uint8Array {
    return this.loaded.keyPair.publicKey;
  }

  get height(): bigint {
    return this.chain.height;
  }

  get consensusRound(): number {
    return this.core.round;
  }

  get catchingUp(): boolean {
    let max = 0n;
    for (const h of this.peerHeights.values()) if (h > max) max = h;
    return max > this.chain.height + 1n;
  }

  receiptsAt(height: bigint): readonly LedgerReceipt[] | undefined {
    return this.recentTxs.receiptsAt(height);
  }

  /** Submits a transaction: mempool checks, then gossip to every peer. */
  async submitTx(txBytes: Uint8Array): Promise<Awaited<ReturnType<Mempool["add"]>>> {
    const result = await this.mempool.add(txBytes);
    if (result.accepted) {
      this.gossipTx(txBytes);
      // The submitter's answer leaves first and the height starts on the next turn of the loop:
      // the peers have the transaction already, and one of them proposes three heights in four.
      setImmediate(() => this.wake());
    }
    return result;
  }

  /**
   * Queues a transaction for the peers: those accepted in the same turn of
   * the event loop leave in one frame (an HTTP burst costs one frame per peer,
   * not one per transaction). While the chain is idle the transaction leaves
   * at once: it starts the next height, so the proposer should have it now.
   */
  private gossipTx(txBytes: Uint8Array): void {
    this.txOutbox.push(txBytes);
    if (this.idle !== null || this.txOutbox.length >= TXS_PER_FRAME_MAX) this.flushTxs();
    else if (this.txOutbox.length === 1) setImmediate(() => this.flushTxs());
  }

  private flushTxs(): void {
    if (this.txOutbox.length === 0 || this.closed) return;
    const txs = this.txOutbox;
    this.txOutbox = [];
    this.network.broadcast(encodeWire({ type: "txs", txs }));
  }

  /**
   * Ends the idle wait between heights: a block can be proposed now. Only
   * liveness depends on it (when heights start), never safety.
   */
  private wake(): void {
    const idle = this.idle;
    if (!idle) return;
    this.phases.noteWake();
    clearTimeout(idle.timer);
    this.timers.delete(idle.timer);
    this.idle = null;
    void this.enqueue(() => this.startNextHeightIfCommitted(idle.height));
  }

  // ---- recovery -------------------------------------------------------------------------------

  private async recover(): Promise<void> {
    let last: { value: Uint8Array; certificate: CommitCertificate } | null = null;
    for (const stored of this.blocks.range(0n, 1n << 63n)) {
      const committed = await this.chain.commit(stored.block);
      this.keepReceipts(committed);
      last = { value: stored.block, certificate: decodeCertificate(stored.certificate) };
      for (const l of this.commitListeners) l(committed, last.certificate);
    }
    const heightCommitted = this.chain.height;
    if (last) {
      const valueId = valueIdOf(last.value);
      Object.assign(this.core, {
        height: Number(heightCommitted),
        step: "commit",
        validatorSet: this.chain.consensusSet,
        decision: {
          round: last.certificate.round,
          value: { value: last.value, valueId, key: toHex(valueId), extension: new Uint8Array(0) },
          certificate: last.certificate,
        },
      } satisfies Partial<ConsensusState>);
    }
    const { wal, records } = openWal({
      dir: `${this.loaded.dataDir}/wal`,
      heightInitial: heightCommitted + 1n,
      logger: this.logger,
    });
    this.wal = wal;
    // The sign guard's own file may be behind states fsynced in the WAL (perform): take the latest.
    // A segment holds several heights (rollWal): the inputs of the current height are replayed.
    const replay: LoggedInput[] = [];
    for (const r of records) {
      const decoded = decodeWalRecord(r.payload);
      if (decoded.type === "signed") this.guard.observe(decoded.state);
      else if (BigInt(inputHeight(decoded.input)) === heightCommitted + 1n) replay.push(decoded.input);
    }
    this.logger.info(
      { heightCommitted: String(heightCommitted), walRecords: replay.length },
      "node: recovered block store; replaying the WAL of the current height",
    );
    this.replaying = true;
    const timeouts: Extract<ConsensusOutput, { type: "scheduleTimeout" }>[] = [];
    this.replayTimeouts = timeouts;
    try {
      // With no WAL for the next height nothing was signed for it: it may wait for the interval below.
      if (replay.length > 0 || heightCommitted === 0n) await this.startNextHeight();
      for (const input of replay) {
        if (this.core.step === "commit") break;
        await this.feed(input);
      }
    } finally {
      this.replaying = false;
      this.replayTimeouts = null;
    }
    this.checkGuardAgainstReplay();
    if (this.core.step === "commit") {
      // A restart does not add an empty block before the interval since the last one has passed.
      await this.nextHeightAfterCommit(this.chain.height, Number(this.chain.timeMs));
    } else {
      for (const t of timeouts) if (t.height === this.core.height) this.arm(t);
      if (this.core.awaitingValue === this.core.round && this.core.step === "propose")
        await this.answerGetValue(this.core.height, this.core.round);
    }
  }

  private replayTimeouts: Extract<ConsensusOutput, { type: "scheduleTimeout" }>[] | null = null;

  /** The last of our messages rebuilt by replay must be what the guard says we signed (or newer). */
  private checkGuardAgainstReplay(): void {
    const own = this.core.ownMessages;
    const lastOwn = own[own.length - 1];
    if (!lastOwn) return;
    this.recordSigned(lastOwn);
  }

  // ---- the loop --------------------------------------------------------------------------------

  /** Runs `task` after every task queued before it: the one serial section that touches the core. */
  private enqueue(task: () => Promise<void> | void): Promise<void> {
    const run = this.loop.then(async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (e) {
        this.fatal(e);
      }
    });
    this.loop = run;
    return run;
  }

  private fatal(e: unknown): void {
    this.logger.error(
      { err: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e) },
      "node: fatal error, exiting",
    );
    void this.close().finally(() => process.exit(70));
  }

  /** WAL append, step, perform: the shell's one loop body. */
  private async feed(input: LoggedInput): Promise<void> {
    if (!this.replaying) this.wal.append(encodeWalInput(input));
    if (input.type === "proposal" && input.signed.proposal.height === this.core.height)
      this.phases.mark("proposalMs");
    else if (input.type === "proposeValue") {
      this.phases.mark("proposalMs");
      this.phases.proposedByUs();
    }
    const roundBefore = this.core.round;
    const { outputs } = step(this.coreConfig, this.core, input);
    if (this.core.round !== roundBefore) this.countRounds++;
    await this.perform(outputs);
  }

  private async perform(outputs: ConsensusOutput[]): Promise<void> {
    const own = outputs.flatMap((o) => (o.type === "broadcast" ? [o.message] : []));
    if (own.length > 0 && !this.replaying) {
      // The sign guard's state goes into the WAL and is made durable by the same fsync as the
      // inputs that led to it (one fsync per signature; the guard's file catches up in rollWal).
      const signed = this.signedStateOf(own[own.length - 1]!);
      const fresh =
        signed !== null && !this.guard.check(signed.height, signed.round, signed.step, signed.signBytesHash);
      if (fresh) this.wal.append(encodeWalSigned(signed));
      const t0 = performance.now();
      this.wal.sync();
      this.phases.walSynced(performance.now() - t0);
      if (fresh) this.guard.noteDurable(signed);
      for (const m of own) {
        if (m.type === "vote")
          this.phases.mark(m.signed.vote.type === "prevote" ? "prevoteMs" : "precommitMs");
        this.auditOwn(m);
        this.network.broadcast(encodeWire({ type: "consensus", message: encodeConsensusMessage(m) }));
      }
    }
    for (const o of outputs) {
      switch (o.type) {
        case "scheduleTimeout":
          if (this.replayTimeouts) this.replayTimeouts.push(o);
          else this.arm(o);
          break;
        case "getValue":
          // During replay the answer, if one was given before the crash, is in the WAL: never make a new one.
          if (!this.replaying) await this.answerGetValue(o.height, o.round);
          break;
        case "decide":
          this.phases.mark("decidedMs");
          await this.finalize(o.value, o.certificate);
          break;
        case "evidence":
          this.countEvidence++;
          this.logger.warn(
            { height: o.evidence.voteA.vote.height, validatorIndex: o.evidence.voteA.vote.validatorIndex },
            "consensus: duplicate-vote evidence",
          );
          if (!this.replaying) {
            const evidence = encodeEvidence(o.evidence);
            this.network.broadcast(encodeWire({ type: "evidence", evidence }));
            await this.reportEvidence(evidence);
          }
          break;
        case "broadcast":
          break;
      }
    }
  }

  /**
   * Puts double-sign evidence our core found on chain: a reportDoubleSign
   * transaction from this validator's own account (funded at genesis by
   * init), once per offender and height.
   */
  private async reportEvidence(evidence: Uint8Array): Promise<void> {
    const claim = this.chain.checkEvidence(evidence);
    if (!claim) return;
    const id = `${claim.height}/${toHex(claim.validatorPublicKey)}`;
    if (this.evidenceReported.has(id) || !(await verifyMany(claim.items)).every((ok) => ok)) return;
    this.evidenceReported.add(id);
    const nonceCommitted = this.chain.account(this.address).nonce;
    if (this.nonceNextReport < nonceCommitted) this.nonceNextReport = nonceCommitted;
    const body = {
      sender: this.publicKey,
      nonce: this.nonceNextReport++,
      fee: this.chain.genesis.params.txFeeMin,
      payload: { type: "reportDoubleSign" as const, evidence },
    };
    const signature = this.signWithKey(settlementTxSignBytes(this.chain.chainId, body));
    const result = await this.submitTx(encodeSettlementTx({ body, signature }));
    this.logger.warn(
      {
        offender: toHex(claim.validatorPublicKey).slice(0, 16),
        height: String(claim.height),
        accepted: result.accepted,
      },
      "consensus: reporting double-sign evidence on chain",
    );
  }

  /** What the sign guard records for our message `m` (null for a message that is not signed by us). */
  private signedStateOf(m: ConsensusMessage): SignedState | null {
    if (m.type === "proposal") {
      const p = m.signed.proposal;
      return {
        height: BigInt(p.height),
        round: p.round,
        step: SignStep.propose,
        signBytesHash: sha256(proposalSignBytes(this.chain.chainId, p)),
      };
    }
    if (m.type === "vote") {
      const v = m.signed.vote;
      return {
        height: BigInt(v.height),
        round: v.round,
        step: SignStep[v.type],
        signBytesHash: sha256(voteSignBytes(this.chain.chainId, v)),
      };
    }
    return null;
  }

  /** Makes the signature of `m` durable in the sign guard's file; refuses (fatal) if it would conflict. */
  private recordSigned(m: ConsensusMessage): void {
    const s = this.signedStateOf(m);
    if (s) this.guard.recordBeforeSigning(s.height, s.round, s.step, s.signBytesHash);
  }

  private arm(o: Extract<ConsensusOutput, { type: "scheduleTimeout" }>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.enqueue(async () => {
        if (o.height === this.core.height && o.round === this.core.round && this.core.step !== "commit")
          await this.feed({ type: "timeout", height: o.height, round: o.round, step: o.step });
      });
    }, o.durationMs);
    this.timers.add(timer);
  }

  private async answerGetValue(height: number, round: number): Promise<void> {
    const txs = this.mempool.take(this.loaded.config.block.txsMax, this.loaded.config.block.bytesMax);
    const nowMs = BigInt(Date.now());
    const value = encodeBlock({
      height: BigInt(height),
      timeMs: nowMs > this.chain.timeMs ? nowMs : this.chain.timeMs,
      proposer: this.publicKey,
      appHashPrev: this.chain.appHash,
      lastCommit: this.core.lastCommit?.certificate ?? null,
      txs,
    });
    await this.feed({ type: "proposeValue", height, round, value, extension: new Uint8Array(0) });
  }

  /** A decided block: ledger, block store (fsync), receipts, mempool, listeners; then the next height. */
  private async finalize(value: Uint8Array, certificate: CommitCertificate): Promise<void> {
    const height = this.chain.height + 1n;
    if (this.blocks.latestHeight() !== null && this.blocks.latestHeight()! >= height)
      throw new NodeFatalError(
        `Block ${height} is already stored but the ledger is at ${this.chain.height}.`,
      );
    // The block's fsync runs on the thread pool while the ledger applies it (both on a height's
    // critical path; the block is decided, so storing it first is safe). Nothing is acknowledged
    // before both are done: receipts and waiting clients come after.
    this.blocks.put(height, value, encodeCertificate(certificate), { sync: false });
    const durable = this.blocks.syncInBackground();
    // Awaited below; if the ledger throws first, the node stops on that error instead.
    durable.catch(() => {});
    const committed = await this.chain.commit(value, (_tx, hash) => this.mempool.signaturesVerified(hash));
    this.phases.applied(height, certificate.round, committed.txs.length);
    await durable;
    this.phases.stored(height);
    this.keepReceipts(committed);
    this.mempool.update(
      committed.txs.map((t) => t.hash),
      committed.txs.map((t) => t.tx.body.sender),
    );
    // keepReceipts answered the requests waiting for this block (GET /v1/txs/{hash}?waitMs=): their
    // responses leave now, before the log line, the index projection and the next height's start.
    if (!this.replaying) await new Promise<void>((resolve) => setImmediate(resolve));
    this.logger.info(
      {
        height: String(height),
        round: certificate.round,
        hash: toHex(committed.hash).slice(0, 16),
        txs: committed.txs.length,
        appHash: toHex(this.chain.appHash).slice(0, 16),
        phases: this.phases.of(height),
      },
      "node: committed block",
    );
    for (const l of this.commitListeners) {
      try {
        l(committed, certificate);
      } catch (e) {
        this.logger.warn({ err: String(e) }, "node: commit listener failed");
      }
    }
    if (this.replaying) return;
    await this.nextHeightAfterCommit(height, this.heightStartedAtMs);
  }

  /**
   * Starts the height after `height` now when transactions are waiting (their
   * latency is consensus alone) or the node is catching up; otherwise once
   * the block interval since `sinceMs` has passed (the pace of empty blocks),
   * or earlier if a transaction or the next height's proposal arrives (wake).
   */
  private async nextHeightAfterCommit(height: bigint, sinceMs: number): Promise<void> {
    const waitMs =
      this.catchingUp || this.mempool.hasProposable()
        ? 0
        : sinceMs + this.loaded.config.consensus.blockIntervalMs - Date.now();
    if (waitMs <= 0) await this.startNextHeight();
    else {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.idle?.timer === timer) this.idle = null;
        void this.enqueue(() => this.startNextHeightIfCommitted(height));
      }, waitMs);
      this.timers.add(timer);
      this.idle = { height, timer };
      // The WAL's segment work (seal, create, prune: several fsyncs) happens
      // while idle, not after the next transaction has arrived.
      this.rollWal(height + 1n);
    }
  }

  private async startNextHeightIfCommitted(height: bigint): Promise<void> {
    if (this.core.step === "commit" && BigInt(this.core.height) === height) await this.startNextHeight();
  }

  /**
   * Entering `height`: starts a new WAL segment once the current one holds
   * WAL_SEGMENT_HEIGHTS_MAX heights or WAL_SEGMENT_BYTES_MAX bytes, and then
   * drops the segments below it (every input in them is of a committed
   * height). Not a segment per height: sealing one, creating the next and
   * pruning cost five fsyncs, which every height then paid on its critical
   * path. Replay picks the current height's inputs by their own height.
   */
  private rollWal(height: bigint): void {
    const start = this.wal.heightCurrentSegment;
    if (
      start < height &&
      (height - start >= WAL_SEGMENT_HEIGHTS_MAX || this.wal.sizeCurrentSegment >= WAL_SEGMENT_BYTES_MAX)
    )
      this.wal.startSegment(height);
    if (this.wal.segments.length === 1) return;
    // Segments about to be pruned may hold the guard's latest state: its file catches up first.
    this.guard.flush();
    this.wal.pruneBelow(height);
  }

  private keepReceipts(committed: CommittedSettlementBlock): void {
    this.recentTxs.recordBlock(committed.height, committed.hash, committed.result.receipts);
  }

  /** startHeight(H + 1) from the ledger's validator set; new WAL segment; next-height messages re-enter. */
  private async startNextHeight(): Promise<void> {
    if (this.idle) {
      clearTimeout(this.idle.timer);
      this.timers.delete(this.idle.timer);
      this.idle = null;
    }
    const height = this.chain.height + 1n;
    this.rollWal(height);
    this.heightStartedAtMs = Date.now();
    this.phases.started(height);
    this.seen = new Set();
    this.audit.pruneBelow(Number(height) - 64);
    const { outputs } = step(this.coreConfig, this.core, {
      type: "startHeight",
      height: Number(height),
      validators: this.chain.validatorsNext(),
    });
    await this.perform(outputs);
    const buffered = this.nextHeight;
    this.nextHeight = new Map();
    for (const [id, { peer, message }] of buffered)
      if (await this.onConsensusMessage(peer, message, id)) this.seen.add(id);
  }

  // ---- peers ------------------------------------------------------------------------------------

  private onFrame(peer: string, frame: Uint8Array): void {
    let m: WireMessage;
    try {
      m = decodeWire(frame);
    } catch (e) {
      if (e instanceof CodecError) {
        this.logger.warn({ peer: peer.slice(0, 16), err: e.message }, "p2p: dropping a malformed frame");
        return;
      }
      throw e;
    }
    switch (m.type) {
      case "consensus": {
        const id = sha256Hex(m.message);
        if (this.seen.has(id)) return;
        let message: ConsensusMessage;
        try {
          message = decodeConsensusMessage(m.message);
        } catch {
          return;
        }
        void this.enqueue(async () => {
          if (this.seen.has(id)) return;
          if (await this.onConsensusMessage(peer, message, id)) this.seen.add(id);
        });
        return;
      }
      case "txs":
        for (const tx of m.txs)
          void this.mempool.add(tx).then((r) => {
            if (r.accepted) this.wake();
          });
        return;
      case "evidence":
        this.countEvidence++;
        this.logger.warn({ peer: peer.slice(0, 16) }, "p2p: peer reports duplicate-vote evidence");
        return;
      case "status":
        this.peerHeights.set(peer, m.heightCommitted);
        if (this.isBehind(m.heightCommitted)) this.requestBlocks(peer);
        return;
      case "blocksRequest": {
        const count = BigInt(Math.min(m.count, SYNC_BLOCKS_PER_RESPONSE_MAX));
        const blocks = [...this.blocks.range(m.heightFrom, m.heightFrom + count - 1n)].map((b) => ({
          height: b.height,
          block: b.block,
          certificate: b.certificate,
        }));
        this.network.send(peer, encodeWire({ type: "blocksResponse", blocks }));
        return;
      }
      case "blocksResponse":
        void this.enqueue(() => this.onBlocks(peer, m.blocks));
        return;
    }
  }

  /**
   * Behind by two heights or more, or by one for longer than a round takes:
   * a peer one height ahead is normal in a healthy cluster (it committed a
   * moment before us) and its commit reaches us by gossip.
   */
  private isBehind(heightPeer: bigint): boolean {
    if (heightPeer >= this.chain.height + 2n) return true;
    const c = this.loaded.config.consensus;
    const roundMs = c.timeoutMsPropose + c.timeoutMsPrevote + c.timeoutMsPrecommit;
    return heightPeer > this.chain.height && Date.now() - this.heightStartedAtMs > roundMs;
  }

  /** Asks `peer` for the blocks after ours (one request in flight per interval). */
  private requestBlocks(peer: string): void {
    const nowMs = Date.now();
    if (nowMs - this.syncRequestedAtMs < this.loaded.config.consensus.gossipIntervalMs) return;
    this.syncRequestedAtMs = nowMs;
    this.network.send(
      peer,
      encodeWire({
        type: "blocksRequest",
        heightFrom: this.chain.height + 1n,
        count: SYNC_BLOCKS_PER_RESPONSE_MAX,
      }),
    );
  }

  /** Synced blocks enter the core as commit inputs for its current height, after their certificates verify. */
  private async onBlocks(
    peer: string,
    blocks: { height: bigint; block: Uint8Array; certificate: Uint8Array }[],
  ): Promise<void> {
    for (const b of blocks) {
      if (b.height !== this.chain.height + 1n) continue;
      if (this.core.step === "commit") await this.startNextHeight();
      if (BigInt(this.core.height) !== b.height) return;
      let certificate: CommitCertificate;
      try {
        certificate = decodeCertificate(b.certificate);
      } catch {
        return;
      }
      const validators = this.chain.validatorsAt(b.height)!;
      if (
        !(await verifyCertificate(this.chain.chainId, certificate, validators, valueIdOf(b.block), b.height))
      ) {
        this.logger.warn(
          { peer: peer.slice(0, 16), height: String(b.height) },
          "sync: certificate does not verify",
        );
        return;
      }
      this.logger.info(
        { peer: peer.slice(0, 16), height: String(b.height) },
        "sync: applying a block from a peer",
      );
      await this.feed({ type: "commit", certificate, value: b.block });
    }
    this.syncRequestedAtMs = 0;
    if (this.isBehind(this.peerHeights.get(peer) ?? 0n)) this.requestBlocks(peer);
  }

  /**
   * Verifies a peer's consensus message against the current height's
   * validator set and feeds it to the core. Returns true when it was handled
   * for good (so re-sends can be skipped), false when it may be useful later.
   */
  private async onConsensusMessage(peer: string, m: ConsensusMessage, id: string): Promise<boolean> {
    const height =
      m.type === "proposal"
        ? m.signed.proposal.height
        : m.type === "vote"
          ? m.signed.vote.height
          : m.certificate.height;
    const current = this.core.height;
    if (height > current) {
      if (height === current + 1) {
        if (this.nextHeight.size < NEXT_HEIGHT_MESSAGES_MAX) this.nextHeight.set(id, { peer, message: m });
        // The proposer started the next height (it had transactions, or its interval ran out first).
        if (m.type === "proposal") this.wake();
      } else if (m.type === "commit") this.requestBlocks(peer);
      return false;
    }
    if (height < current || this.core.step === "unstarted" || this.core.step === "commit") return true;
    const set = this.core.validatorSet!;
    if (m.type === "vote") {
      const v = m.signed.vote;
      const validator = set.validators[v.validatorIndex];
      if (!validator) return true;
      const t0 = performance.now();
      const item = {
        publicKey: validator.publicKey,
        message: voteSignBytes(this.chain.chainId, v),
        signature: m.signed.signature,
      };
      const ok = await verifySignature(item.publicKey, item.message, item.signature);
      this.phases.verified(performance.now() - t0);
      if (ok && v.type === "precommit") this.verifiedVotes.add(item);
      if (!ok) {
        this.logger.warn({ peer: peer.slice(0, 16) }, "p2p: vote with a bad signature");
        return true;
      }
      this.auditVote(validator.publicKey, v.height, v.round, v.type, v.valueId);
      await this.feed({ type: "vote", signed: m.signed });
      return true;
    }
    if (m.type === "proposal") {
      const p = m.signed.proposal;
      const validator = set.validators[p.validatorIndex];
      if (!validator) return true;
      const t0 = performance.now();
      if (
        !(await verifySignature(
          validator.publicKey,
          proposalSignBytes(this.chain.chainId, p),
          m.signed.signature,
        ))
      )
        return true;
      // No check that block.proposer signed this proposal: it names who built the block, and in a
      // later round the proposer re-proposes its valid value (L15), built by an earlier proposer.
      const problem = await this.chain.checkProposal(p.value, BigInt(Date.now()), (item) =>
        this.verifiedVotes.has(item),
      );
      this.phases.verified(performance.now() - t0);
      if (problem)
        this.logger.warn({ height: p.height, round: p.round, problem }, "consensus: invalid proposal");
      await this.feed({
        type: "proposal",
        signed: m.signed,
        valid: problem === null,
        extension: new Uint8Array(0),
      });
      return true;
    }
    const valid = await verifyCertificate(
      this.chain.chainId,
      m.certificate,
      set.validators,
      valueIdOf(m.value),
      BigInt(height),
    );
    if (!valid) return true;
    await this.feed({ type: "commit", certificate: m.certificate, value: m.value });
    return true;
  }

  private auditOwn(m: ConsensusMessage): void {
    if (m.type === "vote") {
      const v = m.signed.vote;
      this.auditVote(this.publicKey, v.height, v.round, v.type, v.valueId);
    }
  }

  private auditVote(
    publicKey: Uint8Array,
    height: number,
    round: number,
    type: string,
    valueId: Uint8Array | null,
  ): void {
    if (this.audit.note(publicKey, height, round, type, valueId))
      this.logger.error(
        { validator: toHex(publicKey).slice(0, 16), height, round, type },
        "audit: conflicting votes by one validator",
      );
  }

  /** Our messages of the height, the last decision, and our status, to every peer. */
  private gossip(): void {
    void this.enqueue(() => {
      if (this.core.step === "unstarted") return;
      for (const m of gossipMessages(this.core))
        this.network.broadcast(encodeWire({ type: "consensus", message: encodeConsensusMessage(m) }));
      for (const peer of this.network.peersReady()) this.sendStatus(peer);
    });
  }

  private sendStatus(peer: string): void {
    this.network.send(peer, encodeWire({ type: "status", heightCommitted: this.chain.height }));
  }

  get address(): Uint8Array {
    return addressFromPublicKey(this.publicKey);
  }

  /** Stops timers and the network, syncs the WAL, releases the data directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.gossipTimer) clearInterval(this.gossipTimer);
    for (const t of this.timers) clearTimeout(t);
    await this.network.close();
    await this.loop.catch(() => {});
    this.wal?.close();
    this.guard.flush();
    this.guard.close();
    this.blocks.close();
    this.lock.release();
  }
}

function sha256(b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(b).digest());
}
