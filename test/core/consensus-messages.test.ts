/**
 * Consensus messages: canonical encodings round-trip and reject non-canonical
 * bytes, sign-bytes are domain separated per vote type, real Ed25519
 * signatures made by the core verify over the documented sign-bytes, and
 * validator sets reject what the core cannot use.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { concatBytes, toHex, utf8 } from "../../shared/bytes.ts";
import { CodecError, encode } from "../../shared/codec/index.ts";
import { MessageType, SIGN_MAGIC } from "../../shared/domain.ts";
import {
  type ConsensusConfig,
  type ConsensusMessage,
  DEFAULT_TIMEOUTS,
  decodeConsensusMessage,
  decodeEvidence,
  encodeConsensusMessage,
  encodeEvidence,
  initialState,
  makeValidatorSet,
  nextValidatorSet,
  proposalSignBytes,
  type Signer,
  type SignedVote,
  signProposal,
  signVote,
  step,
  ValidatorSetError,
  valueIdOf,
  voteBodyCodec,
  voteSignBytes,
} from "../../settlement-node/consensus/index.ts";
import { makeEvidence } from "../../settlement-node/consensus/vote-keeper.ts";

const CHAIN = "bitlayer-test";
function ed25519Signer(seedByte: number): Signer {
  const secretKey = new Uint8Array(32).fill(seedByte);
  return { publicKey: ed25519.getPublicKey(secretKey), sign: (m) => ed25519.sign(m, secretKey) };
}
const signers = [1, 2, 3, 4].map(ed25519Signer);
const value = utf8("block at height 7");
const vote = (type: "prevote" | "precommit", from: number, valueId: Uint8Array | null = valueIdOf(value)) =>
  signVote(CHAIN, signers[from]!, {
    type,
    height: 7,
    round: 2,
    valueId,
    validatorIndex: from,
    extension: type === "precommit" && valueId ? utf8("roots") : new Uint8Array(0),
  });

describe("consensus message encodings", () => {
  const messages: ConsensusMessage[] = [
    {
      type: "proposal",
      signed: signProposal(CHAIN, signers[0]!, {
        height: 7,
        round: 2,
        polRound: -1,
        value,
        validatorIndex: 0,
      }),
    },
    {
      type: "proposal",
      signed: signProposal(CHAIN, signers[0]!, {
        height: 7,
        round: 3,
        polRound: 1,
        value,
        validatorIndex: 0,
      }),
    },
    { type: "vote", signed: vote("prevote", 1) },
    { type: "vote", signed: vote("prevote", 1, null) },
    { type: "vote", signed: vote("precommit", 2) },
    {
      type: "commit",
      value,
      certificate: {
        height: 7,
        round: 2,
        valueId: valueIdOf(value),
        precommits: [0, 1, 2].map((i) => vote("precommit", i)),
      },
    },
  ];
  for (const m of messages)
    it(`round-trips a ${m.type} message byte for byte`, () => {
      const bytes = encodeConsensusMessage(m);
      const back = decodeConsensusMessage(bytes);
      expect(back).toEqual(m);
      expect(toHex(encodeConsensusMessage(back))).toBe(toHex(bytes));
    });

  it("rejects trailing bytes and unknown tags", () => {
    const bytes = encodeConsensusMessage(messages[2]!);
    expect(() => decodeConsensusMessage(concatBytes(bytes, new Uint8Array([0])))).toThrow(CodecError);
    expect(() => decodeConsensusMessage(concatBytes(new Uint8Array([9]), bytes.subarray(1)))).toThrow(
      CodecError,
    );
  });

  it("encodes polRound -1 as an absent option", () => {
    const a = encodeConsensusMessage(messages[0]!);
    const b = encodeConsensusMessage(messages[1]!);
    // tag, height u64, round u32, then the option byte
    expect(a[1 + 8 + 4]).toBe(0);
    expect(b[1 + 8 + 4]).toBe(1);
  });

  it("evidence round-trips and its order does not depend on arrival", () => {
    const a = vote("prevote", 3);
    const b = vote("prevote", 3, null);
    const e1 = makeEvidence(a, b);
    const e2 = makeEvidence(b, a);
    expect(toHex(encodeEvidence(e1))).toBe(toHex(encodeEvidence(e2)));
    expect(decodeEvidence(encodeEvidence(e1))).toEqual(e1);
  });
});

describe("sign-bytes", () => {
  it("are signBytes(type, {chainId, lane 0}, body): magic, version, type tag, chain id, lane, body", () => {
    const v = vote("prevote", 1).vote;
    const bytes = voteSignBytes(CHAIN, v);
    const body = encode(voteBodyCodec, v);
    expect(toHex(bytes.subarray(0, 4))).toBe(toHex(SIGN_MAGIC));
    expect(bytes[5]).toBe(MessageType.Prevote);
    expect(toHex(bytes.subarray(bytes.length - body.length))).toBe(toHex(body));
    expect(voteSignBytes(CHAIN, { ...v, type: "precommit" })[5]).toBe(MessageType.Precommit);
    const p = { height: 7, round: 2, polRound: -1, value, validatorIndex: 0 };
    expect(proposalSignBytes(CHAIN, p)[5]).toBe(MessageType.Proposal);
  });

  it("a prevote's Ed25519 signature does not verify as the same precommit, nor on another chain", () => {
    const signed = vote("prevote", 1);
    const pk = signers[1]!.publicKey;
    expect(ed25519.verify(signed.signature, voteSignBytes(CHAIN, signed.vote), pk)).toBe(true);
    expect(
      ed25519.verify(signed.signature, voteSignBytes(CHAIN, { ...signed.vote, type: "precommit" }), pk),
    ).toBe(false);
    expect(ed25519.verify(signed.signature, voteSignBytes("other-chain", signed.vote), pk)).toBe(false);
  });
});

describe("the core with real Ed25519 signers", () => {
  const validators = signers.map((s) => ({ publicKey: s.publicKey, power: 1n }));
  const set = makeValidatorSet(validators);
  const indexOf = (s: Signer) => set.validators.findIndex((v) => toHex(v.publicKey) === toHex(s.publicKey));
  const bySetIndex = set.validators.map(
    (v) => signers.find((s) => toHex(s.publicKey) === toHex(v.publicKey))!,
  );

  it("its prevote and precommit verify over the documented sign-bytes, and its decision's certificate verifies", () => {
    const self = bySetIndex[3]!;
    const config: ConsensusConfig = { chainId: CHAIN, signer: self, ...DEFAULT_TIMEOUTS };
    let state = initialState();
    const run = (input: Parameters<typeof step>[2]) => {
      const r = step(config, state, input);
      state = r.state;
      return r.outputs;
    };
    run({ type: "startHeight", height: 1, validators });
    const proposal = signProposal(CHAIN, bySetIndex[0]!, {
      height: 1,
      round: 0,
      polRound: -1,
      value,
      validatorIndex: 0,
    });
    const out = run({ type: "proposal", signed: proposal, valid: true, extension: utf8("roots") });
    const sent: SignedVote[] = [];
    const collect = (outputs: typeof out) => {
      for (const o of outputs)
        if (o.type === "broadcast" && o.message.type === "vote") sent.push(o.message.signed);
    };
    collect(out);
    const peerVote = (type: "prevote" | "precommit", i: number) =>
      signVote(CHAIN, bySetIndex[i]!, {
        type,
        height: 1,
        round: 0,
        valueId: valueIdOf(value),
        validatorIndex: i,
        extension: type === "precommit" ? utf8("roots") : new Uint8Array(0),
      });
    for (const i of [0, 1]) collect(run({ type: "vote", signed: peerVote("prevote", i) }));
    let decided: Extract<(typeof out)[number], { type: "decide" }> | undefined;
    for (const i of [0, 1]) {
      const outputs = run({ type: "vote", signed: peerVote("precommit", i) });
      collect(outputs);
      decided ??= outputs.find((o) => o.type === "decide") as typeof decided;
    }
    expect(sent.map((s) => s.vote.type)).toEqual(["prevote", "precommit"]);
    for (const s of sent) {
      expect(s.vote.validatorIndex).toBe(indexOf(self));
      expect(ed25519.verify(s.signature, voteSignBytes(CHAIN, s.vote), self.publicKey)).toBe(true);
    }
    expect(toHex(sent[1]!.vote.extension)).toBe(toHex(utf8("roots")));
    expect(decided).toBeDefined();
    const certificate = decided!.certificate;
    expect(certificate.precommits.map((p) => p.vote.validatorIndex)).toEqual([0, 1, 3]);
    for (const p of certificate.precommits) {
      const pk = set.validators[p.vote.validatorIndex]!.publicKey;
      expect(ed25519.verify(p.signature, voteSignBytes(CHAIN, p.vote), pk)).toBe(true);
    }
  });
});

describe("validator sets", () => {
  const key = (b: number) => new Uint8Array(32).fill(b);
  it("sorts by public key and rejects zero power, duplicates and empty sets", () => {
    const set = makeValidatorSet([
      { publicKey: key(9), power: 1n },
      { publicKey: key(2), power: 5n },
    ]);
    expect(set.validators.map((v) => v.publicKey[0])).toEqual([2, 9]);
    expect(set.totalPower).toBe(6n);
    expect(() => makeValidatorSet([])).toThrow(ValidatorSetError);
    expect(() => makeValidatorSet([{ publicKey: key(1), power: 0n }])).toThrow(ValidatorSetError);
    expect(() =>
      makeValidatorSet([
        { publicKey: key(1), power: 1n },
        { publicKey: key(1), power: 2n },
      ]),
    ).toThrow(ValidatorSetError);
  });

  it("carries priorities across heights, starts newcomers at -total and re-centres on zero", () => {
    const first = makeValidatorSet([
      { publicKey: key(1), power: 3n },
      { publicKey: key(2), power: 1n },
    ]);
    const next = nextValidatorSet(first, [
      { publicKey: key(1), power: 3n },
      { publicKey: key(2), power: 1n },
      { publicKey: key(3), power: 2n },
    ]);
    // one increment: [3, 1] -> proposer 0 pays 4 -> [-1, 1]; newcomer -6; mean floor(-6/3) = -2
    expect(next.priorities).toEqual([1n, 3n, -4n]);
    expect(next.priorities.reduce((a, b) => a + b, 0n)).toBe(0n);
  });
});
