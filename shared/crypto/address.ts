/**
 * Account addresses: the first 20 bytes of
 * hashTagged("bitlayer/address/v1", publicKey), written as "bl" + 40
 * lowercase hex digits. One text form per address, so text can be compared.
 */
import { fromHex, toHex } from "../bytes.ts";
import { domainTag, hashTagged } from "../hash.ts";
import { AddressFormatError } from "./errors.ts";
import { assertPublicKey } from "./keys.ts";

export const ADDRESS_BYTES = 20;
export const ADDRESS_PREFIX = "bl";
export const ADDRESS_TEXT_LENGTH = ADDRESS_PREFIX.length + 2 * ADDRESS_BYTES; // 42

const ADDRESS_TAG = domainTag("bitlayer/address/v1");
const ADDRESS_TEXT = /^bl[0-9a-f]{40}$/;

export function addressFromPublicKey(publicKey: Uint8Array): Uint8Array {
  assertPublicKey(publicKey);
  return hashTagged(ADDRESS_TAG, publicKey).slice(0, ADDRESS_BYTES);
}

export function formatAddress(address: Uint8Array): string {
  if (!(address instanceof Uint8Array) || address.length !== ADDRESS_BYTES) {
    const got = address instanceof Uint8Array ? `${address.length} bytes` : typeof address;
    throw new AddressFormatError(`An address must be ${ADDRESS_BYTES} bytes, got ${got}.`, {
      docsPath: "spec/signatures.md",
    });
  }
  return ADDRESS_PREFIX + toHex(address);
}

/** Parses the canonical text form only: "bl" + 40 lowercase hex digits, nothing around it. */
export function parseAddress(text: string): Uint8Array {
  if (typeof text !== "string" || !ADDRESS_TEXT.test(text)) {
    const shown = typeof text === "string" ? JSON.stringify(text.slice(0, 60)) : typeof text;
    throw new AddressFormatError(`Not a Bitlayer address: ${shown}.`, {
      details: `An address is "${ADDRESS_PREFIX}" followed by ${2 * ADDRESS_BYTES} lowercase hex digits (${ADDRESS_TEXT_LENGTH} characters); uppercase is not accepted so each address has one text form.`,
      docsPath: "spec/signatures.md",
    });
  }
  return fromHex(text.slice(ADDRESS_PREFIX.length));
}
