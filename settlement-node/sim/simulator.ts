/**
 * A deterministic simulator of the consensus core, VOPR-style: one seed
 * drives one integer PRNG that picks 4-7 validators with random stakes, the
 * network's delays, drops, duplicates and partitions, crash-restarts (a
 * restarted node replays its logged inputs) and Byzantine validators. A
 * faulty phase is followed by a healthy one; the checkers in checkers.ts
 * judge the run. Same seed, same run, bit for bit.
 */
import { bigintToBytesBE, toHex, utf8 } from "../../shared/bytes.ts";
import { domainTag, hashTagged } from "../../shared/hash.ts";
import { Prng } from "../../shared/prng.ts";
import {
  type ConsensusConfig,
  type ConsensusInput,
  type ConsensusMessage,
  type ConsensusOutput,
  type ConsensusState,
  type DuplicateVoteEvidence,
  gossipMessages,
  initialState,
  proposalSignBytes,
  type SignedProposal,
  type Signer,
  signProposal,
  signVote,
  step,
  type Validator,
  valueIdOf,
  valueKeyOf,
  voteSignBytes,
} from "../consensus/index.ts";
import {
  alternativeBlock,
  type Block,
  EVIDENCE_PER_BLOCK_MAX,
  encodeBlock,
  extensionOf,
  SimChain,
} from "./app.ts";
import {
  checkAgreement,
  checkValidity,
  type Decision,
  DoubleSignChecker,
  type Violation,
} from "./checkers.ts";
import { EventQueue, type Timed } from "./queue.ts";
import { standInSigner, verifyStandIn } from "./signer.ts";
import { stateFingerprint } from "./fingerprint.ts";

export type ByzantineBehaviour = "equivocate" | "silent" | "invalid" | "amnesia";
/** `safety-control` gives Byzantine validators at least a third of stake: the checkers must then find a fork. */
export type SimMode = "standard" | "safety-control";

export type SimResult = {
  seed: number;
  mode: SimMode;
  validators: number;
  byzantine: ByzantineBehaviour[];
  /** Lowest committed height among honest validators at the end. */
  heightsCommitted: number;
  /** Deciding round of each height, as seen by the first honest validator. */
  roundsPerHeight: number[];
  crashes: number;
  partitions: number;
  events: number;
  simulatedMs: number;
  violations: Violation[];
  /** sha256 chain over every decision and the final state of each node: equal digests, equal runs. */
  digest: string;
};

export const SIM_CHAIN_ID = "bitlayer-sim";
export const SIM_TIMEOUTS = {
  timeoutMsPropose: 300,
  timeoutMsProposeDelta: 100,
  timeoutMsPrevote: 200,
  timeoutMsPrevoteDelta: 100,
  timeoutMsPrecommit: 200,
  timeoutMsPrecommitDelta: 100,
} as const;
const GOSSIP_MS = 1000;
const HEALTHY_DELAY_MS_MAX = 20;
/** After the network heals, each honest validator must commit this many new heights... */
export const HEIGHTS_AFTER_HEAL = 2;
/** ...and each height started after healing must decide within this many rounds. */
export const ROUNDS_AFTER_HEAL_MAX = 8;
/** Backstop in simulated time for liveness after healing. */
export const LIVENESS_MS_MAX = 60_000;
const MESSAGES_AHEAD_MAX = 256;
/** Commit certificates a peer sends in one block-sync answer. */
const SYNC_HEIGHTS_MAX = 32;

type SimNode = {
  id: number;
  publicKey: Uint8Array;
  signer: Signer;
  config: ConsensusConfig;
  behaviour: ByzantineBehaviour | null;
  side: number;
  state: ConsensusState;
  wal: ConsensusInput[];
  up: boolean;
  incarnation: number;
  chain: SimChain;
  evidencePool: Map<string, DuplicateVoteEvidence>;
  decisions: Map<number, Decision>;
  startedAtMs: Map<number, number>;
  /** Messages of the height after ours: the application can judge them only once it gets there. */
  ahead: ConsensusMessage[];
  knownValues: Map<string, Uint8Array>;
  fingerprintAtCrash: string;
};

type EventBody =
  | { kind: "deliver"; to: number; message: ConsensusMessage }
  | { kind: "evidence"; to: number; evidence: DuplicateVoteEvidence }
  /** Block sync: "I am at this height"; a peer that decided it answers with the next certificates. */
  | { kind: "status"; to: number; from: number; height: number }
  | { kind: "sync"; to: number; messages: ConsensusMessage[] }
  | { kind: "timeout"; node: number; incarnation: number; input: ConsensusInput }
  | { kind: "answer"; node: number; incarnation: number; height: number; round: number }
  | { kind: "gossip"; node: number }
  | { kind: "crash"; node: number }
  | { kind: "restart"; node: number }
  | { kind: "partition"; sides: number[] | null }
  | { kind: "heal" };
type SimEvent = Timed & EventBody;

const DIGEST_TAG = domainTag("bitlayer/sim/trace/v1");
const BEHAVIOURS: ByzantineBehaviour[] = ["equivocate", "silent", "invalid", "amnesia"];

export function runSeed(seed: number, mode: SimMode = "standard"): SimResult {
  return new Simulation(seed, mode).run();
}

class Simulation {
  private readonly prng: Prng;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes: SimNode[] = [];
  private readonly genesis: Validator[] = [];
  private readonly doubleSign = new DoubleSignChecker();
  private readonly violations: Violation[] = [];
  /** `node@height/round/type/publicKey` -> value keys that honest node received at that height. */
  private readonly observedVotes = new Map<string, Set<string>>();
  private readonly observedEquivocations = new Set<string>();
  private readonly honestKeys = new Set<string>();
  private readonly equivocators: boolean;
  private readonly verifiedMessages = new WeakSet<ConsensusMessage>();
  private nowMs = 0;
  private seq = 0;
  private events = 0;
  private healed = false;
  private healMs = 0;
  private heightAtHeal = 0;
  private partition: number[] | null = null;
  private digest: Uint8Array = new Uint8Array(32);
  private crashes = 0;
  private partitions = 0;
  // Faulty-phase network, drawn per seed.
  private readonly delayMsMax: number;
  private readonly dropPercent: number;
  private readonly duplicatePercent: number;
  private readonly faultyMs: number;

  private readonly seed: number;
  private readonly mode: SimMode;

  constructor(seed: number, mode: SimMode) {
    this.seed = seed;
    this.mode = mode;
    const prng = (this.prng = new Prng(seed));
    const count = 4 + prng.below(4);
    const powers = Array.from({ length: count }, () => BigInt(1 + prng.below(100)));
    const order = shuffle(prng, [...Array(count).keys()]);
    const byzantineCount =
      mode === "standard" ? prng.below(Math.floor((count - 1) / 3) + 1) : Math.ceil(count / 3);
    const byzantine = new Set(order.slice(0, byzantineCount));
    const honest = order.slice(byzantineCount);
    const total = () => powers.reduce((a, b) => a + b, 0n);
    const byzantinePower = () => [...byzantine].reduce((a, i) => a + powers[i]!, 0n);
    if (mode === "standard" && 3n * byzantinePower() >= total())
      powers[honest[0]!]! += 3n * byzantinePower() - total() + 1n; // keep Byzantine stake below a third
    if (mode === "safety-control") {
      // At least a third of stake, up to about a half: enough for two honest halves to each see a quorum.
      if (3n * byzantinePower() < total()) powers[order[0]!]! += total() - 3n * byzantinePower();
      const honestPower = total() - byzantinePower();
      if (byzantinePower() < honestPower)
        powers[order[0]!]! += BigInt(prng.below(Number(honestPower - byzantinePower()) + 1));
    }
    for (let i = 0; i < count; i++) {
      const publicKey = prng.bytes(32);
      const signer = standInSigner(publicKey);
      const behaviour = byzantine.has(i)
        ? mode === "standard"
          ? prng.pick(BEHAVIOURS)
          : "equivocate"
        : null;
      if (!behaviour) this.honestKeys.add(toHex(publicKey));
      this.genesis.push({ publicKey, power: powers[i]! });
      this.nodes.push({
        id: i,
        publicKey,
        signer,
        config: { chainId: SIM_CHAIN_ID, signer, ...SIM_TIMEOUTS },
        behaviour,
        side: 0,
        state: initialState(),
        wal: [],
        up: true,
        incarnation: 0,
        chain: null as never,
        evidencePool: new Map(),
        decisions: new Map(),
        startedAtMs: new Map(),
        ahead: [],
        knownValues: new Map(),
        fingerprintAtCrash: "",
      });
    }
    for (const node of this.nodes) node.chain = new SimChain(SIM_CHAIN_ID, this.genesis);
    this.equivocators = this.nodes.some((n) => n.behaviour === "equivocate");
    // The halves an equivocator shows different things to; in the safety control, also the partition.
    const sidePower = [0n, 0n];
    for (const i of [...honest].sort((a, b) => Number(powers[b]! - powers[a]!) || a - b)) {
      const side = sidePower[0]! <= sidePower[1]! ? 0 : 1; // balance the halves by stake
      this.nodes[i]!.side = side;
      sidePower[side]! += powers[i]!;
    }
    this.delayMsMax = 10 + prng.below(300);
    this.dropPercent = prng.below(25);
    this.duplicatePercent = prng.below(15);
    this.faultyMs = 1500 + prng.below(4500);
    if (mode === "safety-control") {
      this.partition = this.nodes.map((n) => (n.behaviour ? -1 : n.side));
      this.partitions = 1;
    } else this.scheduleFaults(honest);
    this.schedule(this.faultyMs, { kind: "heal" });
    for (const node of this.nodes) this.schedule(prng.below(GOSSIP_MS), { kind: "gossip", node: node.id });
  }

  private scheduleFaults(honest: number[]): void {
    const { prng } = this;
    const partitionCount = prng.below(3);
    for (let k = 0; k < partitionCount; k++) {
      const atMs = prng.below(this.faultyMs);
      const sides = this.nodes.map(() => prng.below(2));
      this.schedule(atMs, { kind: "partition", sides });
      this.schedule(Math.min(this.faultyMs, atMs + 200 + prng.below(4000)), {
        kind: "partition",
        sides: null,
      });
    }
    const crashCount = prng.below(3);
    for (let k = 0; k < crashCount; k++) {
      const node = prng.pick(honest);
      const atMs = prng.below(this.faultyMs);
      this.schedule(atMs, { kind: "crash", node });
      this.schedule(Math.min(this.faultyMs, atMs + 100 + prng.below(3000)), { kind: "restart", node });
    }
  }

  private schedule(atMs: number, event: EventBody): void {
    this.queue.push({ ...event, timeMs: atMs, seq: this.seq++ });
  }

  run(): SimResult {
    for (const node of this.nodes)
      this.feed(node, { type: "startHeight", height: 1, validators: this.genesis });
    const deadlineMs = () => (this.healed ? this.healMs + LIVENESS_MS_MAX : Number.POSITIVE_INFINITY);
    for (;;) {
      const event = this.queue.pop();
      if (!event || event.timeMs > deadlineMs()) break;
      this.nowMs = event.timeMs;
      this.events++;
      this.handle(event);
      if (this.healed && this.finished()) break;
    }
    return this.result();
  }

  private honest(): SimNode[] {
    return this.nodes.filter((n) => !n.behaviour);
  }

  private finished(): boolean {
    if (this.mode === "safety-control") return true;
    for (const node of this.honest()) {
      if (node.chain.height < this.heightAtHeal + HEIGHTS_AFTER_HEAL) return false;
      for (const key of this.observedEquivocations) if (!node.chain.evidenceCommitted.has(key)) return false;
    }
    return true;
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case "deliver":
        this.deliver(this.nodes[event.to]!, event.message);
        return;
      case "evidence": {
        const node = this.nodes[event.to]!;
        if (node.up) this.addEvidence(node, event.evidence);
        return;
      }
      case "status": {
        const node = this.nodes[event.to]!;
        if (!node.up || node.behaviour === "silent") return;
        const messages: ConsensusMessage[] = [];
        for (let h = event.height; h < event.height + SYNC_HEIGHTS_MAX; h++) {
          const decided = node.decisions.get(h);
          if (!decided) break;
          messages.push({ type: "commit", certificate: decided.certificate, value: decided.value });
        }
        if (messages.length > 0)
          this.send(node, this.nodes[event.from]!, { kind: "sync", to: event.from, messages });
        return;
      }
      case "sync": {
        const node = this.nodes[event.to]!;
        for (const m of event.messages) this.deliver(node, m);
        return;
      }
      case "timeout": {
        const node = this.nodes[event.node]!;
        if (node.up && node.incarnation === event.incarnation) this.feed(node, event.input);
        return;
      }
      case "answer":
        this.answer(event);
        return;
      case "gossip":
        this.gossip(this.nodes[event.node]!);
        return;
      case "crash":
        this.crash(this.nodes[event.node]!);
        return;
      case "restart":
        this.restart(this.nodes[event.node]!);
        return;
      case "partition":
        this.partition = event.sides;
        if (event.sides) this.partitions++;
        return;
      case "heal":
        this.healed = true;
        this.healMs = this.nowMs;
        this.partition = null;
        this.heightAtHeal = Math.max(...this.honest().map((n) => n.chain.height));
        for (const node of this.nodes) if (!node.up) this.restart(node);
        return;
    }
  }

  /** The shell's loop: log the input, step, perform the outputs. */
  private feed(node: SimNode, input: ConsensusInput): void {
    node.wal.push(input);
    if (input.type === "startHeight") node.startedAtMs.set(input.height, this.nowMs);
    const { state, outputs } = step(node.config, node.state, input);
    node.state = state;
    this.perform(node, outputs, false);
  }

  private perform(node: SimNode, outputs: ConsensusOutput[], replaying: boolean): void {
    for (const o of outputs) {
      switch (o.type) {
        case "broadcast":
          if (!replaying) this.broadcast(node, o.message);
          break;
        case "scheduleTimeout":
          this.schedule(this.nowMs + o.durationMs, {
            kind: "timeout",
            node: node.id,
            incarnation: node.incarnation,
            input: { type: "timeout", height: o.height, round: o.round, step: o.step },
          });
          break;
        case "getValue":
          this.schedule(this.nowMs, {
            kind: "answer",
            node: node.id,
            incarnation: node.incarnation,
            height: o.height,
            round: o.round,
          });
          break;
        case "evidence":
          this.addEvidence(node, o.evidence);
          break;
        case "decide":
          if (replaying) {
            const stored = node.chain.blocks[o.height - 1];
            if (!stored || toHex(stored) !== toHex(o.value))
              this.violations.push({
                checker: "replay",
                message: `node ${node.id} re-decided height ${o.height} differently`,
              });
            break;
          }
          this.decide(node, o);
          break;
      }
    }
  }

  private decide(node: SimNode, o: Extract<ConsensusOutput, { type: "decide" }>): void {
    node.decisions.set(o.height, { round: o.round, value: o.value, certificate: o.certificate });
    this.digest = hashTagged(
      DIGEST_TAG,
      this.digest,
      utf8(`${node.id}/${o.height}/${o.round}/${toHex(valueIdOf(o.value))}`),
    );
    const next = node.chain.commit(o.value);
    for (const key of node.chain.evidenceCommitted) node.evidencePool.delete(key);
    this.feed(node, { type: "startHeight", height: o.height + 1, validators: next });
    const ahead = node.ahead;
    node.ahead = [];
    for (const m of ahead) this.deliver(node, m);
  }

  private addEvidence(node: SimNode, evidence: DuplicateVoteEvidence): void {
    const key = node.chain.checkEvidence(evidence, node.chain.height + 1);
    if (key && !node.chain.evidenceCommitted.has(key) && !node.evidencePool.has(key))
      node.evidencePool.set(key, evidence);
  }

  /** The application's answer to getValue: a block that bonds some stake and carries pending evidence. */
  private answer(event: Extract<SimEvent, { kind: "answer" }>): void {
    const node = this.nodes[event.node]!;
    if (!node.up || node.incarnation !== event.incarnation) return;
    const { prng } = this;
    const height = node.chain.height + 1;
    const set = node.chain.setAt(height)!;
    const bondable = set.filter((v) => this.honestKeys.has(toHex(v.publicKey)));
    const block: Block = {
      height: node.behaviour === "invalid" ? height + 1_000_000 : height,
      proposer: node.publicKey,
      nonce: prng.nextU32(),
      bond:
        bondable.length > 0 && prng.chance(1, 3)
          ? { publicKey: prng.pick(bondable).publicKey, powerDelta: 1 + prng.below(3) }
          : null,
      evidence: [...node.evidencePool.keys()]
        .sort()
        .slice(0, EVIDENCE_PER_BLOCK_MAX)
        .map((k) => node.evidencePool.get(k)!),
    };
    const value = encodeBlock(block);
    this.feed(node, {
      type: "proposeValue",
      height: event.height,
      round: event.round,
      value,
      extension: extensionOf(value),
    });
  }

  /** The shell's receive path: buffer the next height's messages, drop stale ones, check signatures, then step. */
  private deliver(node: SimNode, message: ConsensusMessage): void {
    if (!node.up) return;
    const height = messageHeight(message);
    if (height === node.chain.height + 2) {
      if (node.ahead.length < MESSAGES_AHEAD_MAX) node.ahead.push(message);
      return;
    }
    if (height !== node.chain.height + 1 || height !== node.state.height) return;
    if (!this.verify(node, message)) return;
    if (message.type === "proposal") {
      if (node.behaviour)
        node.knownValues.set(toHex(valueIdOf(message.signed.proposal.value)), message.signed.proposal.value);
      this.feed(node, this.proposalInput(node, message.signed));
    } else if (message.type === "vote") {
      if (!node.behaviour && this.equivocators) this.observe(node, message);
      this.feed(node, { type: "vote", signed: message.signed });
    } else if (!node.state.decision) {
      this.feed(node, { type: "commit", certificate: message.certificate, value: message.value });
    }
  }

  /** Signatures are checked here, before input: the core trusts what it is given. */
  private verify(node: SimNode, message: ConsensusMessage): boolean {
    const set = node.chain.setAt(messageHeight(message));
    if (!set) return false;
    // Honest chains agree on every height's validator set, so one message object verifies the same for all.
    if (node.behaviour === null && this.verifiedMessages.has(message)) return true;
    const ok = this.verifyAgainst(set, message);
    if (ok && node.behaviour === null) this.verifiedMessages.add(message);
    return ok;
  }

  private verifyAgainst(set: readonly Validator[], message: ConsensusMessage): boolean {
    const check = (index: number, bytes: Uint8Array, signature: Uint8Array) => {
      const validator = set[index];
      return validator !== undefined && verifyStandIn(validator.publicKey, bytes, signature);
    };
    if (message.type === "proposal") {
      const p = message.signed.proposal;
      return check(p.validatorIndex, proposalSignBytes(SIM_CHAIN_ID, p), message.signed.signature);
    }
    if (message.type === "vote") {
      const v = message.signed.vote;
      return check(v.validatorIndex, voteSignBytes(SIM_CHAIN_ID, v), message.signed.signature);
    }
    return message.certificate.precommits.every((p) =>
      check(p.vote.validatorIndex, voteSignBytes(SIM_CHAIN_ID, p.vote), p.signature),
    );
  }

  private proposalInput(node: SimNode, signed: SignedProposal): ConsensusInput {
    const value = signed.proposal.value;
    const valid = node.behaviour === "invalid" || node.chain.isValid(value);
    return { type: "proposal", signed, valid, extension: extensionOf(value) };
  }

  /** Checker bookkeeping: which conflicting votes reached an honest validator at their height. */
  private observe(node: SimNode, message: Extract<ConsensusMessage, { type: "vote" }>): void {
    const v = message.signed.vote;
    if (v.height !== node.state.height || node.state.step === "unstarted") return;
    const voter = node.chain.setAt(v.height)?.[v.validatorIndex];
    if (!voter) return;
    const key = `${v.height}/${v.round}/${v.type}/${toHex(voter.publicKey)}`;
    let values = this.observedVotes.get(`${node.id}@${key}`);
    if (!values) this.observedVotes.set(`${node.id}@${key}`, (values = new Set()));
    values.add(valueKeyOf(v.valueId));
    if (values.size > 1) this.observedEquivocations.add(key);
  }

  private gossip(node: SimNode): void {
    this.schedule(this.nowMs + GOSSIP_MS, { kind: "gossip", node: node.id });
    if (!node.up) return;
    for (const message of gossipMessages(node.state)) this.broadcast(node, message, true);
    if (node.behaviour) return;
    for (const peer of this.nodes)
      if (peer !== node)
        this.send(node, peer, { kind: "status", to: peer.id, from: node.id, height: node.state.height });
    for (const evidence of node.evidencePool.values())
      for (const peer of this.nodes)
        if (peer !== node) this.send(node, peer, { kind: "evidence", to: peer.id, evidence });
  }

  private broadcast(node: SimNode, message: ConsensusMessage, regossip = false): void {
    if (!node.behaviour) {
      if (!regossip) this.doubleSign.record(node.publicKey, message);
      for (const peer of this.nodes)
        if (peer !== node) this.send(node, peer, { kind: "deliver", to: peer.id, message });
      return;
    }
    // A Byzantine validator can lie only with its own key: what it relays from others passes unchanged.
    const own = node.state.ownMessages.includes(message);
    const variants: [ConsensusMessage | null, ConsensusMessage | null] =
      node.behaviour === "silent"
        ? [null, null]
        : own
          ? this.byzantineVariants(node, message)
          : [message, message];
    for (const peer of this.nodes) {
      if (peer === node) continue;
      const m = peer.side === 0 ? variants[0] : variants[1];
      if (m) this.send(node, peer, { kind: "deliver", to: peer.id, message: m });
    }
  }

  /** What a Byzantine validator shows side 0 and side 1 of the network instead of its honest message. */
  private byzantineVariants(
    node: SimNode,
    message: ConsensusMessage,
  ): [ConsensusMessage | null, ConsensusMessage | null] {
    const behaviour = this.healed && node.behaviour === "equivocate" ? null : node.behaviour;
    if (behaviour === "silent") return [null, null];
    if (behaviour === "amnesia" && message.type === "vote" && message.signed.vote.type === "prevote") {
      // Prevote for whatever was proposed first this round, lock or no lock.
      const v = message.signed.vote;
      const first = node.state.rounds.get(v.round)?.proposals[0];
      if (!first || v.height !== node.state.height) return [message, message];
      const m: ConsensusMessage = {
        type: "vote",
        signed: signVote(SIM_CHAIN_ID, node.signer, { ...v, valueId: first.valueId }),
      };
      return [m, m];
    }
    if (behaviour !== "equivocate") return [message, message];
    if (message.type === "proposal") {
      const p = message.signed.proposal;
      const alt = alternativeBlock(p.value);
      if (!alt) return [message, message];
      node.knownValues.set(toHex(valueIdOf(p.value)), p.value);
      node.knownValues.set(toHex(valueIdOf(alt)), alt);
      return [
        message,
        { type: "proposal", signed: signProposal(SIM_CHAIN_ID, node.signer, { ...p, value: alt }) },
      ];
    }
    if (message.type !== "vote") return [message, message];
    const v = message.signed.vote;
    let altValue: Uint8Array | null | undefined;
    if (v.valueId) {
      const value = node.knownValues.get(toHex(v.valueId));
      altValue = value ? alternativeBlock(value) : null;
    } else {
      const first = node.state.rounds.get(v.round)?.proposals[0];
      altValue = first && v.height === node.state.height ? alternativeBlock(first.value) : undefined;
    }
    if (altValue === undefined) return [message, message];
    const altId = altValue ? valueIdOf(altValue) : null;
    const extension = v.type === "precommit" && altValue ? extensionOf(altValue) : new Uint8Array(0);
    const alt: ConsensusMessage = {
      type: "vote",
      signed: signVote(SIM_CHAIN_ID, node.signer, { ...v, valueId: altId, extension }),
    };
    return [message, alt];
  }

  private send(
    from: SimNode,
    to: SimNode,
    event: Extract<EventBody, { kind: "deliver" | "evidence" | "status" | "sync" }>,
  ): void {
    const { prng } = this;
    if (this.healed) {
      this.schedule(this.nowMs + 1 + prng.below(HEALTHY_DELAY_MS_MAX), event);
      return;
    }
    const p = this.partition;
    if (p && p[from.id] !== -1 && p[to.id] !== -1 && p[from.id] !== p[to.id]) return;
    if (this.mode === "standard" && prng.below(100) < this.dropPercent) return;
    this.schedule(this.nowMs + 1 + prng.below(this.delayMsMax), event);
    if (prng.below(100) < this.duplicatePercent)
      this.schedule(this.nowMs + 1 + prng.below(this.delayMsMax), event);
  }

  private crash(node: SimNode): void {
    if (!node.up) return;
    node.up = false;
    node.incarnation++;
    node.fingerprintAtCrash = stateFingerprint(node.state);
    this.crashes++;
  }

  /** A restarted node rebuilds its state by replaying its write-ahead log through `step`. */
  private restart(node: SimNode): void {
    if (node.up) return;
    node.up = true;
    let state = initialState();
    for (const input of node.wal) {
      const result = step(node.config, state, input);
      state = result.state;
      this.perform(node, result.outputs, true);
    }
    node.state = state;
    if (stateFingerprint(state) !== node.fingerprintAtCrash)
      this.violations.push({
        checker: "replay",
        message: `node ${node.id}: state after WAL replay differs from before the crash`,
      });
  }

  private result(): SimResult {
    const honest = this.honest();
    const violations = [...this.violations, ...this.doubleSign.violations];
    violations.push(...checkAgreement(honest.map((n) => n.decisions)));
    if (this.mode === "standard") {
      const longest = honest.reduce((a, b) => (b.chain.height > a.chain.height ? b : a));
      const isHonest = (pk: Uint8Array) => this.honestKeys.has(toHex(pk));
      violations.push(...checkValidity(SIM_CHAIN_ID, this.genesis, longest.decisions, isHonest));
      violations.push(...this.checkLiveness(honest));
      for (const key of this.observedEquivocations)
        if (!longest.chain.evidenceCommitted.has(key))
          violations.push({
            checker: "evidence",
            message: `equivocation ${key} was seen by an honest validator but never committed`,
          });
    }
    for (const node of this.nodes)
      this.digest = hashTagged(DIGEST_TAG, this.digest, utf8(`${node.id}:${stateFingerprint(node.state)}`));
    const reference = honest[0]!;
    const heights = [...reference.decisions.keys()].sort((a, b) => a - b);
    return {
      seed: this.seed,
      mode: this.mode,
      validators: this.nodes.length,
      byzantine: this.nodes.flatMap((n) => (n.behaviour ? [n.behaviour] : [])),
      heightsCommitted: Math.min(...honest.map((n) => n.chain.height)),
      roundsPerHeight: heights.map((h) => reference.decisions.get(h)!.round),
      crashes: this.crashes,
      partitions: this.partitions,
      events: this.events,
      simulatedMs: this.nowMs,
      violations,
      digest: toHex(this.digest),
    };
  }

  /** After healing: every honest validator commits new heights, each started height within a bounded number of rounds. */
  private checkLiveness(honest: SimNode[]): Violation[] {
    const out: Violation[] = [];
    for (const node of honest) {
      if (node.chain.height < this.heightAtHeal + HEIGHTS_AFTER_HEAL)
        out.push({
          checker: "liveness",
          message: `node ${node.id} at height ${node.chain.height}, ${LIVENESS_MS_MAX} ms after healing at height ${this.heightAtHeal}`,
        });
      for (const [height, d] of node.decisions) {
        const started = node.startedAtMs.get(height);
        if (started !== undefined && started > this.healMs && d.round >= ROUNDS_AFTER_HEAL_MAX)
          out.push({
            checker: "liveness",
            message: `node ${node.id}: height ${height} started after healing took ${d.round + 1} rounds`,
          });
      }
    }
    return out;
  }
}

function messageHeight(message: ConsensusMessage): number {
  if (message.type === "proposal") return message.signed.proposal.height;
  if (message.type === "vote") return message.signed.vote.height;
  return message.certificate.height;
}

function shuffle<T>(prng: Prng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.below(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export const keyForTests = (i: number) => bigintToBytesBE(BigInt(i), 32);
