import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import {
  AddressFormatError,
  addressFromPublicKey,
  formatAddress,
  generateKeyPair,
  InvalidKeyError,
  parseAddress,
  publicKeyFromSecret,
  sign,
  verifySignature,
} from "../../shared/crypto/index.ts";
import { domainTag, hashTagged } from "../../shared/hash.ts";

const seed = (byte: number) => new Uint8Array(32).fill(byte);

describe("keys and signing", () => {
  it("generateKeyPair copies the seed and derives the same public key as publicKeyFromSecret", () => {
    const s = seed(9);
    const pair = generateKeyPair(s);
    s[0] = 0xff; // mutating the caller's buffer afterwards must not change the key pair
    expect(pair.secretKey).toEqual(seed(9));
    expect(pair.publicKey).toEqual(publicKeyFromSecret(seed(9)));
    expect(pair.publicKey.length).toBe(32);
  });

  it("signing is deterministic and every signature of every key verifies", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        async (s, message) => {
          const { secretKey, publicKey } = generateKeyPair(s);
          const signature = sign(secretKey, message);
          expect(signature.length).toBe(64);
          expect(sign(secretKey, message)).toEqual(signature);
          expect(await verifySignature(publicKey, message, signature)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("rejects seeds and secret keys of the wrong length with InvalidKeyError", () => {
    for (const length of [0, 31, 33, 64]) {
      expect(() => generateKeyPair(new Uint8Array(length))).toThrow(InvalidKeyError);
      expect(() => publicKeyFromSecret(new Uint8Array(length))).toThrow(InvalidKeyError);
      expect(() => sign(new Uint8Array(length), new Uint8Array(1))).toThrow(InvalidKeyError);
    }
    expect(() => generateKeyPair(new Uint8Array(31))).toThrow(/must be 32 bytes, got 31/);
    expect(() => sign(seed(1), "text" as unknown as Uint8Array)).toThrow(InvalidKeyError);
  });
});

describe("addresses", () => {
  const { publicKey } = generateKeyPair(seed(3));

  it("an address is the first 20 bytes of hashTagged('bitlayer/address/v1', publicKey)", () => {
    const address = addressFromPublicKey(publicKey);
    expect(address.length).toBe(20);
    expect(toHex(address)).toBe(toHex(hashTagged(domainTag("bitlayer/address/v1"), publicKey)).slice(0, 40));
  });

  it('formats as "bl" + 40 lowercase hex digits and parses back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (address) => {
        const text = formatAddress(address);
        expect(text).toMatch(/^bl[0-9a-f]{40}$/);
        expect(text.length).toBe(42);
        expect(parseAddress(text)).toEqual(address);
      }),
    );
  });

  it("parseAddress refuses anything but the one canonical text form, with AddressFormatError", () => {
    const good = formatAddress(addressFromPublicKey(publicKey));
    const bad = [
      "",
      good.slice(2),
      `0x${good.slice(2)}`,
      good.toUpperCase(),
      `bl${good.slice(2).toUpperCase()}`,
      good.slice(0, 41),
      `${good}0`,
      ` ${good}`,
      `${good.slice(0, 41)}g`,
    ];
    for (const text of bad) expect(() => parseAddress(text), text).toThrow(AddressFormatError);
    expect(() => parseAddress(42 as unknown as string)).toThrow(AddressFormatError);
  });

  it("refuses public keys and addresses of the wrong length", () => {
    expect(() => addressFromPublicKey(new Uint8Array(33))).toThrow(InvalidKeyError);
    expect(() => formatAddress(new Uint8Array(32))).toThrow(AddressFormatError);
  });
});
