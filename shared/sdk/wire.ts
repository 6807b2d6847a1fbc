/**
 * Text forms of canonical bytes for JSON transport: "0x"-prefixed lowercase
 * hex, or standard padded base64 (RFC 4648 §4). Parsing is strict — one text
 * per byte string — so a wire string can be compared or cached as is.
 */
import { BytesError, fromHex, toHex } from "../bytes.ts";
import { WireFormatError } from "./errors.ts";

export type WireFormat = "hex" | "base64";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function bytesToWire(bytes: Uint8Array, format: WireFormat): string {
  if (format === "hex") return `0x${toHex(bytes)}`;
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

export function wireToBytes(text: string, format: WireFormat): Uint8Array {
  if (typeof text !== "string") throw new WireFormatError("Wire text must be a string.");
  if (format === "hex") {
    if (!text.startsWith("0x") || /[A-F]/.test(text)) {
      throw new WireFormatError('Hex wire text must be "0x" followed by lowercase hex digits.');
    }
    try {
      return fromHex(text.slice(2));
    } catch (error) {
      throw new WireFormatError("Hex wire text is not valid hex.", {
        cause: error,
        details: error instanceof BytesError ? error.shortMessage : undefined,
      });
    }
  }
  if (!BASE64.test(text))
    throw new WireFormatError("Base64 wire text must be standard, padded base64 (RFC 4648 §4).");
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  // Unused low bits of the last character must be zero: otherwise two texts would give the same bytes.
  if (bytesToWire(bytes, "base64") !== text) throw new WireFormatError("Base64 wire text is not canonical.");
  return bytes;
}
