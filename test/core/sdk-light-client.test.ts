/**
 * The SDK's pure parts in both runtimes (this file runs in Node and in
 * workerd): the light client accepts a settlement commit certificate only
 * with precommits of more than 2/3 of the trusted set's power over the exact
 * precommit sign bytes, and signSettlementTransaction builds the bytes
 * settlement's own decoder and signature check accept.
 */
import { describe, expect, it } from "vitest";
import { voteSignBytes } from "../../settlement-node/consensus/messages.ts";
import {
  decodeSettlementTx,
  settlementTxHash,
  settlementTxSignBytes,
} from "../../settlement-node/ledger/tx.ts";
import { compareBytes, toHex } from "../../shared/bytes.ts";
import { generateKeyPair, type KeyPair, sign } from "../../shared/crypto/keys.ts";
import { verifySignature } from "../../shared/crypto/verifier.ts";
import { secretKeyToAccount } from "../../shared/sdk/secretKeyToAccount.ts";
import { signSettlementTransaction } from "../../shared/sdk/signSettlementTransaction.ts";
import {
  type SettlementCertificate,
  verifySettlementCertificate,
} from "../../shared/sdk/verifySettlementCertificate.ts";

const CHAIN = "bitlayer-devnet";
const seed = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (n * 31 + i) & 0xff);
/** Four validators, sorted by public key as consensus indexes them. */
const keys: KeyPair[] = [1, 2, 3, 4]
  .map((n) => generateKeyPair(seed(n)))
  .sort((a, b) => compareBytes(a.publicKey, b.publicKey));
const valueId = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const otherValueId = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

function precommit(
  signer: KeyPair,
  validatorIndex: number,
  o: { chainId?: string; height?: number; round?: number; valueId?: Uint8Array } = {},
) {
  const message = voteSignBytes(o.chainId ?? CHAIN, {
    type: "precommit",
    height: o.height ?? 42,
    round: o.round ?? 0,
    valueId: o.valueId ?? valueId,
    validatorIndex,
    extension: new Uint8Array(0),
  });
  return { validatorIndex, signature: `0x${toHex(sign(signer.secretKey, message))}` };
}

/** As settlement's API serves it: decimal height, 0x-hex value id and signatures. */
function certificate(precommits: SettlementCertificate["precommits"], height = "42"): SettlementCertificate {
  return { height, round: 0, valueId: `0x${toHex(valueId)}`, precommits };
}

const equalSet = keys.map((k) => ({ publicKey: `0x${toHex(k.publicKey)}`, power: "1000000" }));

describe("verifySettlementCertificate (light client)", () => {
  it("accepts 3 of 4 equal-power precommits and names the signers", async () => {
    const r = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([precommit(keys[0]!, 0), precommit(keys[2]!, 2), precommit(keys[3]!, 3)]),
      validators: equalSet,
      blockHash: `0x${toHex(valueId)}`,
    });
    expect(r.valid).toBe(true);
    expect(r.signedPower).toBe(3_000_000n);
    expect(r.totalPower).toBe(4_000_000n);
    expect(r.signers).toEqual([0, 2, 3].map((i) => toHex(keys[i]!.publicKey)));
    expect(r.rejected).toEqual([]);
  });

  it("rejects 2 of 4 (exactly 1/2 of power is not more than 2/3)", async () => {
    const r = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([precommit(keys[0]!, 0), precommit(keys[1]!, 1)]),
      validators: equalSet,
    });
    expect(r.valid).toBe(false);
    expect(r.signedPower).toBe(2_000_000n);
    expect(r.reason).toMatch(/not more than 2\/3/);
  });

  it("counts a validator once however often its precommit repeats", async () => {
    const p = precommit(keys[1]!, 1);
    const r = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([p, p, p, precommit(keys[2]!, 2)]),
      validators: equalSet,
    });
    expect(r.signedPower).toBe(2_000_000n);
    expect(r.valid).toBe(false);
  });

  it("rejects signatures over other sign bytes: another chain, height, round or block", async () => {
    for (const o of [{ chainId: "other-chain" }, { height: 43 }, { round: 1 }, { valueId: otherValueId }]) {
      const r = await verifySettlementCertificate({
        chainId: CHAIN,
        certificate: certificate([0, 1, 2, 3].map((i) => precommit(keys[i]!, i, o))),
        validators: equalSet,
      });
      expect(r.valid, JSON.stringify(o)).toBe(false);
      expect(r.rejected).toEqual([0, 1, 2, 3]);
      expect(r.signedPower).toBe(0n);
    }
  });

  it("rejects a signature filed under another validator's index", async () => {
    // keys[0] signs as index 1 (and a correct sign-bytes index): the key at index 1 did not sign.
    const r = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([precommit(keys[0]!, 1), precommit(keys[2]!, 2), precommit(keys[3]!, 3)]),
      validators: equalSet,
    });
    expect(r.rejected).toEqual([0]);
    expect(r.valid).toBe(false);
  });

  it("weighs by power: one validator with 10 of 13 is enough, three with 3 of 13 are not", async () => {
    const weighted = keys.map((k, i) => ({ publicKey: k.publicKey, power: i === 2 ? 10n : 1n }));
    const big = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([precommit(keys[2]!, 2)]),
      validators: weighted,
    });
    expect(big.valid).toBe(true);
    const small = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([0, 1, 3].map((i) => precommit(keys[i]!, i))),
      validators: weighted,
    });
    expect(small.valid).toBe(false);
    expect(small.signedPower).toBe(3n);
  });

  it("indexes the set without zero-power validators, as consensus does", async () => {
    // A jailed validator (power 0) whose key sorts first must not shift the indices.
    const jailed = generateKeyPair(new Uint8Array(32));
    const withJailed = [{ publicKey: jailed.publicKey, power: 0n }, ...equalSet];
    const r = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([0, 1, 2].map((i) => precommit(keys[i]!, i))),
      validators: withJailed,
    });
    expect(r.valid).toBe(true);
    expect(r.totalPower).toBe(4_000_000n);
  });

  it("binds to the block served: a certificate for another hash is refused", async () => {
    const r = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([0, 1, 2, 3].map((i) => precommit(keys[i]!, i))),
      validators: equalSet,
      blockHash: otherValueId,
    });
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/another block/);
  });

  it("never throws on malformed input", async () => {
    const bad: SettlementCertificate[] = [
      { height: "42", round: 0, valueId: "0x1234", precommits: [] },
      { height: "0", round: 0, valueId: valueId, precommits: [] },
      { height: "x", round: 0, valueId: valueId, precommits: [] },
      { height: "42", round: -1, valueId: valueId, precommits: [] },
      certificate([
        { validatorIndex: 9, signature: "0x00" },
        { validatorIndex: 0, signature: "zz" },
      ]),
    ];
    for (const c of bad) {
      const r = await verifySettlementCertificate({ chainId: CHAIN, certificate: c, validators: equalSet });
      expect(r.valid).toBe(false);
    }
    const dup = await verifySettlementCertificate({
      chainId: CHAIN,
      certificate: certificate([]),
      validators: [...equalSet, equalSet[0]!],
    });
    expect(dup.valid).toBe(false);
    expect(dup.reason).toMatch(/malformed/);
  });
});

describe("signSettlementTransaction", () => {
  const alice = secretKeyToAccount({ secretKey: seed(9) });
  const params = {
    chainId: CHAIN,
    account: alice,
    nonce: 7n,
    fee: 10n,
    payload: { type: "depositToLane" as const, lane: 1, recipient: alice.publicKey, amount: 5_000n },
  };

  it("gives canonical bytes settlement decodes, signed over settlement's sign bytes", async () => {
    const a = signSettlementTransaction(params);
    const b = signSettlementTransaction(params);
    expect(a.serialized).toBe(b.serialized);
    expect(a.serialized).toBe(`0x${toHex(a.bytes)}`);
    expect(a.hash).toBe(`0x${toHex(settlementTxHash(a.bytes))}`);
    const decoded = decodeSettlementTx(a.bytes);
    expect(decoded.body.nonce).toBe(7n);
    expect(decoded.body.payload).toEqual(params.payload);
    expect(
      await verifySignature(alice.publicKey, settlementTxSignBytes(CHAIN, decoded.body), decoded.signature),
    ).toBe(true);
    // Domain separation: the signature does not verify for another chain.
    expect(
      await verifySignature(
        alice.publicKey,
        settlementTxSignBytes("other-chain", decoded.body),
        decoded.signature,
      ),
    ).toBe(false);
  });

  it("throws InvalidTransactionError naming the field of an unencodable payload", () => {
    try {
      signSettlementTransaction({ ...params, payload: { ...params.payload, amount: 2n ** 128n } });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).name).toBe("InvalidTransactionError");
      expect((error as { field: string }).field).toMatch(/amount/);
    }
  });
});
