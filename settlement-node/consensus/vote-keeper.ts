/**
 * Vote keeper: the signed votes of one height, with stake tallies per round,
 * type and value, and the distinct-sender stake of each round (for round
 * skipping, L55). Like the paper, which counts messages received, a
 * validator's stake counts once for every value it voted for: an
 * equivocator's second vote is counted for its own value (and reported as
 * evidence), so honest nodes that saw both halves still see the quorum the
 * others saw. This never helps a fork: honest validators never equivocate,
 * so two quorums still intersect in an honest validator. `powerAny` counts
 * each validator once. At most VALUES_PER_VALIDATOR_MAX values per
 * validator are kept, so an equivocator cannot fill memory.
 */
import { compareBytes, toHex } from "../../shared/bytes.ts";
import { encodeEvidence } from "./messages.ts";
import type { DuplicateVoteEvidence, SignedVote, VoteType } from "./messages.ts";

export const NIL_KEY = "nil";

export const VALUES_PER_VALIDATOR_MAX = 4;

export type VoteTally = {
  /** The first vote of each validator. */
  byValidator: (SignedVote | undefined)[];
  /** Votes per value key (hex of the value id, or "nil"), one per validator. */
  votesByValue: Map<string, SignedVote[]>;
  /** Stake per value key. */
  powerByValue: Map<string, bigint>;
  /** Values each validator voted for. */
  countValues: number[];
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
  return { byValidator: [], votesByValue: new Map(), powerByValue: new Map(), countValues: [], powerAny: 0n };
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
  const index = vote.validatorIndex;
  const existing = tally.byValidator[index];
  const key = valueKeyOf(vote.valueId);
  let voters = tally.votesByValue.get(key);
  if (voters?.some((v) => v.vote.validatorIndex === index)) return { kind: "duplicate" };
  const countValues = tally.countValues[index] ?? 0;
  if (countValues >= VALUES_PER_VALIDATOR_MAX) return { kind: "duplicate" };
  tally.countValues[index] = countValues + 1;
  if (!voters) tally.votesByValue.set(key, (voters = []));
  voters.push(signed);
  tally.powerByValue.set(key, (tally.powerByValue.get(key) ?? 0n) + power);
  if (existing) return { kind: "equivocation", evidence: makeEvidence(existing, signed) };
  tally.byValidator[index] = signed;
  tally.powerAny += power;
  noteSender(round, index, power);
  return { kind: "added" };
}

export function powerFor(round: RoundVotes, type: VoteType, key: string): bigint {
  return tallyOf(round, type).powerByValue.get(key) ?? 0n;
}

/** The precommits for one value in validator order: the signatures of a commit certificate. */
export function precommitsFor(round: RoundVotes, key: string): SignedVote[] {
  const votes = round.precommit.votesByValue.get(key) ?? [];
  return [...votes].sort((a, b) => a.vote.validatorIndex - b.vote.validatorIndex);
}
