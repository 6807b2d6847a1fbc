/**
 * The simulated application behind each validator: blocks that bond stake
 * and carry evidence, the validity predicate the core asks about, the
 * checkpoint-root extension validators sign with precommits, and the next
 * validator set (bonds add power, committed evidence removes the offender).
 */
import { compareBytes, toHex } from "../../shared/bytes.ts";
import {
  array,
  bytes,
  decode,
  encode,
  fixedBytes,
  option,
  struct,
  u32,
  u64,
} from "../../shared/codec/index.ts";
import { domainTag, hashTagged } from "../../shared/hash.ts";
import {
  decodeEvidence,
  type DuplicateVoteEvidence,
  encodeEvidence,
  type Validator,
  valueKeyOf,
  voteSignBytes,
} from "../consensus/index.ts";
import { verifyStandIn } from "./signer.ts";

export const EVIDENCE_PER_BLOCK_MAX = 64;
export const BOND_POWER_MAX = 3;

const blockCodec = struct({
  height: u64,
  proposer: fixedBytes(32),
  nonce: u32,
  bond: option(struct({ publicKey: fixedBytes(32), powerDelta: u32 })),
  evidence: array(bytes(4096), EVIDENCE_PER_BLOCK_MAX),
});
export type Block = {
  height: number;
  proposer: Uint8Array;
  nonce: number;
  bond: { publicKey: Uint8Array; powerDelta: number } | null;
  evidence: DuplicateVoteEvidence[];
};

export function encodeBlock(b: Block): Uint8Array {
  return encode(blockCodec, { ...b, height: BigInt(b.height), evidence: b.evidence.map(encodeEvidence) });
}

export function decodeBlock(value: Uint8Array): Block | null {
  try {
    const b = decode(blockCodec, value);
    return { ...b, height: Number(b.height), evidence: b.evidence.map(decodeEvidence) };
  } catch {
    return null;
  }
}

/** What an equivocating proposer shows the other half of the network: the same block, another nonce. */
export function alternativeBlock(value: Uint8Array): Uint8Array | null {
  const b = decodeBlock(value);
  return b ? encodeBlock({ ...b, nonce: (b.nonce ^ 0xffffffff) >>> 0 }) : null;
}

const CHECKPOINT_TAG = domainTag("bitlayer/sim/checkpoint-roots/v1");
/** The application data a precommit signs (stands for the checkpoint roots of the block). */
export function extensionOf(value: Uint8Array): Uint8Array {
  return hashTagged(CHECKPOINT_TAG, value);
}

export const evidenceKey = (e: DuplicateVoteEvidence, publicKey: Uint8Array): string =>
  `${e.voteA.vote.height}/${e.voteA.vote.round}/${e.voteA.vote.type}/${toHex(publicKey)}`;

/** One validator's copy of the chain: committed blocks and the validator set of every height. */
export class SimChain {
  readonly blocks: Uint8Array[] = []; // blocks[h - 1] is height h
  readonly sets: Validator[][] = []; // sets[h - 1] decides height h, sorted as the core sorts
  readonly evidenceCommitted = new Set<string>();

  readonly chainId: string;

  constructor(chainId: string, genesis: Validator[]) {
    this.chainId = chainId;
    this.sets.push(sortedSet(genesis));
  }

  get height(): number {
    return this.blocks.length;
  }

  setAt(height: number): Validator[] | undefined {
    return this.sets[height - 1];
  }

  /** Key of the evidence if it proves a double vote by a validator of its height, else null. */
  checkEvidence(e: DuplicateVoteEvidence, heightMax: number): string | null {
    const a = e.voteA.vote;
    const b = e.voteB.vote;
    if (a.height > heightMax || a.height !== b.height || a.round !== b.round || a.type !== b.type)
      return null;
    if (a.validatorIndex !== b.validatorIndex || valueKeyOf(a.valueId) === valueKeyOf(b.valueId)) return null;
    const set = this.setAt(a.height);
    const validator = set?.[a.validatorIndex];
    if (!validator) return null;
    for (const s of [e.voteA, e.voteB])
      if (!verifyStandIn(validator.publicKey, voteSignBytes(this.chainId, s.vote), s.signature)) return null;
    return evidenceKey(e, validator.publicKey);
  }

  /** The validity predicate valid(v) of the paper, for the block at the next height. */
  isValid(value: Uint8Array): boolean {
    const b = decodeBlock(value);
    const height = this.height + 1;
    if (!b || b.height !== height) return false;
    const set = this.setAt(height)!;
    if (b.bond) {
      const target = b.bond.publicKey;
      if (b.bond.powerDelta < 1 || b.bond.powerDelta > BOND_POWER_MAX) return false;
      if (!set.some((v) => toHex(v.publicKey) === toHex(target))) return false;
    }
    const keys = new Set<string>();
    for (const e of b.evidence) {
      const key = this.checkEvidence(e, height);
      if (key === null || keys.has(key) || this.evidenceCommitted.has(key)) return false;
      keys.add(key);
    }
    return true;
  }

  /** Appends a decided block and derives the next height's validator set. */
  commit(value: Uint8Array): Validator[] {
    const height = this.height + 1;
    const b = decodeBlock(value) ?? {
      height,
      proposer: new Uint8Array(32),
      nonce: 0,
      bond: null,
      evidence: [],
    };
    let next = this.setAt(height)!.map((v) => ({ ...v }));
    if (b.bond) {
      const bonded = next.find((v) => toHex(v.publicKey) === toHex(b.bond!.publicKey));
      if (bonded) bonded.power += BigInt(b.bond.powerDelta);
    }
    for (const e of b.evidence) {
      const key = this.checkEvidence(e, height);
      if (key === null) continue;
      this.evidenceCommitted.add(key);
      const offender = this.setAt(e.voteA.vote.height)![e.voteA.vote.validatorIndex]!;
      if (next.length > 1) next = next.filter((v) => toHex(v.publicKey) !== toHex(offender.publicKey));
    }
    this.blocks.push(value);
    this.sets.push(sortedSet(next));
    return next;
  }
}

/** The core orders validators by public key; evidence names them by index in that order. */
export function sortedSet(set: readonly Validator[]): Validator[] {
  return [...set].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
}
