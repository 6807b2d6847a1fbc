/**
 * The client SDK end to end, in Node and workerd: every lane transaction type
 * is built, signed, put on the wire (hex and base64), parsed back and
 * verified; a tampered transaction, or one signed for another chain, lane or
 * message type, fails verification.
 */
import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../shared/bytes.ts";
import { CodecError, CodecErrorCode, encode } from "../../shared/codec/index.ts";
import { sign } from "../../shared/crypto/keys.ts";
import { MessageType, signBytes } from "../../shared/domain.ts";
import {
  type Account,
  buildTransaction,
  burnItemPayload,
  createTokenPayload,
  generateSecretKey,
  getTransactionHash,
  getTransactionSignBytes,
  InvalidTransactionError,
  itemAsset,
  MissingSignerError,
  mintItemPayload,
  mintTokenPayload,
  nativeAsset,
  parseTransaction,
  secretKeyToAccount,
  serializeTransaction,
  type SignedTx,
  signTransaction,
  tokenAsset,
  transferItemPayload,
  transferPayload,
  transferTokenPayload,
  tradePayload,
  type TxPayload,
  verifySignature,
  verifyTransaction,
  WireFormatError,
  withdrawPayload,
} from "../../shared/sdk/index.ts";
import { decodeSignedTx, encodeSignedTx, txBodyCodec, txHash } from "../../shared/stf/tx.ts";

const CHAIN = "bitlayer-test";
const LANE = 1;
const accountOf = (byte: number) => secretKeyToAccount({ secretKey: new Uint8Array(32).fill(byte) });
const alice = accountOf(1);
const bob = accountOf(2);
const id = (byte: number) => new Uint8Array(32).fill(byte);

const payloads: Record<TxPayload["type"], TxPayload> = {
  transfer: transferPayload({ to: bob.publicKey, amount: 1_000n }),
  createToken: createTokenPayload({ symbol: "GOLD", decimals: 2, supplyMax: 1_000_000n }),
  mintToken: mintTokenPayload({ tokenId: id(3), to: alice.publicKey, amount: 500n }),
  transferToken: transferTokenPayload({ tokenId: id(3), to: bob.publicKey, amount: 5n }),
  mintItem: mintItemPayload({
    referenceId: utf8("sword-17"),
    owner: alice.publicKey,
    metadata: utf8('{"atk":7}'),
  }),
  transferItem: transferItemPayload({ itemId: id(4), to: bob.publicKey }),
  burnItem: burnItemPayload({ itemId: id(4) }),
  trade: tradePayload({
    counterparty: bob.publicKey,
    give: [nativeAsset(100n), tokenAsset(id(3), 2n)],
    take: [itemAsset(id(4))],
  }),
  withdraw: withdrawPayload({ asset: id(0), amount: 250n, recipient: alice.publicKey }),
};

const build = (payload: TxPayload, overrides: { chainId?: string; lane?: number; nonce?: bigint } = {}) =>
  buildTransaction({
    chainId: overrides.chainId ?? CHAIN,
    lane: overrides.lane ?? LANE,
    sender: alice,
    nonce: overrides.nonce ?? 7n,
    maxFeePerGas: 20n,
    tipPerGas: 2n,
    idempotencyKey: id(9),
    payload,
  });

const signersFor = (payload: TxPayload): Account[] => (payload.type === "trade" ? [bob, alice] : [alice]);

describe("SDK: build, sign, encode, decode and verify each lane transaction type", () => {
  for (const [type, payload] of Object.entries(payloads)) {
    it(`${type}: round-trips through hex and base64 wire text and verifies`, async () => {
      const signed = signTransaction({ transaction: build(payload), accounts: signersFor(payload) });
      expect(signed.signatures.length).toBe(type === "trade" ? 2 : 1);
      for (const format of ["hex", "base64"] as const) {
        const wire = serializeTransaction({ transaction: signed, format });
        const parsed = parseTransaction({ wire, format });
        expect(parsed).toEqual(signed);
        expect(await verifyTransaction({ transaction: parsed, chainId: CHAIN, lane: LANE })).toBe(true);
      }
    });

    it(`${type}: the wire bytes are exactly what the lane STF decodes and hashes`, () => {
      const signed = signTransaction({ transaction: build(payload), accounts: signersFor(payload) });
      const bytes = fromHex(serializeTransaction({ transaction: signed, format: "hex" }).slice(2));
      expect(decodeSignedTx(bytes)).toEqual(signed);
      expect(toHex(encodeSignedTx(signed))).toBe(toHex(bytes));
      expect(toHex(getTransactionHash({ transaction: signed }))).toBe(toHex(txHash(bytes)));
    });

    it(`${type}: signatures cover the domain-separated sign-bytes of shared/domain.ts`, async () => {
      const body = build(payload);
      const signed = signTransaction({ transaction: body, accounts: signersFor(payload) });
      const expected = signBytes(
        MessageType.LaneTx,
        { chainId: CHAIN, lane: LANE },
        encode(txBodyCodec, body),
      );
      expect(toHex(getTransactionSignBytes({ transaction: body }))).toBe(toHex(expected));
      expect(await verifySignature(alice.publicKey, expected, signed.signatures[0]!)).toBe(true);
    });
  }
});

/** Re-signs nothing: changes the body after signing. */
const withBody = (signed: SignedTx, change: Partial<SignedTx["body"]>): SignedTx => ({
  ...signed,
  body: { ...signed.body, ...change },
});

describe("SDK: verification fails for tampered and wrong-domain transactions", () => {
  const payload = payloads.transfer;
  const signed = signTransaction({ transaction: build(payload), accounts: [alice] });

  it("accepts the untouched transaction (control)", async () => {
    expect(await verifyTransaction({ transaction: signed })).toBe(true);
  });

  it("rejects a changed amount, nonce, fee or recipient", async () => {
    const tampered = [
      withBody(signed, { payload: transferPayload({ to: bob.publicKey, amount: 1_001n }) }),
      withBody(signed, { payload: transferPayload({ to: alice.publicKey, amount: 1_000n }) }),
      withBody(signed, { nonce: 8n }),
      withBody(signed, { maxFeePerGas: 21n }),
      withBody(signed, { idempotencyKey: null }),
    ];
    for (const t of tampered) expect(await verifyTransaction({ transaction: t })).toBe(false);
  });

  it("rejects every single-byte flip of the wire bytes: either not canonical, or not verifying", async () => {
    const bytes = encodeSignedTx(signed);
    for (let i = 0; i < bytes.length; i++) {
      const flipped = bytes.slice();
      flipped[i]! ^= 0x01;
      let parsed: SignedTx;
      try {
        parsed = parseTransaction({ wire: serializeTransaction({ transaction: decodeSignedTx(flipped) }) });
      } catch (error) {
        expect(error, `byte ${i}`).toBeInstanceOf(CodecError);
        continue;
      }
      expect(await verifyTransaction({ transaction: parsed }), `byte ${i}`).toBe(false);
    }
  });

  it("rejects a transaction signed for lane 2 presented as lane 1, and one signed for another chain", async () => {
    const forLane2 = signTransaction({ transaction: build(payload, { lane: 2 }), accounts: [alice] });
    expect(await verifyTransaction({ transaction: withBody(forLane2, { lane: 1 }) })).toBe(false);
    const forOtherChain = signTransaction({
      transaction: build(payload, { chainId: "other" }),
      accounts: [alice],
    });
    expect(await verifyTransaction({ transaction: withBody(forOtherChain, { chainId: CHAIN }) })).toBe(false);
  });

  it("rejects a valid transaction for another chain or lane than the verifier expects", async () => {
    expect(await verifyTransaction({ transaction: signed, chainId: "other" })).toBe(false);
    expect(await verifyTransaction({ transaction: signed, lane: 2 })).toBe(false);
  });

  it("rejects a signature made over the same body under another message type", async () => {
    const body = build(payload);
    const domain = { chainId: CHAIN, lane: LANE };
    for (const type of [MessageType.SettlementTx, MessageType.Receipt, MessageType.ForcedInclusion]) {
      const foreign = sign(new Uint8Array(32).fill(1), signBytes(type, domain, encode(txBodyCodec, body)));
      expect(await verifyTransaction({ transaction: { body, signatures: [foreign] } })).toBe(false);
    }
  });

  it("rejects a trade missing the counterparty's signature, or with the signatures swapped", async () => {
    const trade = signTransaction({ transaction: build(payloads.trade), accounts: [alice, bob] });
    expect(await verifyTransaction({ transaction: trade })).toBe(true);
    expect(await verifyTransaction({ transaction: { ...trade, signatures: [trade.signatures[0]!] } })).toBe(
      false,
    );
    const swapped = [trade.signatures[1]!, trade.signatures[0]!];
    expect(await verifyTransaction({ transaction: { ...trade, signatures: swapped } })).toBe(false);
  });

  it("rejects a signature by someone other than the sender", async () => {
    const body = build(payload);
    const bySomeoneElse = { body, signatures: [bob.sign(getTransactionSignBytes({ transaction: body }))] };
    expect(await verifyTransaction({ transaction: bySomeoneElse })).toBe(false);
  });
});

describe("SDK: typed errors", () => {
  it("signTransaction without the counterparty's account is a MissingSignerError naming it", () => {
    const run = () => signTransaction({ transaction: build(payloads.trade), accounts: [alice] });
    expect(run).toThrow(MissingSignerError);
    try {
      run();
    } catch (error) {
      expect((error as MissingSignerError).publicKey).toBe(bob.publicKeyHex);
      expect((error as MissingSignerError).shortMessage).toMatch(/counterparty/);
    }
  });

  it("buildTransaction with an out-of-range field is an InvalidTransactionError with its field path", () => {
    const cases: [TxPayload, string][] = [
      [transferPayload({ to: bob.publicKey, amount: 1n << 128n }), "payload.transfer.amount"],
      [transferPayload({ to: new Uint8Array(31), amount: 1n }), "payload.transfer.to"],
      [
        createTokenPayload({ symbol: "X".repeat(17), decimals: 2, supplyMax: 1n }),
        "payload.createToken.symbol",
      ],
    ];
    for (const [payload, field] of cases) {
      try {
        build(payload);
        expect.unreachable(`accepted ${field}`);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidTransactionError);
        expect((error as InvalidTransactionError).field).toBe(field);
        expect((error as InvalidTransactionError).cause).toBeInstanceOf(CodecError);
      }
    }
    expect(() => build(payloads.transfer, { nonce: -1n })).toThrow(InvalidTransactionError);
  });

  it("parseTransaction of non-canonical wire text or bytes is a WireFormatError with the codec error as cause", () => {
    const signed = signTransaction({ transaction: build(payloads.transfer), accounts: [alice] });
    const hex = serializeTransaction({ transaction: signed, format: "hex" });
    const base64 = serializeTransaction({ transaction: signed, format: "base64" });
    const bad: [string, "hex" | "base64"][] = [
      [hex.slice(2), "hex"], // no 0x
      [hex.toUpperCase().replace("0X", "0x"), "hex"], // uppercase digits
      [`${hex}0`, "hex"], // odd length
      [`${hex}00`, "hex"], // trailing byte
      [hex.slice(0, -2), "hex"], // truncated
      [`${base64} `, "base64"], // whitespace
      [base64.replace(/=+$/, ""), "base64"], // padding dropped
      ["AB==", "base64"], // non-zero unused bits
    ];
    for (const [wire, format] of bad)
      expect(() => parseTransaction({ wire, format }), wire).toThrow(WireFormatError);
    try {
      parseTransaction({ wire: `${hex}00`, format: "hex" });
    } catch (error) {
      expect((error as WireFormatError).cause).toBeInstanceOf(CodecError);
      expect(((error as WireFormatError).cause as CodecError).code).toBe(CodecErrorCode.TrailingBytes);
    }
  });

  it("parseTransaction refuses more than 4,096 bytes before decoding", () => {
    expect(() => parseTransaction({ wire: `0x${"00".repeat(4097)}`, format: "hex" })).toThrow(/at most 4096/);
  });
});

describe("SDK: keys", () => {
  it("generateSecretKey gives 32 fresh bytes and an account that signs verifiably", async () => {
    const a = generateSecretKey();
    const b = generateSecretKey();
    expect(a.length).toBe(32);
    expect(toHex(a)).not.toBe(toHex(b));
    const account = secretKeyToAccount({ secretKey: a });
    expect(account.address).toMatch(/^bl[0-9a-f]{40}$/);
    const message = utf8("hello");
    expect(await verifySignature(account.publicKey, message, account.sign(message))).toBe(true);
  });

  it("secretKeyToAccount is deterministic", () => {
    expect(accountOf(1).publicKeyHex).toBe(alice.publicKeyHex);
    expect(accountOf(1).address).toBe(alice.address);
  });
});
