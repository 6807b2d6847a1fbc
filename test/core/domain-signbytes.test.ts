/**
 * The sign-bytes domain of shared/domain.ts (docs/spec/README.md): golden
 * vectors, and a property proving the prefix is unambiguous — the message
 * type, chain id, lane and body can be read back from any sign-bytes, so a
 * signature made for one (type, chain, lane, body) never covers another.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, fromHex, toHex, utf8 } from "../../shared/bytes.ts";
import { CodecError, CodecErrorCode, Reader, string, struct, u8, u32 } from "../../shared/codec/index.ts";
import {
  MAX_CHAIN_ID_BYTES,
  MessageType,
  SIGN_MAGIC,
  SIGN_VERSION,
  SETTLEMENT_LANE,
  signBytes,
} from "../../shared/domain.ts";
import { signBytesGoldenCases, signBytesGoldenFile } from "../../scripts/gen-codec-golden.ts";
import golden from "../golden/domain-signbytes.json";

/** The prefix layout as docs/spec/README.md states it, written independently of shared/domain.ts. */
const prefixLayout = struct({ version: u8, messageType: u8, chainId: string(MAX_CHAIN_ID_BYTES), lane: u32 });

function parseSignBytes(signed: Uint8Array) {
  expect(toHex(signed.subarray(0, 4))).toBe(toHex(utf8("BTLR")));
  const reader = new Reader(signed.subarray(4));
  const prefix = prefixLayout.read(reader);
  return { ...prefix, body: signed.subarray(4 + reader.offset) };
}

describe("sign-bytes golden vectors (test/golden/domain-signbytes.json)", () => {
  it("the committed file is what scripts/gen-codec-golden.ts produces in this runtime", () => {
    expect(signBytesGoldenFile()).toEqual(golden);
  });

  it("covers every message type of the registry", () => {
    const covered = new Set(golden.vectors.map((v) => v.messageType));
    expect([...covered].sort()).toEqual(Object.keys(MessageType).sort());
    expect(signBytesGoldenCases.length).toBe(golden.vectors.length);
  });

  for (const v of golden.vectors) {
    it(`reproduces and parses: ${v.name}`, () => {
      const type = MessageType[v.messageType as keyof typeof MessageType];
      expect(type).toBe(v.messageTypeTag);
      const signed = signBytes(type, { chainId: v.chainId, lane: v.lane }, fromHex(v.body));
      expect(toHex(signed)).toBe(v.signBytes);
      const parsed = parseSignBytes(fromHex(v.signBytes));
      expect(parsed).toEqual({
        version: SIGN_VERSION,
        messageType: type,
        chainId: v.chainId,
        lane: v.lane,
        body: fromHex(v.body),
      });
    });
  }
});

const messageTypeArb = fc.constantFrom(...Object.values(MessageType));
const chainIdArb = fc
  .string({ unit: "binary", maxLength: 24 })
  .filter((s) => utf8(s).length <= MAX_CHAIN_ID_BYTES);
const domainArb = fc.record({
  messageType: messageTypeArb,
  chainId: chainIdArb,
  lane: fc.oneof(fc.constantFrom(SETTLEMENT_LANE, 1, 0xffff_ffff), fc.nat(0xffff_ffff)),
  body: fc.uint8Array({ maxLength: 40 }),
});

describe("sign-bytes domain separation", () => {
  it("reads back the exact message type, chain id, lane and body from any sign-bytes", () => {
    fc.assert(
      fc.property(domainArb, (d) => {
        const signed = signBytes(d.messageType, { chainId: d.chainId, lane: d.lane }, d.body);
        expect(signed.subarray(0, 4)).toEqual(SIGN_MAGIC);
        expect(parseSignBytes(signed)).toEqual({ version: SIGN_VERSION, ...d });
      }),
      { numRuns: 300 },
    );
  });

  it("gives different bytes for any two different (type, chain id, lane, body)", () => {
    fc.assert(
      fc.property(domainArb, domainArb, (a, b) => {
        const same =
          a.messageType === b.messageType &&
          a.chainId === b.chainId &&
          a.lane === b.lane &&
          toHex(a.body) === toHex(b.body);
        const signedA = signBytes(a.messageType, a, a.body);
        const signedB = signBytes(b.messageType, b, b.body);
        expect(toHex(signedA) === toHex(signedB)).toBe(same);
      }),
      { numRuns: 300 },
    );
  });

  it("differs when only the message type, only the chain id, or only the lane changes", () => {
    const body = fromHex("0102");
    const base = toHex(signBytes(MessageType.LaneTx, { chainId: "main", lane: 1 }, body));
    expect(toHex(signBytes(MessageType.Receipt, { chainId: "main", lane: 1 }, body))).not.toBe(base);
    expect(toHex(signBytes(MessageType.LaneTx, { chainId: "mainx", lane: 1 }, body))).not.toBe(base);
    expect(toHex(signBytes(MessageType.LaneTx, { chainId: "main", lane: 2 }, body))).not.toBe(base);
    // Moving a byte between chain id and body must not collide (the chain id is length-prefixed).
    expect(
      toHex(signBytes(MessageType.LaneTx, { chainId: "mai", lane: 1 }, concatBytes(utf8("n"), body))),
    ).not.toBe(base);
  });

  it("rejects a chain id over 64 UTF-8 bytes and a lane over 2^32-1 with a CodecError", () => {
    const longChain = "é".repeat(33); // 66 bytes, 33 characters
    const tooLong = () => signBytes(MessageType.LaneTx, { chainId: longChain, lane: 1 }, new Uint8Array(0));
    expect(tooLong).toThrow(CodecError);
    try {
      tooLong();
    } catch (error) {
      expect((error as CodecError).code).toBe(CodecErrorCode.Oversize);
      expect((error as CodecError).field).toBe("chainId");
    }
    expect(() => signBytes(MessageType.LaneTx, { chainId: "c", lane: 2 ** 32 }, new Uint8Array(0))).toThrow(
      CodecError,
    );
  });

  it("keeps the message-type registry stable: distinct tags, 1..11 as published", () => {
    const tags = Object.values(MessageType);
    expect(new Set(tags).size).toBe(tags.length);
    for (const v of golden.vectors)
      expect(MessageType[v.messageType as keyof typeof MessageType]).toBe(v.messageTypeTag);
  });
});
