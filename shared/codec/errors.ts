import { BitlayerError } from "../errors.ts";

/** Why a byte string is not the canonical encoding of a value. Stable: never renumber. */
export const CodecErrorCode = {
  UnexpectedEnd: 1,
  TrailingBytes: 2,
  NonMinimalVarint: 3,
  OutOfRange: 4,
  UnknownTag: 5,
  Oversize: 6,
  InvalidUtf8: 7,
  InvalidValue: 8,
} as const;
export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

export type CodecErrorType = CodecError;
export class CodecError extends BitlayerError {
  override name = "CodecError" as const;
  readonly code: CodecErrorCode;
  /** Dotted path of the field being read or written, e.g. "body.transfer.amount". */
  readonly field: string;
  readonly offset: number;

  constructor(code: CodecErrorCode, field: string, offset: number, message: string) {
    super(`${field || "value"}: ${message}`, {
      details: `code ${code} at byte ${offset}`,
      docsPath: "spec/encoding.md",
    });
    this.code = code;
    this.field = field;
    this.offset = offset;
  }
}
