/**
 * The validator's copy of the settlement ledger: the state tree, the block
 * hashes and validator sets by height, block validation (the paper's valid(v))
 * and commit-certificate verification. Signature checks go through
 * shared/crypto's one policy; everything deterministic is delegated to the
 * pure ledger (applyBlock) and the consensus core's validator-set rules.
 */
import { compareBytes, equalBytes } from "../../shared/bytes.ts";
import { type SignedItem, verifyMany } from "../../shared/crypto/index.ts";
import { MemoryNodeStore, type SmtProof, SparseMerkleTree } from "../../shared/smt/index.ts";
import type { StateKey, StateReader } from "../../shared/state.ts";
import {
  type CommitCertificate,
  decodeEvidence,
  isQuorum,
  makeValidatorSet,
  nextValidatorSet,
  type Validator,
  type ValidatorSet,
  valueIdOf,
  valueKeyOf,
  voteSignBytes,
} from "../consensus/index.ts";
import type { CommittedBlock } from "../indexer/committed-block.ts";
import {
  type AccountRecord,
  applyBlock,
  Books,
  decodeSettlementTx,
  type Genesis,
  genesisWrites,
  settlementTxHash,
  settlementTxSignatures,
  type VerifiedTx,
  verifiedTxOf,
} from "../ledger/index.ts";
import { decodeBlock, type SettlementBlock } from "./block.ts";

/** How far ahead of our clock a proposed block's time may be. */
export const BLOCK_TIME_DRIFT_MS_MAX = 10_000n;

/** The indexer's view of a commit, plus the decoded block. */
export type CommittedSettlementBlock = CommittedBlock & { block: SettlementBlock };

/** What a double-sign report proves once its two signatures verify. */
export type EvidenceClaim = {
  validatorPublicKey: Uint8Array;
  height: bigint;
  items: [SignedItem, SignedItem];
};
/** Structural check of consensus evidence bytes (two conflicting votes by one validator of a known set). */
export type EvidenceCheck = (evidence: Uint8Array) => EvidenceClaim | null;

/**
 * Decodes and verifies a block's transactions with the one signature
 * policy: each transaction is decoded and hashed once, every signature not
 * already verified (`preverified`: the mempool's admission check, by the
 * hash of the whole encoding) goes into one batch verification, and each
 * transaction reads its own results back at the offsets it recorded.
 */
export async function verifyTxsBatch(
  chainId: string,
  txs: readonly Uint8Array[],
  checkEvidence: EvidenceCheck = () => null,
  preverified: (tx: Uint8Array, hash: Uint8Array) => boolean = () => false,
): Promise<VerifiedTx[]> {
  const items: SignedItem[] = [];
  const pending = txs.map((bytes) => {
    const tx = decodeSettlementTx(bytes);
    const hash = settlementTxHash(bytes);
    const at = items.length;
    const signatures = preverified(bytes, hash) ? null : settlementTxSignatures(chainId, tx);
    if (signatures) items.push(...signatures);
    const p = tx.body.payload;
    const claim = p.type === "reportDoubleSign" ? checkEvidence(p.evidence) : null;
    if (claim) items.push(...claim.items);
    return { tx, hash, at, signatures, claim };
  });
  const results = await verifyMany(items);
  return pending.map(({ tx, hash, at, signatures, claim }) => {
    const count = signatures?.length ?? 0;
    // Preverified: every signature it carries (sender, sequencer) verified at admission.
    const valid = signatures ? results.slice(at, at + count) : [true, true];
    const claimOk = claim !== null && results[at + count] === true && results[at + count + 1] === true;
    return verifiedTxOf(tx, hash, valid, () =>
      claim && claimOk ? { validatorPublicKey: claim.validatorPublicKey, height: claim.height } : null,
    );
  });
}

export class SettlementChain {
  readonly chainId: string;
  readonly genesis: Genesis;
  private readonly tree = new SparseMerkleTree(new MemoryNodeStore());
  /** The state root of genesis (height 0): block 1's appHashPrev. */
  readonly genesisAppHash: Uint8Array;
  appHash: Uint8Array;
  timeMs: bigint;
  /** blockHashes[h - 1] is the hash (consensus value id) of block h. */
  private readonly blockHashes: Uint8Array[] = [];
  /** appHashes[h - 1] is the state root after block h. */
  private readonly appHashes: Uint8Array[] = [];
  /** The consensus validator set (with proposer priorities) of the last committed height; null before height 1. */
  consensusSet: ValidatorSet | null = null;
  /** Validators of the last committed height, sorted as the core indexes them (for the next block's lastCommit). */
  private setCommitted: readonly Validator[] = [];
  /** Validator sets of recent heights, for double-sign evidence up to params.evidenceAgeBlocksMax old. */
  private readonly setsByHeight = new Map<bigint, readonly Validator[]>();

  constructor(genesis: Genesis) {
    this.genesis = genesis;
    this.chainId = genesis.chainId;
    this.appHash = this.tree.update(genesisWrites(genesis).writes);
    this.genesisAppHash = this.appHash;
    this.timeMs = genesis.genesisTimeMs;
  }

  get height(): bigint {
    return BigInt(this.blockHashes.length);
  }

  blockHash(height: bigint): Uint8Array | undefined {
    return this.blockHashes[Number(height) - 1];
  }

  /** The state root after block `height`; the genesis root at 0. */
  appHashAt(height: bigint): Uint8Array | undefined {
    return height === 0n ? this.genesisAppHash : this.appHashes[Number(height) - 1];
  }

  /**
   * The state after block `height` (0 = genesis), pinned to its root: a
   * reader and SMT proofs against that root. Every root stays readable: the
   * tree's nodes are never pruned (pruneStale is not called on this tree).
   */
  stateAt(
    height: bigint,
  ): { root: Uint8Array; state: StateReader; prove(key: StateKey): SmtProof } | undefined {
    const root = this.appHashAt(height);
    if (!root) return undefined;
    return { root, state: this.tree.readerAt(root), prove: (key) => this.tree.prove(key, root) };
  }

  /** The state tree at the latest committed height (a live reader: use it before the next commit). */
  get state(): StateReader {
    return this.tree;
  }

  /** The validators that vote on height + 1 (the ledger's current set), as the core takes them. */
  validatorsNext(): Validator[] {
    const set = new Books(this.tree).validatorSet().current;
    return makeValidatorSet(set.map((m) => ({ publicKey: m.publicKey, power: m.power }))).validators.slice();
  }

  /** The set that signs certificates of `height` when it is the last committed or the next one. */
  validatorsAt(height: bigint): readonly Validator[] | undefined {
    if (height === this.height + 1n) return this.validatorsNext();
    if (height === this.height) return this.setCommitted;
    return undefined;
  }

  account(address: Uint8Array): AccountRecord {
    return new Books(this.tree).account(address);
  }

  /** Structural check of evidence against the sets of recent heights (the height being built included). */
  checkEvidence(bytes: Uint8Array): EvidenceClaim | null {
    return checkEvidenceWith(
      this.chainId,
      (h) => this.setsByHeight.get(h) ?? (h === this.height + 1n ? this.validatorsNext() : undefined),
      bytes,
    );
  }

  /**
   * valid(v) of the paper for the next height; null when valid, else the
   * reason. `known` names signatures already verified (the node's votes), so
   * the lastCommit's precommits are not verified twice.
   */
  async checkProposal(
    value: Uint8Array,
    nowMs: bigint,
    known: (item: SignedItem) => boolean = () => false,
  ): Promise<string | null> {
    let block: SettlementBlock;
    try {
      block = decodeBlock(value);
    } catch (e) {
      return `block does not decode: ${(e as Error).message}`;
    }
    if (block.height !== this.height + 1n) return `height ${block.height}, expected ${this.height + 1n}`;
    if (!equalBytes(block.appHashPrev, this.appHash)) return "appHashPrev differs from our state";
    if (block.timeMs < this.timeMs) return "time goes backwards";
    if (block.timeMs > nowMs + BLOCK_TIME_DRIFT_MS_MAX) return "time too far in the future";
    const lastProblem = await this.checkLastCommit(block, known);
    if (lastProblem) return lastProblem;
    try {
      for (const tx of block.txs) decodeSettlementTx(tx);
    } catch (e) {
      return `a transaction does not decode: ${(e as Error).message}`;
    }
    return null;
  }

  private async checkLastCommit(
    block: SettlementBlock,
    known: (item: SignedItem) => boolean,
  ): Promise<string | null> {
    if (block.height === 1n) return block.lastCommit === null ? null : "height 1 carries a lastCommit";
    const c = block.lastCommit;
    if (!c) return "lastCommit missing";
    const hashPrev = this.blockHash(block.height - 1n)!;
    const ok = await verifyCertificate(
      this.chainId,
      c,
      this.setCommitted,
      hashPrev,
      block.height - 1n,
      known,
    );
    return ok ? null : "lastCommit does not prove the previous block";
  }

  /**
   * Applies a decided block (certificate already verified by the core or by
   * sync). Throws if the ledger refuses it. `preverified` names transactions
   * whose signatures were already verified (the mempool's admission check).
   */
  async commit(
    value: Uint8Array,
    preverified: (tx: Uint8Array, hash: Uint8Array) => boolean = () => false,
  ): Promise<CommittedSettlementBlock> {
    const block = decodeBlock(value);
    const height = this.height + 1n;
    if (block.height !== height)
      throw new Error(`Decided block has height ${block.height}, expected ${height}.`);
    const lastCommitSigners =
      block.lastCommit?.precommits
        .map((p) => this.setCommitted[p.vote.validatorIndex]?.publicKey)
        .filter((k): k is Uint8Array => k !== undefined)
        .sort(compareBytes) ?? [];
    const vtxs = await verifyTxsBatch(this.chainId, block.txs, (e) => this.checkEvidence(e), preverified);
    const result = applyBlock(this.tree, { height, timeMs: block.timeMs, lastCommitSigners, txs: vtxs });
    this.setsByHeight.set(height, this.validatorsNext());
    this.setsByHeight.delete(height - this.genesis.params.evidenceAgeBlocksMax - 1n);
    const validators = this.validatorsNext();
    this.consensusSet = nextValidatorSet(this.consensusSet, validators);
    this.setCommitted = validators;
    this.appHash = this.tree.update(result.writes);
    this.timeMs = block.timeMs;
    const hash = valueIdOf(value);
    this.blockHashes.push(hash);
    this.appHashes.push(this.appHash);
    return {
      height,
      hash,
      timeMs: block.timeMs,
      proposer: block.proposer,
      txs: vtxs,
      result,
      // Pinned to this block's root: the indexer reads it after later blocks have committed.
      state: this.tree.readerAt(this.appHash),
      block,
    };
  }
}

/** Two votes by one validator of height h's set, same height, round and type, different values. */
export function checkEvidenceWith(
  chainId: string,
  setAt: (height: bigint) => readonly Validator[] | undefined,
  bytes: Uint8Array,
): EvidenceClaim | null {
  let e: ReturnType<typeof decodeEvidence>;
  try {
    e = decodeEvidence(bytes);
  } catch {
    return null;
  }
  const a = e.voteA.vote;
  const b = e.voteB.vote;
  if (
    a.height !== b.height ||
    a.round !== b.round ||
    a.type !== b.type ||
    a.validatorIndex !== b.validatorIndex
  )
    return null;
  if (valueKeyOf(a.valueId) === valueKeyOf(b.valueId)) return null;
  const validator = setAt(BigInt(a.height))?.[a.validatorIndex];
  if (!validator) return null;
  const item = (s: typeof e.voteA): SignedItem => ({
    publicKey: validator.publicKey,
    message: voteSignBytes(chainId, s.vote),
    signature: s.signature,
  });
  return {
    validatorPublicKey: validator.publicKey,
    height: BigInt(a.height),
    items: [item(e.voteA), item(e.voteB)],
  };
}

/**
 * True when `c` carries > 2/3 of `validators`' power in valid precommits for
 * `valueId` at `height`. Signatures for which `known` is true (exactly these
 * key, bytes and signature verified before) are not verified again.
 */
export async function verifyCertificate(
  chainId: string,
  c: CommitCertificate,
  validators: readonly Validator[],
  valueId: Uint8Array,
  height: bigint,
  known: (item: SignedItem) => boolean = () => false,
): Promise<boolean> {
  if (BigInt(c.height) !== height || !equalBytes(c.valueId, valueId)) return false;
  const seen = new Set<number>();
  const items: SignedItem[] = [];
  let power = 0n;
  let total = 0n;
  for (const v of validators) total += v.power;
  for (const p of c.precommits) {
    const v = p.vote;
    const validator = validators[v.validatorIndex];
    if (!validator || seen.has(v.validatorIndex)) return false;
    if (v.type !== "precommit" || v.height !== c.height || v.round !== c.round) return false;
    if (v.valueId === null || !equalBytes(v.valueId, valueId)) return false;
    seen.add(v.validatorIndex);
    power += validator.power;
    items.push({
      publicKey: validator.publicKey,
      message: voteSignBytes(chainId, v),
      signature: p.signature,
    });
  }
  if (!isQuorum(power, total)) return false;
  return (await verifyMany(items.filter((item) => !known(item)))).every((ok) => ok);
}
