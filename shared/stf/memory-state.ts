/**
 * A Map-backed StateReader for tests, benchmarks and tools that do not need
 * Merkle proofs. Its digest commits to every (key, value) in key order, so two
 * states have equal digests iff they hold the same entries.
 */
import { bigintToBytesBE, compareBytes, toHex } from "../bytes.ts";
import { domainTag, hashTagged } from "../hash.ts";
import type { StateKey, StateReader, StateWrite } from "../state.ts";

const DIGEST_TAG = domainTag("bitlayer/memory-state/v1");

export class MemoryState implements StateReader {
  private readonly entries = new Map<string, { key: StateKey; value: Uint8Array }>();

  get(key: StateKey): Uint8Array | undefined {
    return this.entries.get(toHex(key))?.value;
  }

  apply(writes: readonly StateWrite[]): void {
    for (const w of writes) {
      if (w.value === null) this.entries.delete(toHex(w.key));
      else this.entries.set(toHex(w.key), { key: w.key, value: w.value });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  digest(): Uint8Array {
    const sorted = [...this.entries.values()].sort((a, b) => compareBytes(a.key, b.key));
    const parts: Uint8Array[] = [];
    for (const e of sorted) parts.push(e.key, bigintToBytesBE(BigInt(e.value.length), 4), e.value);
    return hashTagged(DIGEST_TAG, ...parts);
  }
}
