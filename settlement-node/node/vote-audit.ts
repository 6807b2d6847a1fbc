/**
 * Every vote this node has seen, own and peers', by (height, round, type,
 * validator), for recent heights: a second vote with another value is a
 * double sign. The core only sees the current height; this audit spans
 * heights and restarts of the peers, which is what the crash tests check.
 */
import { toHex } from "../../shared/bytes.ts";

export class VoteAudit {
  private readonly byHeight = new Map<number, Map<string, string>>();
  countConflicts = 0;

  /** Returns true when this vote conflicts with one seen before. */
  note(
    publicKey: Uint8Array,
    height: number,
    round: number,
    type: string,
    valueId: Uint8Array | null,
  ): boolean {
    let votes = this.byHeight.get(height);
    if (!votes) {
      votes = new Map();
      this.byHeight.set(height, votes);
    }
    const key = `${round}/${type}/${toHex(publicKey)}`;
    const value = valueId ? toHex(valueId) : "nil";
    const previous = votes.get(key);
    if (previous === undefined) {
      votes.set(key, value);
      return false;
    }
    if (previous === value) return false;
    this.countConflicts++;
    return true;
  }

  pruneBelow(height: number): void {
    for (const h of this.byHeight.keys()) if (h < height) this.byHeight.delete(h);
  }
}
