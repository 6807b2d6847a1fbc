import { BitlayerError } from "../../shared/errors.ts";

const DOCS = "storage.md";

/**
 * A damaged record that is not a torn tail: intact records follow it, or it sits
 * in a sealed (non-last) segment. Dropping it would silently lose acknowledged
 * data, so opening the log refuses instead.
 */
export type StorageCorruptionErrorType = StorageCorruptionError;
export class StorageCorruptionError extends BitlayerError {
  override name = "StorageCorruptionError" as const;
  readonly file: string;
  readonly offset: number;
  readonly reason: string;

  constructor(file: string, offset: number, reason: string) {
    super(`Corrupt record in ${file} at byte ${offset}: ${reason}.`, {
      metaMessages: [
        "This is not a torn tail from a crash, so the record is not dropped automatically.",
        "Restore the file from a backup or resync this validator from its peers.",
      ],
      docsPath: `${DOCS}#torn-tail-rules`,
    });
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** The sign guard refuses to sign: a regression or a different payload at the same (height, round, step). */
export type DoubleSignRefusedErrorType = DoubleSignRefusedError;
export class DoubleSignRefusedError extends BitlayerError {
  override name = "DoubleSignRefusedError" as const;
  readonly reason: "regression" | "conflicting-payload";

  constructor(reason: "regression" | "conflicting-payload", details: string) {
    super(
      reason === "regression"
        ? "Refusing to sign below the last signed (height, round, step)."
        : "Refusing to sign different bytes at the last signed (height, round, step).",
      { details, docsPath: `${DOCS}#sign-guard` },
    );
    this.reason = reason;
  }
}

/** A storage API was used against its contract (out-of-order height, closed handle, oversize record). */
export type StorageUsageErrorType = StorageUsageError;
export class StorageUsageError extends BitlayerError {
  override name = "StorageUsageError" as const;
  constructor(message: string, details?: string) {
    super(message, { details, docsPath: DOCS });
  }
}

/** pino-compatible subset, so the node can pass its pino logger straight in. */
export type StorageLogger = {
  warn(fields: Record<string, unknown>, message: string): void;
};

export const stderrLogger: StorageLogger = {
  warn(fields, message) {
    process.stderr.write(`${JSON.stringify({ level: "warn", msg: message, ...fields })}\n`);
  },
};
