/**
 * An in-memory settlement chain for API and indexer tests: a genesis with real
 * Ed25519 keys, a mempool with the real admission checks, blocks in the
 * node's own encoding (settlement-node/node/block.ts: appHashPrev, the last
 * commit) applied by the real ledger and committed with precommits signed by
 * every validator, so a light client verifies them as it would a real
 * node's; optionally written to a BlockStore that testLedgerFactory
 * replays. Not a consensus implementation: one process decides every block.
 */
import { compareBytes, equalBytes, toHex, utf8 } from "../../shared/bytes.ts";
import { array, bytes, decode, encode, fixedBytes, struct, u32, u64 } from "../../shared/codec/index.ts";
import { generateKeyPair, type KeyPair, sign } from "../../shared/crypto/index.ts";
import { sha256 } from "../../shared/hash.ts";
import { MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import {
  type CommitCertificate,
  signVote,
  VALUE_ID_LENGTH,
  valueIdOf,
  voteBodyCodec,
} from "../consensus/messages.ts";
import { accountAddressOf } from "../ledger/address.ts";
import { applyBlock } from "../ledger/apply.ts";
import { Books } from "../ledger/books.ts";
import { type GenesisJson, genesisWrites, parseGenesis } from "../ledger/genesis.ts";
import { testGenesis } from "../ledger/harness.ts";
import { VALIDATORS_MAX } from "../ledger/limits.ts";
import {
  checkpointBodyOf,
  checkpointSignBytes,
  encodeSettlementTx,
  type PayloadOf,
  type SettlementPayload,
  settlementTxSignBytes,
  type VerifiedTx,
} from "../ledger/tx.ts";
import { decodeBlock, encodeBlock } from "../node/block.ts";
import type { BlockStore, StoredBlock } from "../storage/block-store.ts";
import type { CommittedBlock, LedgerFactory, LedgerReplayer } from "../indexer/committed-block.ts";
import { admitSettlementTx, verifySettlementTxAsync } from "./admission.ts";
import type {
  BlockView,
  LedgerSnapshot,
  NodeStatus,
  ProvableState,
  SettlementBackend,
  SubmitTxResult,
} from "./backend.ts";
import { MempoolRefusal } from "./backend.ts";
import { RecentTxs, type TxInclusion } from "./recent-txs.ts";

const ZERO_HASH = new Uint8Array(32);

/** A deterministic Ed25519 key pair per name. */
export function testKeyPair(name: string): KeyPair {
  return generateKeyPair(sha256(utf8(`bitlayer/api-test/${name}`)));
}

export type TestNetwork = { genesis: GenesisJson; validators: KeyPair[]; accounts: KeyPair[] };

/** ledger/harness testGenesis with real keys: validators v0.., funded accounts a0.. (validators funded too). */
export function testNetwork(
  o: { validators?: number; accounts?: number; balance?: bigint } = {},
): TestNetwork {
  const validators = Array.from({ length: o.validators ?? 4 }, (_, i) => testKeyPair(`v${i}`));
  const accounts = Array.from({ length: o.accounts ?? 3 }, (_, i) => testKeyPair(`a${i}`));
  const base = testGenesis({ validators: validators.length, accounts: 0, balance: o.balance });
  const balance = String(o.balance ?? 1_000_000n);
  return {
    genesis: {
      ...base,
      validators: validators.map((k) => ({ publicKey: toHex(k.publicKey), stake: "10000" })),
      accounts: [...accounts, ...validators].map((k) => ({
        address: toHex(accountAddressOf(k.publicKey)),
        balance,
      })),
    },
    validators,
    accounts,
  };
}

/** Canonical bytes of a transaction signed by `key` for `chainId`. */
export function signSettlementTx(
  chainId: string,
  key: KeyPair,
  nonce: bigint,
  payload: SettlementPayload,
  fee = 1n,
): Uint8Array {
  const body = { sender: key.publicKey, nonce, fee, payload };
  return encodeSettlementTx({ body, signature: sign(key.secretKey, settlementTxSignBytes(chainId, body)) });
}

/** A postCheckpoint payload (ledger/harness checkpointPayload) with the sequencer's real signature. */
export function signCheckpoint(
  chainId: string,
  sequencer: KeyPair,
  payload: PayloadOf<"postCheckpoint">,
): PayloadOf<"postCheckpoint"> {
  const signature = sign(sequencer.secretKey, checkpointSignBytes(chainId, checkpointBodyOf(payload)));
  return { ...payload, sequencer: sequencer.publicKey, sequencerSignature: signature };
}

export const testCertificateCodec = struct({
  height: u64,
  round: u32,
  valueId: fixedBytes(VALUE_ID_LENGTH),
  precommits: array(struct({ vote: voteBodyCodec, signature: bytes(64) }), VALIDATORS_MAX),
});

export function encodeTestCertificate(c: CommitCertificate): Uint8Array {
  return encode(testCertificateCodec, {
    height: BigInt(c.height),
    round: c.round,
    valueId: c.valueId,
    precommits: c.precommits.map(({ vote, signature }) => ({ vote, signature })),
  });
}

export function decodeTestCertificate(bytes: Uint8Array): CommitCertificate {
  const c = decode(testCertificateCodec, bytes);
  return {
    height: Number(c.height),
    round: c.round,
    valueId: c.valueId,
    precommits: c.precommits.map(({ vote, signature }) => ({
      vote: { type: "precommit", ...vote },
      signature,
    })),
  };
}

/** The real ledger over an in-memory state tree (never pruned: every root stays readable), applying node-encoded blocks. */
export class TestLedger implements LedgerReplayer {
  readonly tree = new SparseMerkleTree(new MemoryNodeStore());
  readonly chainId: string;
  /** The state root of genesis: block 1's appHashPrev. */
  readonly genesisRoot: Uint8Array;

  constructor(genesis: GenesisJson) {
    const g = parseGenesis(genesis);
    this.chainId = g.chainId;
    this.genesisRoot = this.tree.update(genesisWrites(g).writes);
  }

  get height(): bigint {
    return new Books(this.tree).chain().height;
  }

  /**
   * Verifies each tx's signatures (shared/crypto policy), applies the block
   * and commits its writes. The block must build on this state (appHashPrev);
   * its last commit's signers are read through the set that signed it.
   */
  async applyBlockBytes(blockBytes: Uint8Array): Promise<CommittedBlock & { appHash: Uint8Array }> {
    const block = decodeBlock(blockBytes);
    if (!equalBytes(block.appHashPrev, this.tree.root))
      throw new Error(`Block ${block.height} does not build on this ledger's state (appHashPrev).`);
    const signedLast = new Books(this.tree).validatorSet().previous;
    const lastCommitSigners = (block.lastCommit?.precommits ?? [])
      .map((p) => signedLast[p.vote.validatorIndex]?.publicKey)
      .filter((k): k is Uint8Array => k !== undefined)
      .sort(compareBytes);
    const txs: VerifiedTx[] = [];
    for (const tx of block.txs) txs.push(await verifySettlementTxAsync(tx, this.chainId));
    const result = applyBlock(this.tree, {
      height: block.height,
      timeMs: block.timeMs,
      lastCommitSigners,
      txs,
    });
    const appHash = this.tree.update(result.writes);
    return {
      height: block.height,
      hash: valueIdOf(blockBytes),
      timeMs: block.timeMs,
      proposer: block.proposer,
      txs,
      result,
      state: this.tree.readerAt(appHash),
      appHash,
    };
  }

  apply(stored: StoredBlock): Promise<CommittedBlock> {
    return this.applyBlockBytes(stored.block);
  }
}

/** Replays a block store written by InMemorySettlementBackend: what reindex tests pass as ledgerFactory. */
export function testLedgerFactory(genesis: GenesisJson): LedgerFactory {
  return () => new TestLedger(genesis);
}

export type InMemoryBackendOptions = {
  network: TestNetwork;
  /** When given, every committed block is put here (node block encoding, test certificate encoding). */
  blockStore?: BlockStore;
  /** Called with each committed block, e.g. to index it. */
  onCommit?: (block: CommittedBlock) => Promise<void> | void;
  peers?: number;
};

/** SettlementBackend over TestLedger: submitTx fills a mempool, commitBlock() decides the next block. */
export class InMemorySettlementBackend implements SettlementBackend {
  readonly ledgerState: TestLedger;
  readonly network: TestNetwork;
  catchingUp = false;
  peers: number;
  private readonly mempool: { bytes: Uint8Array; verified: VerifiedTx }[] = [];
  private readonly blocks: BlockView[] = [];
  /** blockBytes[h - 1]: block h as encoded (and hashed) by settlement-node/node/block.ts. */
  private readonly blockBytes: Uint8Array[] = [];
  private readonly options: InMemoryBackendOptions;
  private timeMs: bigint;
  private readonly recentTxs = new RecentTxs(1000);

  constructor(options: InMemoryBackendOptions) {
    this.options = options;
    this.network = options.network;
    this.ledgerState = new TestLedger(options.network.genesis);
    this.timeMs = BigInt(options.network.genesis.genesisTimeMs);
    this.peers = options.peers ?? 3;
  }

  get chainId(): string {
    return this.ledgerState.chainId;
  }

  status(): NodeStatus {
    const last = this.blocks.at(-1);
    return {
      chainId: this.chainId,
      height: this.latestHeight(),
      lastBlockHash: last?.hash ?? ZERO_HASH,
      address: accountAddressOf(this.network.validators[0]!.publicKey),
      catchingUp: this.catchingUp,
      peers: this.peers,
    };
  }

  latestHeight(): bigint {
    return BigInt(this.blocks.length);
  }

  block(height: bigint): BlockView | undefined {
    if (height < 1n || height > this.latestHeight()) return undefined;
    return this.blocks[Number(height) - 1];
  }

  ledger(): LedgerSnapshot {
    const { tree } = this.ledgerState;
    return { height: this.latestHeight(), state: tree.readerAt(tree.root) };
  }

  provableState(): ProvableState | undefined {
    const next = this.latestHeight();
    if (next < 1n) return undefined;
    const height = next - 1n;
    const root = height === 0n ? this.ledgerState.genesisRoot : this.blocks[Number(height) - 1]!.appHash;
    const { tree } = this.ledgerState;
    return {
      height,
      block: this.blockBytes[Number(next) - 1]!,
      certificate: this.blocks[Number(next) - 1]!.certificate,
      root,
      state: tree.readerAt(root),
      prove: (key) => tree.prove(key, root),
    };
  }

  waitForTx(hash: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<TxInclusion | undefined> {
    return this.recentTxs.wait(hash, timeoutMs, signal);
  }

  txPending(hash: Uint8Array): boolean {
    const hex = toHex(hash);
    return this.mempool.some((p) => toHex(p.verified.hash) === hex);
  }

  mempoolSize(): number {
    return this.mempool.length;
  }

  async submitTx(txBytes: Uint8Array): Promise<SubmitTxResult> {
    const { state } = this.ledger();
    const admission = await admitSettlementTx(state, this.chainId, txBytes, (address) => {
      let next: bigint | undefined;
      for (const p of this.mempool) {
        if (toHex(accountAddressOf(p.verified.tx.body.sender)) === toHex(address))
          next = p.verified.tx.body.nonce + 1n;
      }
      return next;
    });
    if (!admission.accepted) return admission;
    if (this.txPending(admission.hash))
      return {
        hash: admission.hash,
        accepted: false,
        code: MempoolRefusal.Duplicate,
        message: "Already pending.",
      };
    this.mempool.push({ bytes: txBytes, verified: admission.verified });
    return { hash: admission.hash, accepted: true };
  }

  /** Decides the next block from the whole mempool, signs its certificate with every validator, stores it. */
  async commitBlock(o: { timeMs?: bigint } = {}): Promise<BlockView> {
    const pending = this.mempool.splice(0);
    const books = new Books(this.ledgerState.tree);
    const set = books.validatorSet();
    const height = this.latestHeight() + 1n;
    this.timeMs = o.timeMs ?? this.timeMs + 1000n;
    const proposer = set.current[Number(height % BigInt(set.current.length))]!.publicKey;
    const blockBytes = encodeBlock({
      height,
      timeMs: this.timeMs,
      proposer,
      appHashPrev: this.ledgerState.tree.root,
      lastCommit: this.blocks.at(-1)?.certificate ?? null,
      txs: pending.map((p) => p.bytes),
    });
    const committed = await this.ledgerState.applyBlockBytes(blockBytes);
    const certificate = this.certify(
      height,
      committed.hash,
      set.current.map((m) => m.publicKey),
    );
    const view: BlockView = {
      height,
      hash: committed.hash,
      encoded: blockBytes,
      lastBlockHash: this.blocks.at(-1)?.hash ?? ZERO_HASH,
      timeMs: this.timeMs,
      proposer,
      appHash: committed.appHash,
      txs: pending.map((p) => p.bytes),
      receipts: committed.result.receipts,
      certificate,
    };
    this.blocks.push(view);
    this.blockBytes.push(blockBytes);
    this.recentTxs.recordBlock(height, committed.hash, committed.result.receipts);
    this.options.blockStore?.put(height, blockBytes, encodeTestCertificate(certificate), { sync: false });
    await this.options.onCommit?.(committed);
    return view;
  }

  private certify(height: bigint, valueId: Uint8Array, voters: Uint8Array[]): CommitCertificate {
    const precommits = voters.flatMap((publicKey, validatorIndex) => {
      const key = this.network.validators.find((k) => toHex(k.publicKey) === toHex(publicKey));
      if (!key) return [];
      const signer = { publicKey, sign: (m: Uint8Array) => sign(key.secretKey, m) };
      return [
        signVote(this.chainId, signer, {
          type: "precommit",
          height: Number(height),
          round: 0,
          valueId,
          validatorIndex,
          extension: new Uint8Array(0),
        }),
      ];
    });
    return { height: Number(height), round: 0, valueId, precommits };
  }
}
