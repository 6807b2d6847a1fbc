/**
 * Table tests of the consensus core: each row is a description, the inputs
 * that set the scene, one input, the outputs it must produce and the state it
 * must leave. Together the rows cover every rule of Algorithm 1 of "The
 * latest gossip on BFT consensus" (the Lnn in each description).
 */
import { describe, expect, it } from "vitest";
import { bigintToBytesBE, toHex, utf8 } from "../../shared/bytes.ts";
import {
  type ConsensusConfig,
  type ConsensusInput,
  type ConsensusOutput,
  type ConsensusState,
  DEFAULT_TIMEOUTS,
  initialState,
  type Proposal,
  proposerIndex,
  signProposal,
  signVote,
  step,
  type Validator,
  valueIdOf,
  type VoteType,
} from "../../settlement-node/consensus/index.ts";
import { standInSigner } from "../../settlement-node/sim/signer.ts";

const CHAIN = "bitlayer-table";
const keyOf = (i: number) => bigintToBytesBE(BigInt(i + 1), 32); // already sorted: index i = validator i
const signers = [0, 1, 2, 3].map((i) => standInSigner(keyOf(i)));
const equalSet: Validator[] = [0, 1, 2, 3].map((i) => ({ publicKey: keyOf(i), power: 1n }));
const heavySet: Validator[] = [10n, 1n, 1n, 1n].map((power, i) => ({ publicKey: keyOf(i), power }));

const config = (self: number): ConsensusConfig => ({
  chainId: CHAIN,
  signer: signers[self]!,
  ...DEFAULT_TIMEOUTS,
});

const A = utf8("block A");
const B = utf8("block B");
const labels = new Map([
  [toHex(valueIdOf(A)), "A"],
  [toHex(valueIdOf(B)), "B"],
]);
const label = (id: Uint8Array | null) => (id === null ? "nil" : (labels.get(toHex(id)) ?? "?"));
const EXT = utf8("checkpoint roots");

const start = (validators = equalSet, height = 1): ConsensusInput => ({
  type: "startHeight",
  height,
  validators,
});
const proposal = (
  round: number,
  value: Uint8Array,
  polRound = -1,
  valid = true,
  from?: number,
): ConsensusInput => {
  const validatorIndex = from ?? round % 4;
  const p: Proposal = { height: 1, round, polRound, value, validatorIndex };
  return {
    type: "proposal",
    signed: signProposal(CHAIN, signers[validatorIndex]!, p),
    valid,
    extension: EXT,
  };
};
const vote = (
  type: VoteType,
  from: number,
  round: number,
  value: Uint8Array | null,
  height = 1,
): ConsensusInput => ({
  type: "vote",
  signed: signVote(CHAIN, signers[from]!, {
    type,
    height,
    round,
    valueId: value === null ? null : valueIdOf(value),
    validatorIndex: from,
    extension: type === "precommit" && value ? EXT : new Uint8Array(0),
  }),
});
const signedPrecommit = (from: number, round: number, value: Uint8Array) =>
  (vote("precommit", from, round, value) as Extract<ConsensusInput, { type: "vote" }>).signed;
const prevotes = (round: number, value: Uint8Array | null, from: number[]) =>
  from.map((i) => vote("prevote", i, round, value));
const precommits = (round: number, value: Uint8Array | null, from: number[]) =>
  from.map((i) => vote("precommit", i, round, value));
const timeout = (round: number, s: "propose" | "prevote" | "precommit"): ConsensusInput => ({
  type: "timeout",
  height: 1,
  round,
  step: s,
});

/** Outputs as short strings so a row reads like the paper. */
function show(o: ConsensusOutput): string {
  switch (o.type) {
    case "broadcast": {
      const m = o.message;
      if (m.type === "proposal") {
        const p = m.signed.proposal;
        return `proposal r${p.round} ${label(valueIdOf(p.value))} vr${p.polRound}`;
      }
      if (m.type === "vote")
        return `${m.signed.vote.type} r${m.signed.vote.round} ${label(m.signed.vote.valueId)}`;
      return `commit r${m.certificate.round}`;
    }
    case "scheduleTimeout":
      return `timeout ${o.step} r${o.round} ${o.durationMs}ms`;
    case "getValue":
      return `getValue r${o.round}`;
    case "decide":
      return `decide r${o.round} ${label(valueIdOf(o.value))} by ${o.certificate.precommits.map((p) => p.vote.validatorIndex).join(",")}`;
    case "evidence":
      return `evidence v${o.evidence.voteA.vote.validatorIndex} ${o.evidence.voteA.vote.type} r${o.evidence.voteA.vote.round} ${[label(o.evidence.voteA.vote.valueId), label(o.evidence.voteB.vote.valueId)].sort().join("/")}`;
  }
}

type Expected = Partial<{
  height: number;
  round: number;
  step: ConsensusState["step"];
  locked: string;
  lockedRound: number;
  valid: string;
  validRound: number;
}>;
function summary(s: ConsensusState): Required<Expected> {
  return {
    height: s.height,
    round: s.round,
    step: s.step,
    locked: s.lockedValue ? label(s.lockedValue.valueId) : "nil",
    lockedRound: s.lockedRound,
    valid: s.validValue ? label(s.validValue.valueId) : "nil",
    validRound: s.validRound,
  };
}

type Row = {
  rule: string;
  self?: number;
  given: ConsensusInput[];
  input: ConsensusInput;
  outputs: string[];
  state: Expected;
};

const locked0OnB = [proposal(0, B), ...prevotes(0, B, [0, 1, 2])]; // self 3 locks B in round 0
const rows: Row[] = [
  {
    rule: "L11/L21 a non-proposer starting round 0 schedules the propose timeout",
    given: [],
    input: start(),
    outputs: ["timeout propose r0 3000ms"],
    state: { height: 1, round: 0, step: "propose" },
  },
  {
    rule: "L18 the proposer without a valid value asks the application for one",
    self: 0,
    given: [],
    input: start(),
    outputs: ["getValue r0"],
    state: { step: "propose" },
  },
  {
    rule: "L19 the proposer broadcasts the application's value with vr = -1, then L22 prevotes it",
    self: 0,
    given: [start()],
    input: { type: "proposeValue", height: 1, round: 0, value: A, extension: EXT },
    outputs: ["proposal r0 A vr-1", "prevote r0 A"],
    state: { step: "prevote" },
  },
  {
    rule: "L19 an answer for a round already left is ignored",
    self: 0,
    given: [start(), timeout(0, "propose")],
    input: { type: "proposeValue", height: 1, round: 0, value: A, extension: EXT },
    outputs: [],
    state: { step: "prevote" },
  },
  {
    rule: "L15 a proposer holding a valid value re-proposes it with vr = validRound, and L28 prevotes it",
    self: 1,
    given: [start(), proposal(0, A), ...prevotes(0, A, [0, 2])],
    input: vote("prevote", 3, 1, null),
    outputs: [],
    state: { round: 0, locked: "A", valid: "A", validRound: 0 },
  },
  {
    rule: "L15+L55 after f+1 round-1 messages the round-1 proposer re-proposes its valid value",
    self: 1,
    given: [start(), proposal(0, A), ...prevotes(0, A, [0, 2]), vote("prevote", 3, 1, null)],
    input: vote("prevote", 2, 1, null),
    outputs: ["proposal r1 A vr0", "prevote r1 A", "timeout prevote r1 1500ms"],
    state: { round: 1, step: "prevote", locked: "A", lockedRound: 0 },
  },
  {
    rule: "L22 a valid proposal while unlocked gets a prevote for it",
    given: [start()],
    input: proposal(0, A),
    outputs: ["prevote r0 A"],
    state: { step: "prevote" },
  },
  {
    rule: "L22 an invalid proposal gets a nil prevote",
    given: [start()],
    input: proposal(0, A, -1, false),
    outputs: ["prevote r0 nil"],
    state: { step: "prevote" },
  },
  {
    rule: "L22 a proposal for another value than the lock gets a nil prevote",
    given: [start(), ...locked0OnB, timeout(0, "precommit")],
    input: proposal(1, A),
    outputs: ["prevote r1 nil"],
    state: { round: 1, locked: "B", lockedRound: 0 },
  },
  {
    rule: "L22 a proposal for the locked value gets a prevote",
    given: [start(), ...locked0OnB, timeout(0, "precommit")],
    input: proposal(1, B),
    outputs: ["prevote r1 B"],
    state: { round: 1, locked: "B" },
  },
  {
    rule: "L22 a proposal from a validator that is not proposer(h, r) is ignored",
    given: [start()],
    input: proposal(0, A, -1, true, 2),
    outputs: [],
    state: { step: "propose" },
  },
  {
    rule: "L28 a re-proposal with 2f+1 prevotes at vr >= lockedRound gets a prevote despite the lock",
    given: [
      start(),
      ...locked0OnB,
      timeout(0, "precommit"),
      timeout(1, "propose"),
      ...prevotes(1, A, [0, 1, 2]),
      timeout(1, "prevote"),
      timeout(1, "precommit"),
    ],
    input: proposal(2, A, 1),
    outputs: ["prevote r2 A"],
    state: { round: 2, step: "prevote", locked: "B", lockedRound: 0, valid: "B", validRound: 0 },
  },
  {
    rule: "L28 a re-proposal from a round older than the lock gets a nil prevote",
    given: [
      start(),
      proposal(0, A),
      ...prevotes(0, A, [0, 1]),
      vote("prevote", 2, 0, null),
      timeout(0, "prevote"),
      timeout(0, "precommit"),
      proposal(1, B),
      ...prevotes(1, B, [0, 1, 2]),
    ],
    input: proposal(2, A, 0),
    outputs: [],
    state: { round: 1, locked: "B", lockedRound: 1 },
  },
  {
    rule: "L28 a re-proposal without 2f+1 prevotes at vr waits, then L57 prevotes nil on timeout",
    given: [
      start(),
      timeout(0, "propose"),
      timeout(0, "prevote"),
      timeout(0, "precommit"),
      timeout(1, "propose"),
      timeout(1, "prevote"),
      timeout(1, "precommit"),
      proposal(2, A, 0),
    ],
    input: timeout(2, "propose"),
    outputs: ["prevote r2 nil"],
    state: { round: 2, step: "prevote" },
  },
  {
    rule: "L34 2f+1 prevotes for different values schedule the prevote timeout",
    given: [start(), proposal(0, A)],
    input: vote("prevote", 1, 0, null),
    outputs: [],
    state: { step: "prevote" },
  },
  {
    rule: "L34 ... once the third prevote arrives (self, 0, 1), and only once",
    given: [start(), proposal(0, A), vote("prevote", 0, 0, B)],
    input: vote("prevote", 1, 0, null),
    outputs: ["timeout prevote r0 1000ms"],
    state: { step: "prevote" },
  },
  {
    rule: "L36 a proposal with 2f+1 prevotes locks, precommits with the extension and sets the valid value",
    given: [start(), proposal(0, A), ...prevotes(0, A, [0])],
    input: vote("prevote", 1, 0, A),
    outputs: ["timeout prevote r0 1000ms", "precommit r0 A"],
    state: { step: "precommit", locked: "A", lockedRound: 0, valid: "A", validRound: 0 },
  },
  {
    rule: "L36 after a nil precommit, 2f+1 prevotes only update the valid value",
    given: [
      start(),
      proposal(0, A),
      vote("prevote", 0, 0, A),
      vote("prevote", 1, 0, null),
      timeout(0, "prevote"),
    ],
    input: vote("prevote", 2, 0, A),
    outputs: [],
    state: { step: "precommit", locked: "nil", valid: "A", validRound: 0 },
  },
  {
    rule: "L36 2f+1 prevotes for a value whose proposal is missing do nothing",
    given: [start(), timeout(0, "propose"), ...prevotes(0, A, [0])],
    input: vote("prevote", 1, 0, A),
    outputs: ["timeout prevote r0 1000ms"],
    state: { step: "prevote", locked: "nil" },
  },
  {
    rule: "L44 2f+1 nil prevotes precommit nil",
    given: [start(), timeout(0, "propose"), vote("prevote", 0, 0, null)],
    input: vote("prevote", 1, 0, null),
    outputs: ["timeout prevote r0 1000ms", "precommit r0 nil"],
    state: { step: "precommit" },
  },
  {
    rule: "L47 2f+1 precommits for anything schedule the precommit timeout",
    given: [start(), timeout(0, "propose"), timeout(0, "prevote"), vote("precommit", 0, 0, A)],
    input: vote("precommit", 1, 0, null),
    outputs: ["timeout precommit r0 1000ms"],
    state: { step: "precommit" },
  },
  {
    rule: "L49 a proposal with 2f+1 precommits decides, with the precommits as certificate",
    given: [start(), proposal(0, A), ...precommits(0, A, [0, 1])],
    input: vote("precommit", 2, 0, A),
    outputs: ["decide r0 A by 0,1,2"],
    state: { step: "commit" },
  },
  {
    rule: "L49 precommits of an earlier round decide too",
    given: [
      start(),
      proposal(0, A),
      timeout(0, "prevote"),
      timeout(0, "precommit"),
      ...precommits(0, A, [0, 1]),
    ],
    input: vote("precommit", 2, 0, A),
    outputs: ["decide r0 A by 0,1,2"],
    state: { round: 1, step: "commit" },
  },
  {
    rule: "L49 an invalid value is never decided",
    given: [start(), proposal(0, A, -1, false), ...precommits(0, A, [0, 1])],
    input: vote("precommit", 2, 0, A),
    outputs: ["timeout precommit r0 1000ms"],
    state: { step: "prevote" },
  },
  {
    rule: "L55 messages from f+1 of stake in a higher round start that round",
    given: [start(), vote("prevote", 0, 2, null)],
    input: vote("precommit", 1, 2, null),
    outputs: ["timeout propose r2 4000ms"],
    state: { round: 2, step: "propose" },
  },
  {
    rule: "L55 messages from only f of stake in a higher round do not",
    given: [start()],
    input: vote("prevote", 0, 3, null),
    outputs: [],
    state: { round: 0 },
  },
  {
    rule: "L57 the propose timeout prevotes nil",
    given: [start()],
    input: timeout(0, "propose"),
    outputs: ["prevote r0 nil"],
    state: { step: "prevote" },
  },
  {
    rule: "L61 the prevote timeout precommits nil",
    given: [start(), timeout(0, "propose")],
    input: timeout(0, "prevote"),
    outputs: ["precommit r0 nil"],
    state: { step: "precommit" },
  },
  {
    rule: "L65 the precommit timeout starts the next round",
    given: [start()],
    input: timeout(0, "precommit"),
    outputs: ["timeout propose r1 3500ms"],
    state: { round: 1, step: "propose" },
  },
  {
    rule: "stale timeouts (older round or step) are ignored",
    given: [start(), timeout(0, "precommit")],
    input: timeout(0, "propose"),
    outputs: [],
    state: { round: 1, step: "propose" },
  },
  {
    rule: "a prevote timeout in the propose step is ignored",
    given: [start()],
    input: timeout(0, "prevote"),
    outputs: [],
    state: { step: "propose" },
  },
  {
    rule: "evidence: two prevotes by one validator for different values are reported (each counts only for its own value)",
    given: [start(), vote("prevote", 2, 0, A)],
    input: vote("prevote", 2, 0, B),
    outputs: ["evidence v2 prevote r0 A/B"],
    state: { step: "propose" },
  },
  {
    rule: "evidence: an equivocator's second prevote still counts for its own value, so L36 sees the quorum others saw",
    given: [start(), proposal(0, A), vote("prevote", 2, 0, B), vote("prevote", 0, 0, A)],
    input: vote("prevote", 2, 0, A),
    outputs: ["evidence v2 prevote r0 A/B", "precommit r0 A"],
    state: { step: "precommit", locked: "A", lockedRound: 0 },
  },
  {
    rule: "evidence: a repeated identical vote is no evidence",
    given: [start(), vote("prevote", 2, 0, A)],
    input: vote("prevote", 2, 0, A),
    outputs: [],
    state: {},
  },
  {
    rule: "evidence: equivocating precommits after the decision are still reported",
    given: [start(), proposal(0, A), ...precommits(0, A, [0, 1, 2])],
    input: vote("precommit", 2, 0, B),
    outputs: ["evidence v2 precommit r0 A/B"],
    state: { step: "commit" },
  },
  {
    rule: "stake: one validator with > 2/3 of stake is a quorum alone (L49)",
    given: [start(heavySet), proposal(0, A)],
    input: vote("precommit", 0, 0, A),
    outputs: ["decide r0 A by 0"],
    state: { step: "commit" },
  },
  {
    rule: "stake: three validators with < 1/3 of stake cannot skip a round (L55)",
    given: [start(heavySet), vote("prevote", 1, 2, null), vote("prevote", 2, 2, null)],
    input: vote("prevote", 3, 2, null),
    outputs: [],
    state: { round: 0 },
  },
  {
    rule: "catch-up: a commit certificate of > 2/3 precommits decides the current height",
    given: [start()],
    input: {
      type: "commit",
      value: A,
      certificate: {
        height: 1,
        round: 4,
        valueId: valueIdOf(A),
        precommits: [0, 1, 2].map((i) => signedPrecommit(i, 4, A)),
      },
    },
    outputs: ["decide r4 A by 0,1,2"],
    state: { step: "commit" },
  },
  {
    rule: "catch-up: a certificate with only 2/3 of stake is ignored",
    given: [start()],
    input: {
      type: "commit",
      value: A,
      certificate: {
        height: 1,
        round: 4,
        valueId: valueIdOf(A),
        precommits: [0, 1].map((i) => signedPrecommit(i, 4, A)),
      },
    },
    outputs: [],
    state: { step: "propose" },
  },
  {
    rule: "next height: messages for h+1 wait until the application starts it",
    given: [
      start(),
      proposal(0, A),
      ...precommits(0, A, [0, 1, 2]),
      vote("prevote", 0, 1, null, 2),
      vote("prevote", 1, 1, null, 2),
    ],
    input: start(equalSet, 2),
    outputs: ["timeout propose r0 3000ms", "timeout propose r1 3500ms"],
    state: { height: 2, round: 1, locked: "nil" },
  },
];

describe("consensus core: one row per rule of the paper", () => {
  for (const row of rows) {
    it(row.rule, () => {
      const self = row.self ?? 3;
      let state = initialState();
      for (const input of row.given) state = step(config(self), state, input).state;
      const result = step(config(self), state, row.input);
      expect(result.outputs.map(show)).toEqual(row.outputs);
      expect(summary(result.state)).toMatchObject(row.state);
    });
  }
});

describe("proposer selection", () => {
  it("weighted round robin gives each validator rounds in proportion to its stake", async () => {
    const { makeValidatorSet } = await import("../../settlement-node/consensus/index.ts");
    const set = makeValidatorSet([3n, 1n, 1n, 5n].map((power, i) => ({ publicKey: keyOf(i), power })));
    const counts = [0, 0, 0, 0];
    for (let r = 0; r < 100; r++) counts[proposerIndex(set, r)]!++;
    expect(counts).toEqual([30, 10, 10, 50]);
  });
});
