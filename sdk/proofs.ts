/** Checks an edge read's Merkle proof against its state root, for keys the client derives itself. */
import { equalBytes, fromHex, toHex } from "../shared/bytes.ts";
import { decodeSmtMultiproof, verifyMultiproof } from "../shared/smt/index.ts";
import { VerificationError } from "./errors.ts";
import { strip0x } from "./internal.ts";
import type { ProvenRead } from "./types.ts";

/**
 * The values of `keys` under the read's state root, proven: the server's
 * `entries` must name exactly these keys and the multiproof must show those
 * values (or absence) under `stateRoot`. Returns the proven values.
 */
export function provenValues(
  read: ProvenRead<unknown>,
  keys: readonly Uint8Array[],
  what: string,
  expectedStateRoot?: string,
): (Uint8Array | null)[] {
  if (expectedStateRoot !== undefined && strip0x(expectedStateRoot) !== strip0x(read.stateRoot))
    throw new VerificationError(
      `${what}.stateRoot`,
      `The read is at state root ${read.stateRoot}, not the expected ${expectedStateRoot} (the lane moved on, or the server is wrong).`,
    );
  if (read.entries.length !== keys.length)
    throw new VerificationError(
      `${what}.entries`,
      `Expected ${keys.length} proven entries, got ${read.entries.length}.`,
    );
  const entries = keys.map((key, i) => {
    const e = read.entries[i]!;
    if (!equalBytes(fromHex(strip0x(e.key)), key))
      throw new VerificationError(`${what}.entries`, `Entry ${i} proves key ${e.key}, not ${toHex(key)}.`);
    return { key, value: e.value === null ? null : fromHex(strip0x(e.value)) };
  });
  let ok = false;
  try {
    ok = verifyMultiproof(
      fromHex(strip0x(read.stateRoot)),
      decodeSmtMultiproof(fromHex(strip0x(read.proof))),
      entries,
    );
  } catch {
    ok = false;
  }
  if (!ok)
    throw new VerificationError(
      `${what}.proof`,
      `The Merkle proof does not show these values under ${read.stateRoot}.`,
    );
  return entries.map((e) => e.value);
}
