/**
 * verifyTxsBatch (settlement-node/node/chain.ts) checks every signature of a
 * block's transactions in one batch and hands each result back to the
 * transaction it belongs to, whatever the earlier ones carried: a
 * double-sign report whose first vote signature is bad must not shift the
 * next transaction onto the report's second (good) result.
 */
import { describe, expect, it } from "vitest";
import { signSettlementTx, testNetwork } from "../../settlement-node/api/testing.ts";
import { encodeEvidence, signVote, type Vote, voteSignBytes } from "../../settlement-node/consensus/index.ts";
import { accountAddressOf, encodeSettlementTx, parseGenesis } from "../../settlement-node/ledger/index.ts";
import { SettlementChain, verifyCertificate, verifyTxsBatch } from "../../settlement-node/node/chain.ts";
import { VerifiedSignatures } from "../../settlement-node/node/verified-signatures.ts";
import { sign } from "../../shared/crypto/index.ts";

describe("verifyTxsBatch", () => {
  const network = testNetwork({ accounts: 3 });
  const genesis = parseGenesis(network.genesis);
  const chain = new SettlementChain(genesis);
  const [alice, bob, mallory] = network.accounts as [
    (typeof network.accounts)[0],
    (typeof network.accounts)[0],
    (typeof network.accounts)[0],
  ];

  /** Two conflicting precommits by validator `index` at height 1; the first one's signature broken. */
  function evidenceWithBadFirstVote(): Uint8Array {
    const set = chain.validatorsNext();
    const index = 0;
    const validator = network.validators.find((k) =>
      k.publicKey.every((b, i) => b === set[index]!.publicKey[i]),
    )!;
    const signer = { publicKey: validator.publicKey, sign: (m: Uint8Array) => sign(validator.secretKey, m) };
    const vote = (fill: number): Vote => ({
      type: "precommit",
      height: 1,
      round: 0,
      valueId: new Uint8Array(32).fill(fill),
      validatorIndex: index,
      extension: new Uint8Array(0),
    });
    const voteA = signVote(genesis.chainId, signer, vote(1));
    const voteB = signVote(genesis.chainId, signer, vote(2));
    voteA.signature = voteA.signature.slice();
    voteA.signature[0]! ^= 1;
    return encodeEvidence({ voteA, voteB });
  }

  it("gives each transaction its own signature's result after a report whose first vote is bad", async () => {
    const report = signSettlementTx(genesis.chainId, mallory, 0n, {
      type: "reportDoubleSign",
      evidence: evidenceWithBadFirstVote(),
    });
    // A transfer "from" alice that mallory signed: its signature does not verify.
    const body = {
      sender: alice.publicKey,
      nonce: 0n,
      fee: 1n,
      payload: { type: "transfer" as const, to: accountAddressOf(mallory.publicKey), amount: 1000n },
    };
    const forged = encodeSettlementTx({ body, signature: sign(mallory.secretKey, new Uint8Array(8)) });
    const honest = signSettlementTx(genesis.chainId, bob, 0n, {
      type: "transfer",
      to: accountAddressOf(alice.publicKey),
      amount: 5n,
    });
    const [r, f, h] = await verifyTxsBatch(genesis.chainId, [report, forged, honest], (e) =>
      chain.checkEvidence(e),
    );
    expect(r!.sigValid).toBe(true);
    expect(r!.evidence).toBeNull();
    expect(f!.sigValid).toBe(false);
    expect(h!.sigValid).toBe(true);
  });

  it("a certificate's precommits already verified as votes are skipped, and only exactly those", async () => {
    const set = chain.validatorsNext();
    const valueId = new Uint8Array(32).fill(5);
    const precommits = set.map((v, validatorIndex) => {
      const k = network.validators.find((x) => x.publicKey.every((b, i) => b === v.publicKey[i]))!;
      const signer = { publicKey: k.publicKey, sign: (m: Uint8Array) => sign(k.secretKey, m) };
      return signVote(genesis.chainId, signer, {
        type: "precommit",
        height: 1,
        round: 0,
        valueId,
        validatorIndex,
        extension: new Uint8Array(0),
      });
    });
    const verified = new VerifiedSignatures();
    for (const [i, p] of precommits.entries())
      verified.add({
        publicKey: set[i]!.publicKey,
        message: voteSignBytes(genesis.chainId, p.vote),
        signature: p.signature,
      });
    const known = (item: Parameters<VerifiedSignatures["has"]>[0]) => verified.has(item);
    const certificate = { height: 1, round: 0, valueId, precommits };
    expect(await verifyCertificate(genesis.chainId, certificate, set, valueId, 1n, known)).toBe(true);
    // A broken signature is not "known" because the intact one was: it is verified, and fails.
    const broken = precommits.map((p) => ({ ...p, signature: p.signature.slice() }));
    broken[2]!.signature[5]! ^= 1;
    expect(
      await verifyCertificate(
        genesis.chainId,
        { ...certificate, precommits: broken },
        set,
        valueId,
        1n,
        known,
      ),
    ).toBe(false);
    // Nor is the same signature over other bytes (another round).
    const item = {
      publicKey: set[0]!.publicKey,
      message: voteSignBytes(genesis.chainId, precommits[0]!.vote),
      signature: precommits[0]!.signature,
    };
    expect(verified.has(item)).toBe(true);
    expect(
      verified.has({
        ...item,
        message: voteSignBytes(genesis.chainId, { ...precommits[0]!.vote, round: 1 }),
      }),
    ).toBe(false);
  });
});
