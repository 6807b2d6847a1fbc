/**
 * Pending settlement transactions: checked before they are accepted or
 * gossiped (canonical encoding, size, signature under the one policy, nonce
 * not already used, fee at least the minimum), deduplicated by hash, bounded
 * in count and bytes. The proposer takes them in arrival order per sender,
 * nonces consecutive.
 */
import { toHex } from "../../shared/bytes.ts";
import { CodecError } from "../../shared/codec/index.ts";
import {
  accountAddressOf,
  checkpointBodyOf,
  checkpointSignBytes,
  SETTLEMENT_TX_BYTES_MAX,
  settlementTxHash,
} from "../ledger/index.ts";
import type { SignedSettlementTx } from "../ledger/index.ts";
import { decodeSettlementTx } from "../ledger/index.ts";

export const MEMPOOL_TXS_MAX_DEFAULT = 10_000;
export const MEMPOOL_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
/** A sender may queue this many nonces ahead of its account. */
export const NONCE_GAP_MAX = 64n;
/** Hashes of transactions whose signatures this mempool verified, kept for the commit that includes them. */
export const VERIFIED_HASHES_MAX = 50_000;

export type MempoolRejection =
  | "malformed"
  | "oversize"
  | "duplicate"
  | "bad-signature"
  | "nonce-used"
  | "nonce-gap"
  | "fee-too-low"
  | "full";

export type AddResult =
  | { accepted: true; hash: Uint8Array }
  | { accepted: false; reason: MempoolRejection; hash?: Uint8Array };

export type MempoolOptions = {
  chainId: string;
  txsMax?: number;
  bytesMax?: number;
  /** Next nonce of the account of `sender` (public key) in committed state. */
  nonceOf: (address: Uint8Array) => bigint;
  feeMin: () => bigint;
  verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;
  signBytesOf: (tx: SignedSettlementTx) => Uint8Array;
};

type Entry = { hash: string; bytes: Uint8Array; tx: SignedSettlementTx; sender: string; nonce: bigint };
/** One sender's pending transactions, ordered by nonce (arrival order among equal nonces). */
type SenderQueue = { address: Uint8Array; entries: Entry[] };

export class Mempool {
  private readonly options: MempoolOptions;
  private readonly txsMax: number;
  private readonly bytesMax: number;
  private readonly byHash = new Map<string, Entry>();
  /** Per sender (hex public key), in the order senders arrived: what the proposer walks. */
  private readonly bySender = new Map<string, SenderQueue>();
  private bytesTotal = 0;
  /** Insertion-ordered, bounded: the oldest are forgotten first (they are then verified again at commit). */
  private readonly verified = new Set<string>();

  constructor(options: MempoolOptions) {
    this.options = options;
    this.txsMax = options.txsMax ?? MEMPOOL_TXS_MAX_DEFAULT;
    this.bytesMax = options.bytesMax ?? MEMPOOL_BYTES_MAX_DEFAULT;
  }

  get size(): number {
    return this.byHash.size;
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(toHex(hash));
  }

  async add(bytes: Uint8Array): Promise<AddResult> {
    if (bytes.length > SETTLEMENT_TX_BYTES_MAX) return { accepted: false, reason: "oversize" };
    let tx: SignedSettlementTx;
    try {
      tx = decodeSettlementTx(bytes);
    } catch (e) {
      if (e instanceof CodecError) return { accepted: false, reason: "malformed" };
      throw e;
    }
    const hash = settlementTxHash(bytes);
    const id = toHex(hash);
    if (this.byHash.has(id)) return { accepted: false, reason: "duplicate", hash };
    if (tx.body.fee < this.options.feeMin()) return { accepted: false, reason: "fee-too-low", hash };
    const address = accountAddressOf(tx.body.sender);
    const nonceNext = this.options.nonceOf(address);
    if (tx.body.nonce < nonceNext) return { accepted: false, reason: "nonce-used", hash };
    if (tx.body.nonce >= nonceNext + NONCE_GAP_MAX) return { accepted: false, reason: "nonce-gap", hash };
    if (this.byHash.size >= this.txsMax || this.bytesTotal + bytes.length > this.bytesMax)
      return { accepted: false, reason: "full", hash };
    const ok = await this.options.verify(tx.body.sender, this.options.signBytesOf(tx), tx.signature);
    if (!ok) return { accepted: false, reason: "bad-signature", hash };
    const p = tx.body.payload;
    // A checkpoint carries the sequencer's signature too: checked here so junk never reaches a block.
    if (
      p.type === "postCheckpoint" &&
      !(await this.options.verify(
        p.sequencer,
        checkpointSignBytes(this.options.chainId, checkpointBodyOf(p)),
        p.sequencerSignature,
      ))
    )
      return { accepted: false, reason: "bad-signature", hash };
    this.verified.add(id);
    if (this.verified.size > VERIFIED_HASHES_MAX) this.verified.delete(this.verified.values().next().value!);
    if (this.byHash.has(id)) return { accepted: false, reason: "duplicate", hash };
    const entry: Entry = { hash: id, bytes, tx, sender: toHex(tx.body.sender), nonce: tx.body.nonce };
    this.byHash.set(id, entry);
    let queue = this.bySender.get(entry.sender);
    if (!queue) {
      queue = { address, entries: [] };
      this.bySender.set(entry.sender, queue);
    }
    // Nonces mostly arrive in order: walk back from the end to the slot after every nonce ≤ this one.
    let at = queue.entries.length;
    while (at > 0 && queue.entries[at - 1]!.nonce > entry.nonce) at--;
    queue.entries.splice(at, 0, entry);
    this.bytesTotal += bytes.length;
    return { accepted: true, hash };
  }

  /**
   * Transactions for the next block: per sender, consecutive nonces from its
   * committed nonce, at most `countMax` and `bytesMax` in total.
   */
  take(countMax: number, bytesMax: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const queue of this.bySender.values()) {
      let expected = this.options.nonceOf(queue.address);
      for (const e of queue.entries) {
        if (e.nonce !== expected) break;
        if (out.length >= countMax || bytes + e.bytes.length > bytesMax) return out;
        out.push(e.bytes);
        bytes += e.bytes.length;
        expected++;
      }
    }
    return out;
  }

  /**
   * Whether every signature of the transaction with this hash (sender, and
   * the sequencer's for a checkpoint) verified when it was admitted. The hash
   * covers the whole encoding, signatures included, so a commit may skip
   * verifying these bytes again.
   */
  signaturesVerified(hash: Uint8Array): boolean {
    return this.verified.has(toHex(hash));
  }

  /** True when take() would return at least one transaction: a block is worth proposing now. */
  hasProposable(): boolean {
    for (const queue of this.bySender.values())
      if (queue.entries[0]!.nonce === this.options.nonceOf(queue.address)) return true;
    return false;
  }

  /**
   * After a commit: drops the included transactions and any whose nonce is
   * now used. Only a sender's own transactions move its nonce, so with the
   * block's `senders` (public keys) only their queues are checked, and a
   * commit costs its own size rather than the mempool's; without them every
   * queue is.
   */
  update(included: readonly Uint8Array[], senders?: readonly Uint8Array[]): void {
    const touched = new Set<string>();
    for (const h of included) {
      const e = this.byHash.get(toHex(h));
      if (!e) continue;
      touched.add(e.sender);
      this.remove(e.hash);
    }
    if (senders === undefined) for (const sender of this.bySender.keys()) touched.add(sender);
    else for (const pk of senders) touched.add(toHex(pk));
    for (const sender of touched) {
      const queue = this.bySender.get(sender);
      if (!queue) continue;
      const nonce = this.options.nonceOf(queue.address);
      while (queue.entries.length > 0 && queue.entries[0]!.nonce < nonce) this.remove(queue.entries[0]!.hash);
    }
  }

  private remove(id: string): void {
    const e = this.byHash.get(id);
    if (!e) return;
    this.byHash.delete(id);
    this.bytesTotal -= e.bytes.length;
    const queue = this.bySender.get(e.sender)!;
    queue.entries.splice(queue.entries.indexOf(e), 1);
    if (queue.entries.length === 0) this.bySender.delete(e.sender);
  }
}
