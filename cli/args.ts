/**
 * Parsers of command-line values: each checks its text and throws a
 * UsageError naming the flag, so a typo never reaches the network.
 */
import { UsageError } from "./errors.ts";

/** A positive whole amount in base units, as a decimal integer ("1000"); u128 at most. */
export function parseAmount(text: string | undefined, flag: string): bigint {
  if (text === undefined) throw new UsageError(`${flag} is required (a whole number of base units).`, flag);
  if (!/^[0-9]{1,39}$/.test(text))
    throw new UsageError(
      `${flag}: "${text}" is not a whole number of base units (digits only, e.g. 1000).`,
      flag,
    );
  const value = BigInt(text);
  if (value === 0n) throw new UsageError(`${flag} must be greater than 0.`, flag);
  if (value >= 1n << 128n) throw new UsageError(`${flag}: ${text} is above the u128 maximum.`, flag);
  return value;
}

/** A duration in milliseconds ("60000"). */
export function parseMs(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]{1,9}$/.test(text))
    throw new UsageError(`${flag}: "${text}" is not a number of milliseconds.`, flag);
  return Number(text);
}

export const STATUSES = ["soft", "checkpointed", "settled", "final"] as const;
export type Status = (typeof STATUSES)[number];

/** A status on the finality ladder, or undefined when the flag is absent. */
export function parseStatus(text: string | undefined, flag: string): Status | undefined {
  if (text === undefined) return undefined;
  if (!(STATUSES as readonly string[]).includes(text))
    throw new UsageError(`${flag}: "${text}" is not one of ${STATUSES.join(", ")}.`, flag);
  return text as Status;
}

/** The string value of a flag (parseArgs gives string | boolean | string[]). */
export function str(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** Lines of "label  value" with the labels padded to one column. */
export function table(rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}
