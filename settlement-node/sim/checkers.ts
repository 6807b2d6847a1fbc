/**
 * Checkers of a simulated run, kept apart from the code under test: they
 * read what honest validators committed and signed and never call the core.
 */
import { toHex } from "../../shared/bytes.ts";
import {
  type CommitCertificate,
  type ConsensusMessage,
  isQuorum,
  valueIdOf,
  valueKeyOf,
  voteSignBytes,
} from "../consensus/index.ts";
import { extensionOf, SimChain } from "./app.ts";
import { verifyStandIn } from "./signer.ts";
import type { Validator } from "../consensus/index.ts";

export type CheckerName = "agreement" | "validity" | "double-sign" | "evidence" | "liveness" | "replay";
export type Violation = { checker: CheckerName; message: string };

export type Decision = { round: number; value: Uint8Array; certificate: CommitCertificate };

/** Honest validators never sign two different things for one (height, round, kind). */
export class DoubleSignChecker {
  private readonly signed = new Map<string, string>();
  readonly violations: Violation[] = [];

  record(publicKey: Uint8Array, message: ConsensusMessage): void {
    let slot: string;
    let what: string;
    if (message.type === "proposal") {
      const p = message.signed.proposal;
      slot = `${p.height}/${p.round}/proposal`;
      what = `${toHex(valueIdOf(p.value))}/${p.polRound}`;
    } else if (message.type === "vote") {
      const v = message.signed.vote;
      slot = `${v.height}/${v.round}/${v.type}`;
      what = valueKeyOf(v.valueId);
    } else return;
    const key = `${toHex(publicKey)}/${slot}`;
    const previous = this.signed.get(key);
    if (previous === undefined) this.signed.set(key, what);
    else if (previous !== what)
      this.violations.push({
        checker: "double-sign",
        message: `honest ${key} signed ${previous} and ${what}`,
      });
  }
}

/** All honest decisions of a height are the same value. */
export function checkAgreement(decisions: Map<number, Decision>[]): Violation[] {
  const out: Violation[] = [];
  const byHeight = new Map<number, string>();
  for (const [node, mine] of decisions.entries())
    for (const [height, d] of mine) {
      const key = toHex(valueIdOf(d.value));
      const other = byHeight.get(height);
      if (other === undefined) byHeight.set(height, key);
      else if (other !== key)
        out.push({
          checker: "agreement",
          message: `height ${height}: node ${node} decided ${key}, another ${other}`,
        });
    }
  return out;
}

/**
 * Every decided block is valid on the chain before it, and carries a commit
 * certificate: > 2/3 of that height's stake precommitted it with valid
 * signatures, and every honest precommit in it signs the block's checkpoint
 * roots (a Byzantine one may sign junk there: light clients count roots by stake).
 */
export function checkValidity(
  chainId: string,
  genesis: Validator[],
  decisions: Map<number, Decision>,
  isHonest: (publicKey: Uint8Array) => boolean,
): Violation[] {
  const out: Violation[] = [];
  const chain = new SimChain(chainId, genesis);
  const heights = [...decisions.keys()].sort((a, b) => a - b);
  for (const height of heights) {
    if (height !== chain.height + 1) break;
    const d = decisions.get(height)!;
    if (!chain.isValid(d.value))
      out.push({ checker: "validity", message: `height ${height}: invalid block decided` });
    const set = chain.setAt(height)!;
    const id = valueIdOf(d.value);
    const extension = toHex(extensionOf(d.value));
    let power = 0n;
    const seen = new Set<number>();
    for (const p of d.certificate.precommits) {
      const v = p.vote;
      const validator = set[v.validatorIndex];
      const ok =
        validator !== undefined &&
        !seen.has(v.validatorIndex) &&
        v.type === "precommit" &&
        v.height === height &&
        v.round === d.certificate.round &&
        valueKeyOf(v.valueId) === toHex(id) &&
        verifyStandIn(validator.publicKey, voteSignBytes(chainId, v), p.signature);
      if (!ok) {
        out.push({ checker: "validity", message: `height ${height}: bad precommit in certificate` });
        continue;
      }
      seen.add(v.validatorIndex);
      power += validator.power;
      if (isHonest(validator.publicKey) && toHex(v.extension) !== extension)
        out.push({
          checker: "validity",
          message: `height ${height}: precommit without the block's checkpoint roots`,
        });
    }
    const total = set.reduce((a, v) => a + v.power, 0n);
    if (!isQuorum(power, total))
      out.push({
        checker: "validity",
        message: `height ${height}: certificate holds ${power} of ${total} stake`,
      });
    chain.commit(d.value);
  }
  return out;
}
