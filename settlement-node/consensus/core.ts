/**
 * The Tendermint consensus core: "The latest gossip on BFT consensus"
 * (Buchman, Kwon, Milosevic, 2018), Algorithm 1, with stake-weighted votes.
 *
 *   step(config, state, input) -> { state, outputs }
 *
 * Pure and deterministic: no clock (timeouts are inputs keyed by height,
 * round and step; stale ones are ignored), no I/O, no randomness. `step`
 * takes ownership of `state` and returns it updated, so replaying the same
 * inputs into `initialState` rebuilds the same state (the shell's WAL
 * replay). Signatures are made here (through `Signer`) but checked by the
 * shell before input. Comments `// Lnn` name the line of the paper's
 * pseudo-code a transition implements.
 */
import { equalBytes, toHex } from "../../shared/bytes.ts";
import { ConsensusInvariantError } from "./errors.ts";
import {
  type CommitCertificate,
  type ConsensusMessage,
  type DuplicateVoteEvidence,
  type SignedProposal,
  type SignedVote,
  type Signer,
  signProposal,
  signVote,
  valueIdOf,
  type VoteType,
} from "./messages.ts";
import {
  type Validator,
  type ValidatorSet,
  isOneThird,
  isQuorum,
  nextValidatorSet,
  proposerIndex,
} from "./validators.ts";
import {
  addVote,
  emptyRoundVotes,
  NIL_KEY,
  noteSender,
  powerFor,
  precommitsFor,
  type RoundVotes,
  valueKeyOf,
} from "./vote-keeper.ts";

export type TimeoutStep = "propose" | "prevote" | "precommit";
export type Step = "unstarted" | TimeoutStep | "commit";

export type ConsensusConfig = {
  chainId: string;
  /** null for a node that follows consensus without voting. */
  signer: Signer | null;
  timeoutMsPropose: number;
  timeoutMsProposeDelta: number;
  timeoutMsPrevote: number;
  timeoutMsPrevoteDelta: number;
  timeoutMsPrecommit: number;
  timeoutMsPrecommitDelta: number;
};

export const DEFAULT_TIMEOUTS = {
  timeoutMsPropose: 3000,
  timeoutMsProposeDelta: 500,
  timeoutMsPrevote: 1000,
  timeoutMsPrevoteDelta: 500,
  timeoutMsPrecommit: 1000,
  timeoutMsPrecommitDelta: 500,
} as const;

/** Inputs buffered for the next height, replayed when it starts; beyond this, peers' re-gossip covers us. */
export const FUTURE_INPUTS_MAX = 4096;
/** Distinct proposals kept per round: an equivocating proposer cannot fill memory. */
export const PROPOSALS_PER_ROUND_MAX = 4;

export type ConsensusInput =
  /** From the application: begin `height` with this validator set (changes apply at height boundaries). */
  | { type: "startHeight"; height: number; validators: readonly Validator[] }
  /** The application's answer to `getValue`, with the extension (checkpoint roots) to sign with a precommit. */
  | { type: "proposeValue"; height: number; round: number; value: Uint8Array; extension: Uint8Array }
  /** A proposal with signature already checked; `valid` and `extension` are the application's answers for its value. */
  | { type: "proposal"; signed: SignedProposal; valid: boolean; extension: Uint8Array }
  | { type: "vote"; signed: SignedVote }
  /** A decision of the current height proven by > 2/3 precommits (catch-up for a node that missed the round). */
  | { type: "commit"; certificate: CommitCertificate; value: Uint8Array }
  | { type: "timeout"; height: number; round: number; step: TimeoutStep };

export type ConsensusOutput =
  | { type: "broadcast"; message: ConsensusMessage }
  | { type: "scheduleTimeout"; height: number; round: number; step: TimeoutStep; durationMs: number }
  | { type: "getValue"; height: number; round: number }
  | { type: "decide"; height: number; round: number; value: Uint8Array; certificate: CommitCertificate }
  | { type: "evidence"; evidence: DuplicateVoteEvidence };

export type ValueRecord = { value: Uint8Array; valueId: Uint8Array; key: string; extension: Uint8Array };
type ProposalRecord = ValueRecord & { signed: SignedProposal; valid: boolean };

type RoundState = {
  /** The first proposal from proposer(h, r) is the one L22/L28 act on; later ones only serve L36/L49. */
  proposals: ProposalRecord[];
  votes: RoundVotes;
  doneL34: boolean;
  doneL36: boolean;
  doneL47: boolean;
};

export type ConsensusState = {
  height: number;
  round: number;
  step: Step;
  validatorSet: ValidatorSet | null;
  /** Our index in the validator set, -1 when we do not vote at this height. */
  indexSelf: number;
  lockedValue: ValueRecord | null;
  lockedRound: number;
  validValue: ValueRecord | null;
  validRound: number;
  rounds: Map<number, RoundState>;
  /** Rounds for which we asked the application for a value and have not proposed yet. */
  awaitingValue: number;
  /** What we signed this height, keyed `round/type`: the sign guard that makes double-signing a crash. */
  signedThisHeight: Map<string, string>;
  /** Our own messages of this height, re-sent by the shell's gossip until peers move on. */
  ownMessages: ConsensusMessage[];
  decision: { round: number; value: ValueRecord; certificate: CommitCertificate } | null;
  lastCommit: { certificate: CommitCertificate; value: Uint8Array } | null;
  future: ConsensusInput[];
  evidenceReported: Set<string>;
};

export function initialState(): ConsensusState {
  return {
    height: 0,
    round: 0,
    step: "unstarted",
    validatorSet: null,
    indexSelf: -1,
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    rounds: new Map(),
    awaitingValue: -1,
    signedThisHeight: new Map(),
    ownMessages: [],
    decision: null,
    lastCommit: null,
    future: [],
    evidenceReported: new Set(),
  };
}

export type StepResult = { state: ConsensusState; outputs: ConsensusOutput[] };

export function step(config: ConsensusConfig, state: ConsensusState, input: ConsensusInput): StepResult {
  const outputs: ConsensusOutput[] = [];
  const ctx: Ctx = { config, state, outputs };
  apply(ctx, input);
  return { state, outputs };
}

type Ctx = { config: ConsensusConfig; state: ConsensusState; outputs: ConsensusOutput[] };

function apply(ctx: Ctx, input: ConsensusInput): void {
  const { state } = ctx;
  if (input.type === "startHeight") {
    startHeight(ctx, input.height, input.validators);
    return;
  }
  if (state.step === "unstarted") return;
  const height = inputHeight(input);
  if (height === state.height + 1) {
    if (state.future.length < FUTURE_INPUTS_MAX) state.future.push(input);
    return;
  }
  if (height !== state.height) return;
  switch (input.type) {
    case "proposeValue":
      onProposeValue(ctx, input);
      break;
    case "proposal":
      onProposal(ctx, input.signed, input.valid, input.extension);
      break;
    case "vote":
      onVote(ctx, input.signed);
      break;
    case "commit":
      onCommit(ctx, input.certificate, input.value);
      break;
    case "timeout":
      onTimeout(ctx, input.round, input.step);
      break;
  }
  evaluate(ctx);
}

function inputHeight(input: Exclude<ConsensusInput, { type: "startHeight" }>): number {
  switch (input.type) {
    case "proposal":
      return input.signed.proposal.height;
    case "vote":
      return input.signed.vote.height;
    case "commit":
      return input.certificate.height;
    default:
      return input.height;
  }
}

function startHeight(ctx: Ctx, height: number, validators: readonly Validator[]): void {
  const { state, config } = ctx;
  if (state.step !== "unstarted" && !(state.step === "commit" && height === state.height + 1))
    throw new ConsensusInvariantError(
      `startHeight(${height}) at height ${state.height} in step ${state.step}`,
      "The application starts the next height only after the core decides the current one.",
    );
  const set = nextValidatorSet(state.validatorSet, validators);
  const self = config.signer?.publicKey;
  const future = state.step === "commit" ? state.future : [];
  if (state.decision)
    state.lastCommit = { certificate: state.decision.certificate, value: state.decision.value.value };
  Object.assign(state, {
    height,
    validatorSet: set,
    indexSelf: self ? set.validators.findIndex((v) => equalBytes(v.publicKey, self)) : -1,
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    rounds: new Map(),
    awaitingValue: -1,
    signedThisHeight: new Map(),
    ownMessages: [],
    decision: null,
    future: [],
    evidenceReported: new Set(),
  } satisfies Partial<ConsensusState>);
  startRound(ctx, 0);
  evaluate(ctx);
  for (const input of future) if (inputHeight(input as never) === height) apply(ctx, input);
}

function roundState(state: ConsensusState, round: number): RoundState {
  let r = state.rounds.get(round);
  if (!r) {
    r = { proposals: [], votes: emptyRoundVotes(), doneL34: false, doneL36: false, doneL47: false };
    state.rounds.set(round, r);
  }
  return r;
}

function powerOf(state: ConsensusState, index: number): bigint {
  return state.validatorSet!.validators[index]!.power;
}

function proposerOf(state: ConsensusState, round: number): number {
  return proposerIndex(state.validatorSet!, round);
}

// L11
function startRound(ctx: Ctx, round: number): void {
  const { state } = ctx;
  state.round = round;
  state.step = "propose";
  if (proposerOf(state, round) === state.indexSelf) {
    if (state.validValue)
      broadcastProposal(ctx, state.validValue, state.validRound); // L15
    else {
      state.awaitingValue = round; // L18: getValue()
      ctx.outputs.push({ type: "getValue", height: state.height, round });
    }
  } else scheduleTimeout(ctx, "propose"); // L21
}

function onProposeValue(ctx: Ctx, input: Extract<ConsensusInput, { type: "proposeValue" }>): void {
  const { state } = ctx;
  if (input.round !== state.round || state.awaitingValue !== input.round || state.step !== "propose") return;
  state.awaitingValue = -1;
  const valueId = valueIdOf(input.value);
  broadcastProposal(
    ctx,
    { value: input.value, valueId, key: toHex(valueId), extension: input.extension },
    -1,
  );
}

// L19
function broadcastProposal(ctx: Ctx, value: ValueRecord, polRound: number): void {
  const { state, config } = ctx;
  guardSign(state, `${state.round}/proposal`, value.key);
  const signed = signProposal(config.chainId, config.signer!, {
    height: state.height,
    round: state.round,
    polRound,
    value: value.value,
    validatorIndex: state.indexSelf,
  });
  const message: ConsensusMessage = { type: "proposal", signed };
  state.ownMessages.push(message);
  ctx.outputs.push({ type: "broadcast", message });
  onProposal(ctx, signed, true, value.extension);
}

function onProposal(ctx: Ctx, signed: SignedProposal, valid: boolean, extension: Uint8Array): void {
  const { state } = ctx;
  const p = signed.proposal;
  const set = state.validatorSet!;
  if (p.polRound >= p.round || p.validatorIndex >= set.validators.length) return;
  if (p.validatorIndex !== proposerOf(state, p.round)) return;
  const r = roundState(state, p.round);
  const valueId = valueIdOf(p.value);
  const key = toHex(valueId);
  noteSender(r.votes, p.validatorIndex, powerOf(state, p.validatorIndex));
  if (r.proposals.length >= PROPOSALS_PER_ROUND_MAX || r.proposals.some((x) => x.key === key)) return;
  r.proposals.push({ signed, value: p.value, valueId, key, extension, valid });
}

function onVote(ctx: Ctx, signed: SignedVote): void {
  const { state } = ctx;
  const v = signed.vote;
  if (v.validatorIndex >= state.validatorSet!.validators.length) return;
  const result = addVote(roundState(state, v.round).votes, signed, powerOf(state, v.validatorIndex));
  if (result.kind !== "equivocation") return;
  const id = `${v.round}/${v.type}/${v.validatorIndex}`;
  if (state.evidenceReported.has(id)) return;
  state.evidenceReported.add(id);
  ctx.outputs.push({ type: "evidence", evidence: result.evidence });
}

/** Catch-up: > 2/3 precommits for a value decide it, whichever round they are from (L49 with the value carried along). */
function onCommit(ctx: Ctx, certificate: CommitCertificate, value: Uint8Array): void {
  const { state } = ctx;
  if (state.decision) return;
  const set = state.validatorSet!;
  const valueId = valueIdOf(value);
  if (!equalBytes(valueId, certificate.valueId)) return;
  const seen = new Set<number>();
  let power = 0n;
  for (const { vote } of certificate.precommits) {
    const ok =
      vote.type === "precommit" &&
      vote.height === state.height &&
      vote.round === certificate.round &&
      vote.valueId !== null &&
      equalBytes(vote.valueId, valueId) &&
      vote.validatorIndex < set.validators.length &&
      !seen.has(vote.validatorIndex);
    if (!ok) return;
    seen.add(vote.validatorIndex);
    power += powerOf(state, vote.validatorIndex);
  }
  if (!isQuorum(power, set.totalPower)) return;
  const record = { value, valueId, key: toHex(valueId), extension: new Uint8Array(0) };
  decide(ctx, certificate.round, record, certificate);
}

function onTimeout(ctx: Ctx, round: number, timeoutStep: TimeoutStep): void {
  const { state } = ctx;
  if (round !== state.round) return; // stale
  if (timeoutStep === "propose" && state.step === "propose") {
    vote(ctx, "prevote", null); // L57
    state.step = "prevote";
  } else if (timeoutStep === "prevote" && state.step === "prevote") {
    vote(ctx, "precommit", null); // L61
    state.step = "precommit";
  } else if (timeoutStep === "precommit" && state.step !== "commit") {
    startRound(ctx, state.round + 1); // L65
  }
}

/** Fires every rule whose condition holds, until none does. */
function evaluate(ctx: Ctx): void {
  const { state } = ctx;
  for (;;) {
    if (state.step === "commit" || state.step === "unstarted") return;
    if (ruleDecide(ctx) || ruleSkipRound(ctx) || ruleRound(ctx)) continue;
    return;
  }
}

// L49: upon PROPOSAL(h, r, v, *) from proposer(h, r) and 2f+1 PRECOMMIT(h, r, id(v)) while decision[h] = nil
function ruleDecide(ctx: Ctx): boolean {
  const { state } = ctx;
  const total = state.validatorSet!.totalPower;
  for (const [round, r] of state.rounds) {
    for (const p of r.proposals) {
      if (!isQuorum(powerFor(r.votes, "precommit", p.key), total)) continue;
      if (!p.valid) continue; // L50: if valid(v)
      const certificate: CommitCertificate = {
        height: state.height,
        round,
        valueId: p.valueId,
        precommits: precommitsFor(r.votes, p.key),
      };
      decide(ctx, round, p, certificate);
      return true;
    }
  }
  return false;
}

function decide(ctx: Ctx, round: number, value: ValueRecord, certificate: CommitCertificate): void {
  const { state } = ctx;
  state.decision = { round, value, certificate }; // L51
  state.step = "commit";
  ctx.outputs.push({ type: "decide", height: state.height, round, value: value.value, certificate });
}

// L55: upon f+1 messages of a round higher than ours, start that round
function ruleSkipRound(ctx: Ctx): boolean {
  const { state } = ctx;
  const total = state.validatorSet!.totalPower;
  let target = -1;
  for (const [round, r] of state.rounds)
    if (round > state.round && round > target && isOneThird(r.votes.powerSenders, total)) target = round;
  if (target < 0) return false;
  startRound(ctx, target);
  return true;
}

/** The rules of the current round (L22, L28, L34, L36, L44, L47); true when one fired. */
function ruleRound(ctx: Ctx): boolean {
  const { state } = ctx;
  const total = state.validatorSet!.totalPower;
  const r = roundState(state, state.round);
  const first = r.proposals[0];
  if (state.step === "propose" && first) {
    const vr = first.signed.proposal.polRound;
    if (vr === -1) {
      // L22: upon PROPOSAL(h, round, v, -1) from proposer while step = propose
      const ok = first.valid && (state.lockedRound === -1 || state.lockedValue?.key === first.key);
      vote(ctx, "prevote", ok ? first.valueId : null); // L24-L26
      state.step = "prevote"; // L27
      return true;
    }
    const rv = state.rounds.get(vr);
    if (rv && isQuorum(powerFor(rv.votes, "prevote", first.key), total)) {
      // L28: upon PROPOSAL(h, round, v, vr) and 2f+1 PREVOTE(h, vr, id(v)) while step = propose and 0 <= vr < round
      const ok = first.valid && (state.lockedRound <= vr || state.lockedValue?.key === first.key);
      vote(ctx, "prevote", ok ? first.valueId : null); // L30-L32
      state.step = "prevote"; // L33
      return true;
    }
  }
  if (state.step === "prevote" && !r.doneL34 && isQuorum(r.votes.prevote.powerAny, total)) {
    r.doneL34 = true; // L34: upon 2f+1 PREVOTE(h, round, *) for the first time
    scheduleTimeout(ctx, "prevote");
    return true;
  }
  if ((state.step === "prevote" || state.step === "precommit") && !r.doneL36) {
    // L36: upon PROPOSAL(h, round, v, *) and 2f+1 PREVOTE(h, round, id(v)) while valid(v) and step >= prevote, first time
    const p = r.proposals.find((x) => x.valid && isQuorum(powerFor(r.votes, "prevote", x.key), total));
    if (p) {
      r.doneL36 = true;
      if (state.step === "prevote") {
        state.lockedValue = p; // L38
        state.lockedRound = state.round; // L39
        vote(ctx, "precommit", p.valueId, p.extension); // L40
        state.step = "precommit"; // L41
      }
      state.validValue = p; // L42
      state.validRound = state.round; // L43
      return true;
    }
  }
  if (state.step === "prevote" && isQuorum(powerFor(r.votes, "prevote", NIL_KEY), total)) {
    vote(ctx, "precommit", null); // L44-L45
    state.step = "precommit"; // L46
    return true;
  }
  if (!r.doneL47 && isQuorum(r.votes.precommit.powerAny, total)) {
    r.doneL47 = true; // L47: upon 2f+1 PRECOMMIT(h, round, *) for the first time
    scheduleTimeout(ctx, "precommit");
    return true;
  }
  return false;
}

function guardSign(state: ConsensusState, slot: string, key: string): void {
  const previous = state.signedThisHeight.get(slot);
  if (previous !== undefined && previous !== key)
    throw new ConsensusInvariantError(
      `Refusing to sign a conflicting ${slot} at height ${state.height}`,
      `Already signed ${previous}, asked to sign ${key}: the core's round logic is broken.`,
    );
  state.signedThisHeight.set(slot, key);
}

function vote(ctx: Ctx, type: VoteType, valueId: Uint8Array | null, extension?: Uint8Array): void {
  const { state, config } = ctx;
  if (state.indexSelf < 0 || !config.signer) return;
  guardSign(state, `${state.round}/${type}`, valueKeyOf(valueId));
  const signed = signVote(config.chainId, config.signer, {
    type,
    height: state.height,
    round: state.round,
    valueId,
    validatorIndex: state.indexSelf,
    extension:
      type === "precommit" && valueId !== null ? (extension ?? new Uint8Array(0)) : new Uint8Array(0),
  });
  const message: ConsensusMessage = { type: "vote", signed };
  state.ownMessages.push(message);
  ctx.outputs.push({ type: "broadcast", message });
  onVote(ctx, signed);
}

function scheduleTimeout(ctx: Ctx, timeoutStep: TimeoutStep): void {
  const { state, config } = ctx;
  const r = state.round;
  const durationMs =
    timeoutStep === "propose"
      ? config.timeoutMsPropose + r * config.timeoutMsProposeDelta
      : timeoutStep === "prevote"
        ? config.timeoutMsPrevote + r * config.timeoutMsPrevoteDelta
        : config.timeoutMsPrecommit + r * config.timeoutMsPrecommitDelta;
  ctx.outputs.push({
    type: "scheduleTimeout",
    height: state.height,
    round: r,
    step: timeoutStep,
    durationMs,
  });
}

/**
 * What the shell re-sends on its gossip tick: our own messages of this
 * height, the prevotes that justify our valid value and lock (their proof of
 * lock, POL: peers need them for L28 when our valid value is re-proposed with
 * vr = validRound), and the last decision's certificate. Relaying the POL is
 * what the paper's gossip assumption asks of a correct process; without it a
 * quorum seen only by the locked validators (an equivocator showed the
 * others something else) leaves them locked forever.
 */
export function gossipMessages(state: ConsensusState): ConsensusMessage[] {
  const out = [...state.ownMessages];
  const relayed = new Set<SignedVote>();
  for (const [round, value] of [
    [state.validRound, state.validValue],
    [state.lockedRound, state.lockedValue],
  ] as const) {
    if (round < 0 || !value) continue;
    for (const signed of state.rounds.get(round)?.votes.prevote.votesByValue.get(value.key) ?? [])
      if (signed.vote.validatorIndex !== state.indexSelf && !relayed.has(signed)) {
        relayed.add(signed);
        out.push({ type: "vote", signed });
      }
  }
  if (state.decision)
    out.push({ type: "commit", certificate: state.decision.certificate, value: state.decision.value.value });
  else if (state.lastCommit) out.push({ type: "commit", ...state.lastCommit });
  return out;
}
