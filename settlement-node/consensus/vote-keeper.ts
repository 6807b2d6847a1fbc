/**
 * Vote keeper: the signed votes of one height, one per validator per round
 * and type, with stake tallies per value and the distinct-sender stake of
 * each round (for round skipping, L55). A second, different vote from the
 * same validator is not counted: it is returned as evidence.
 */
import { compareBytes, toHex } from "../../shared/bytes.ts";
import { encodeEvidence } from "./messages.ts";
import type { DuplicateVoteEvidence, SignedVote, VoteType } from "./messages.ts";

export const NIL_KEY = "nil";

export type VoteTally = {
  byValidator: (SignedVote | undefined)[];
  /** Stake per value key (hex of the value id, or "nil"). */
  powerByValue: Map<string, bigint>;
  powerAny: bigint;
};

export type RoundVotes = {
  prevote: VoteTally;
  precommit: VoteTally;
  /** Validators heard from in this round with any message, and their stake. */
  senders: boolean[];
  powerSenders: bigint;
};

export type AddVoteResult =
  | { kind: "added" }
  | { kind: "duplicate" }
  | { kind: "equivocation"; evidence: DuplicateVoteEvidence };

export const valueKeyOf = (valueId: Uint8Array | null): string =>
  valueId === null ? NIL_KEY : toHex(valueId);

function emptyTally(): VoteTally {
  return { byValidator: [], powerByValue: new Map(), powerAny: 0n };
}

export function emptyRoundVotes(): RoundVotes {
  return { prevote: emptyTally(), precommit: emptyTally(), senders: [], powerSenders: 0n };
}

export function tallyOf(round: RoundVotes, type: VoteType): VoteTally {
  return type === "prevote" ? round.prevote : round.precommit;
}

export function noteSender(round: RoundVotes, validatorIndex: number, power: bigint): void {
  if (round.senders[validatorIndex]) return;
  round.senders[validatorIndex] = true;
  round.powerSenders += power;
}

/** Evidence in canonical order (by encoded vote bytes) so every node reports the same bytes. */
export function makeEvidence(a: SignedVote, b: SignedVote): DuplicateVoteEvidence {
  const first = encodeEvidence({ voteA: a, voteB: b });
  const second = encodeEvidence({ voteA: b, voteB: a });
  return compareBytes(first, second) <= 0 ? { voteA: a, voteB: b } : { voteA: b, voteB: a };
}

export function addVote(round: RoundVotes, signed: SignedVote, power: bigint): AddVoteResult {
  const { vote } = signed;
  const tally = tallyOf(round, vote.type);
  const existing = tally.byValidator[vote.validatorIndex];
  const key = valueKeyOf(vote.valueId);
  if (existing) {
    if (valueKeyOf(existing.vote.valueId) === key) return { kind: "duplicate" };
    return { kind: "equivocation", evidence: makeEvidence(existing, signed) };
  }
  tally.byValidator[vote.validatorIndex] = signed;
  tally.powerByValue.set(key, (tally.powerByValue.get(key) ?? 0n) + power);
  tally.powerAny += power;
  noteSender(round, vote.validatorIndex, power);
  return { kind: "added" };
}

export function powerFor(round: RoundVotes, type: VoteType, key: string): bigint {
  return tallyOf(round, type).powerByValue.get(key) ?? 0n;
}

/** The precommits for one value in validator order: the signatures of a commit certificate. */
export function precommitsFor(round: RoundVotes, key: string): SignedVote[] {
  const out: SignedVote[] = [];
  for (const v of round.precommit.byValidator) if (v && valueKeyOf(v.vote.valueId) === key) out.push(v);
  return out;
}
