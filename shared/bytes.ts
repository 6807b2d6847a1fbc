/**
 * Byte helpers for the pure core. Everything takes and returns Uint8Array;
 * strings are never used as bytes (STYLE.md item 1).
 */
import { BitlayerError } from "./errors.ts";

export type BytesErrorType = BytesError;
export class BytesError extends BitlayerError {
  override name = "BytesError" as const;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * ES2026's Uint8Array.fromHex and toHex where the runtime has them (workerd
 * does, Node 22 does not): the same bytes and the same lowercase text as the
 * loops below, at native speed on the edge's hot path (a batch request
 * carries its transactions as hex). Errors always come from the loop, so
 * their type and message do not depend on the runtime.
 */
type NativeHex = {
  fromHex?: (hex: string) => Uint8Array;
};
const nativeFromHex = (Uint8Array as unknown as NativeHex).fromHex;
const nativeToHex = (Uint8Array.prototype as unknown as { toHex?: () => string }).toHex;

export function toHex(bytes: Uint8Array): string {
  if (nativeToHex !== undefined) return nativeToHex.call(bytes);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

/** Parses lowercase or uppercase hex without a 0x prefix; rejects odd length and non-hex characters. */
export function fromHex(hex: string): Uint8Array {
  if (nativeFromHex !== undefined && typeof hex === "string") {
    try {
      return nativeFromHex(hex);
    } catch {
      // Not hex: the loop below names the problem.
    }
  }
  return fromHexLoop(hex);
}

/** The portable decoder fromHex falls back to (exported for the benchmark that compares them). */
export function fromHexLoop(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new BytesError(`Hex string has odd length ${hex.length}.`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i));
    const lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new BytesError(`Invalid hex character near offset ${2 * i}.`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Lexicographic order on bytes: the only order the core sorts keys by. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function assertLength(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new BytesError(`${what} must be a Uint8Array.`);
  if (bytes.length !== length) {
    throw new BytesError(`${what} must be ${length} bytes, got ${bytes.length}.`);
  }
}

const utf8Encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Big-endian fixed-width encoding of a non-negative bigint. */
export function bigintToBytesBE(value: bigint, length: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * length)) {
    throw new BytesError(`Value ${value} does not fit in ${length} bytes.`);
  }
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesToBigintBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < bytes.length; i++) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}
