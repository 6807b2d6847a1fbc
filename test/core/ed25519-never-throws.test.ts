import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateKeyPair, verifyMany, verifySignature } from "../../shared/crypto/index.ts";

// Lengths near the real ones are where parsing code breaks, so bias towards them.
const bytesNear = (lengths: readonly number[]) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 130 }),
    fc.constantFrom(...lengths).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  );
const keyBytes = bytesNear([31, 32, 33]);
const signatureBytes = bytesNear([63, 64, 65]);
const messageBytes = fc.uint8Array({ maxLength: 300 });

describe("verifySignature never throws", () => {
  it("resolves to a boolean for arbitrary byte arrays of any length as key, message and signature", async () => {
    await fc.assert(
      fc.asyncProperty(keyBytes, messageBytes, signatureBytes, async (key, message, signature) => {
        const result = await verifySignature(key, message, signature);
        expect(typeof result).toBe("boolean");
        // Anything but a 32-byte key and a 64-byte signature is false by the first rule.
        if (key.length !== 32 || signature.length !== 64) expect(result).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it("resolves to false for a real key and random signatures that reach the native verifier", async () => {
    const { publicKey } = generateKeyPair(new Uint8Array(32).fill(7));
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        messageBytes,
        async (signature, message) => {
          signature[63]! &= 0x0f; // S < 2^252 < L, so the byte checks pass and the native equation decides
          expect(await verifySignature(publicKey, message, signature)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("resolves to false for values that are not byte arrays at all", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), fc.anything(), async (key, message, signature) => {
        const result = await verifySignature(
          key as Uint8Array,
          message as Uint8Array,
          signature as Uint8Array,
        );
        expect(result).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("verifyMany resolves to one boolean per item, even for malformed items", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ publicKey: keyBytes, message: messageBytes, signature: signatureBytes }), {
          maxLength: 20,
        }),
        async (items) => {
          const results = await verifyMany(items);
          expect(results.length).toBe(items.length);
          for (const r of results) expect(typeof r).toBe("boolean");
        },
      ),
      { numRuns: 100 },
    );
    const malformed = [null, undefined, 42, {}] as unknown as Parameters<typeof verifyMany>[0];
    expect(await verifyMany(malformed)).toEqual([false, false, false, false]);
  });
});
