/**
 * verifyTxsBatch (settlement-node/node/chain.ts) checks every signature of a
 * block's transactions in one batch and hands each result back to the
 * transaction it belongs to, whatever the earlier ones carried: a
 * double-sign report whose first vote signature is bad must not shift the
 * next transaction onto the report's second (good) result.
 */
import { describe, expect, it } from "vitest";
import { signSettlementTx, testNetwork } from "../../settlement-node/api/testing.ts";
import { encodeEvidence, signVote, type Vote } from "../../settlement-node/consensus/index.ts";
import { accountAddressOf, encodeSettlementTx, parseGenesis } from "../../settlement-node/ledger/index.ts";
import { SettlementChain, verifyTxsBatch } from "../../settlement-node/node/chain.ts";
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
});
