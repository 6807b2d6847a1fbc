/** Typed errors of keys, signing and addresses. Verification never throws: it returns false. */
import { BitlayerError } from "../errors.ts";

export type InvalidKeyErrorType = InvalidKeyError;
/** A seed, secret key or public key of the wrong type or length. */
export class InvalidKeyError extends BitlayerError {
  override name = "InvalidKeyError" as const;
}

export type AddressFormatErrorType = AddressFormatError;
/** Text that is not a canonical Bitlayer address ("bl" + 40 lowercase hex digits). */
export class AddressFormatError extends BitlayerError {
  override name = "AddressFormatError" as const;
}
